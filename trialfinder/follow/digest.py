"""Telling followers: confirmation messages, and one digest per address after each run.

``trialfinder notify`` (and every refresh, when it is done) builds, for each
confirmed subscription, what changed since its last message
(:func:`trialfinder.follow.store.section_for`), puts the subscriptions of one address
and language with news into one message, and sends it through SMTP. A
subscription's mark moves only once the server accepted the message: a failed
send is tried again next run, a sent change is never sent again. A subscription
with nothing new gets no message (its mark moves on quietly).

Every message is plain text and HTML (every value from a record escaped), in the
subscriber's language (English or Vietnamese), and carries a one-click link to
stop following. The words of the messages are in the one gettext catalog, with
every page's (:data:`_MESSAGES`); statuses read as on the pages, and a followed
search in the find page's own sentence.

SMTP settings come from the environment (``TRIALFINDER_SMTP_HOST``, ``_PORT``,
``_USER``, ``_PASSWORD``, ``_TLS`` = none | starttls | ssl, ``_SENDER``) or the
command's options; links start with ``TRIALFINDER_PUBLIC_URL``.
"""

from __future__ import annotations

import dataclasses
import html
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from email.message import EmailMessage
from email.utils import formatdate, make_msgid, parseaddr
from pathlib import Path
from urllib.parse import urlencode

from trialfinder import localized
from trialfinder.family import plain
from trialfinder.follow import store as following
from trialfinder.follow.mail import Mailer, SendFailed, SmtpSettings, message_text
from trialfinder.follow.store import Pending, Reports, Section, Store, Subscription
from trialfinder.i18n import DEFAULT, N_, _, using
from trialfinder.query import parse_query
from trialfinder.store.changes import sites_in_words

ENV_PUBLIC_URL = "TRIALFINDER_PUBLIC_URL"
DEFAULT_PUBLIC_URL = "http://localhost:8501"
#: In a dry run, links show this in place of a token (none is stored).
DRY_RUN_TOKEN = "DRY-RUN-NO-TOKEN"

# ------------------------------------------------------------------ words

#: Every word of every message, marked for the gettext catalog (translated by
#: :func:`words` in the subscriber's language). {placeholders} are filled with values
#: already escaped for the part (text or HTML) they go into.
_MESSAGES: dict[str, str] = {
    # No subject names what is followed: a subject is read before anything else, and
    # what a search says is whatever someone typed (issue 23: a phishing relay).
    "confirm_subject_trial": N_("Please confirm: follow a trial on trialfinder"),
    "confirm_subject_search": N_("Please confirm: follow a search on trialfinder"),
    "digest_subject": N_("What changed in the trials you follow"),
    "hello": N_("Hello,"),
    "confirm_intro": N_(
        "Someone, we hope you, asked to follow {what} on trialfinder, and to get an e-mail "
        "when it changes."
    ),
    "confirm_action": N_("To confirm, open this link (it works for 7 days):"),
    "confirm_button": N_("Yes, follow it"),
    "delete_request": N_("Delete the request"),
    "confirm_ignore": N_(
        "If it was not you, ignore this message: nothing more is sent unless the link is "
        "opened. Or delete the request now:"
    ),
    "what_trial": N_("the trial {id}"),
    "what_trial_titled": N_("the trial {id} ({title})"),
    "what_search": N_("a search ({search})"),
    "digest_intro": N_("Here is what changed since our last message."),
    "trial_heading": N_("Trial {id}: {title}"),
    "trial_heading_untitled": N_("Trial {id}"),
    "search_heading": N_("Your search: {search}"),
    "status": N_("The status changed from “{old}” to “{new}”"),
    "sites_added": N_("New sites: {sites}"),
    "sites_removed": N_("Sites no longer listed: {sites}"),
    "updated": N_("The record was updated: last update {old}, now {new}"),
    "gone": N_("The trial is no longer in our data: it left the registry pull"),
    "added": N_("The trial is back in our data"),
    "as_of": N_("data of {when}"),
    "new_trials": N_("{count} new trials match your search:"),
    "new_trial": N_("1 new trial matches your search:"),
    "more": N_("… and {count} more."),
    "partial": N_("There may be more: see the search."),
    "read_trial": N_("Read the trial"),
    "see_search": N_("See the whole search"),
    "unfollow": N_("Stop following this"),
    "unfollow_all": N_("Each link to stop following works at once, with one click."),
    "why": N_("You get this e-mail because you asked to follow trials on trialfinder."),
    "footer": N_(
        "This is information, not medical advice: talk with your child's doctor before deciding."
    ),
    "not_given": N_("not given"),
}


def words(lang: str) -> Mapping[str, str]:
    """Every message's words in ``lang`` (English when the catalog has no such language)."""
    with using(lang):
        return {key: _(message) for key, message in _MESSAGES.items()}


def status_words(status: str | None, lang: str) -> str:
    """An overall status in ``lang``, spelt as every page spells it."""
    with using(lang):
        return plain.status_words(status)


#: The filters whose values are whatever someone typed: quoted wherever a message
#: shows them, so they read as that person's words, never as ours.
TYPED_FILTERS = ("cond", "intr", "spons", "country")


def describe_search(query_string: str, lang: str) -> str:
    """A followed search in one sentence, in the subscriber's language: the sentence
    the find page says for it (:meth:`~trialfinder.query.Query.describe`), with what
    was typed in quotes ("Trials for “cerebral palsy”")."""
    query = parse_query(query_string).query
    typed = {key: tuple(f"“{value}”" for value in getattr(query, key)) for key in TYPED_FILTERS}
    with using(lang):
        return dataclasses.replace(query, **typed).describe()


def public_url(value: str | None = None) -> str:
    """Where links in messages and feeds point: no trailing slash."""
    url = (value or os.environ.get(ENV_PUBLIC_URL) or DEFAULT_PUBLIC_URL).strip()
    return url.rstrip("/")


# ------------------------------------------------------------------ links


# Every link of a message carries the follower's language (none for English, the
# default), so the page it opens speaks as the message did.


def _lang_pairs(lang: str) -> list[tuple[str, str]]:
    return [] if lang == DEFAULT else [("lang", lang)]


def trial_url(base: str, trial_id: str, lang: str = DEFAULT) -> str:
    return f"{base}/trial?{urlencode([('id', trial_id), *_lang_pairs(lang)])}"


def search_url(base: str, query_string: str, lang: str = DEFAULT) -> str:
    kept = "&".join(p for p in query_string.split("&") if p and not p.startswith("lang="))
    return f"{base}/?" + "&".join(p for p in (kept, urlencode(_lang_pairs(lang))) if p)


def confirm_url(base: str, token: str, lang: str = DEFAULT) -> str:
    return f"{base}/follow?{urlencode([('confirm', token), *_lang_pairs(lang)])}"


def unfollow_url(base: str, token: str, lang: str = DEFAULT) -> str:
    return f"{base}/follow?{urlencode([('unfollow', token), *_lang_pairs(lang)])}"


def _in(lang: str, show: Callable[[str], str | None], value: object) -> str:
    """``value`` written by ``show`` (a :mod:`trialfinder.localized` function) in ``lang``."""
    with using(lang):
        return show(value) or ""


# ------------------------------------------------------------------ messages


class _Doc:
    """A message body written twice at once: plain text and escaped HTML."""

    def __init__(self) -> None:
        self.text: list[str] = []
        self.html: list[str] = []

    @staticmethod
    def _fill(template: str, escape: bool, values: Mapping[str, object]) -> str:
        shown = {k: html.escape(str(v)) if escape else str(v) for k, v in values.items()}
        return template.format(**shown)

    def para(self, template: str, **values: object) -> None:
        self.text += [self._fill(template, False, values), ""]
        self.html.append(f"<p>{self._fill(template, True, values)}</p>")

    def heading(self, template: str, **values: object) -> None:
        line = self._fill(template, False, values)
        self.text += [line, "-" * min(len(line), 70)]
        self.html.append(
            f'<h3 style="margin:1.2em 0 .4em">{self._fill(template, True, values)}</h3>'
        )

    def items(self, lines: list[tuple[str, dict, str | None]]) -> None:
        """Bullets: (template, values, link or None)."""
        self.html.append("<ul>")
        for template, values, link in lines:
            self.text.append(
                "- " + self._fill(template, False, values) + (f"\n  {link}" if link else "")
            )
            shown = self._fill(template, True, values)
            if link:
                shown = f'<a href="{html.escape(link, quote=True)}">{shown}</a>'
            self.html.append(f"<li>{shown}</li>")
        self.html.append("</ul>")
        self.text.append("")

    def link(self, label: str, url: str) -> None:
        self.text += [f"{label}: {url}", ""]
        self.html.append(
            f'<p><a href="{html.escape(url, quote=True)}">{html.escape(label)}</a></p>'
        )

    def small(self, template: str, **values: object) -> None:
        self.text += ["--", self._fill(template, False, values)]
        self.html.append(
            f'<p style="color:#555;font-size:small">{self._fill(template, True, values)}</p>'
        )

    def message(self, settings: SmtpSettings, to: str, subject: str, lang: str) -> EmailMessage:
        msg = EmailMessage()
        msg["Subject"] = subject
        msg["From"] = settings.sender or "trialfinder@localhost"
        msg["To"] = to
        msg["Date"] = formatdate(usegmt=True)
        domain = parseaddr(msg["From"])[1].rpartition("@")[2] or "localhost"
        msg["Message-ID"] = make_msgid("trialfinder", domain=domain)
        msg["Auto-Submitted"] = "auto-generated"
        # Quoted-printable: readable in a raw message, and safe through any relay.
        msg.set_content("\n".join(self.text).rstrip() + "\n", cte="quoted-printable")
        body = "\n".join(self.html)
        msg.add_alternative(
            f'<!DOCTYPE html>\n<html lang="{lang}"><head><meta charset="utf-8"></head>'
            f'<body style="font-family:sans-serif;line-height:1.45">\n{body}\n</body></html>\n',
            subtype="html",
            cte="quoted-printable",
        )
        msg["Content-Language"] = lang  # after the body: set_content clears Content-* headers
        return msg


def what_followed(kind: str, target: str, lang: str, title: str | None = None) -> tuple[str, dict]:
    """(template, values) naming what is followed: "the trial NCT... (title)"."""
    w = words(lang)
    if kind == "trial":
        if title:
            return w["what_trial_titled"], {"id": target, "title": title}
        return w["what_trial"], {"id": target}
    return w["what_search"], {"search": describe_search(target, lang)}


def _plain(template: str, values: dict) -> str:
    return template.format(**values)


def confirmation_message(
    settings: SmtpSettings, base: str, pending: Pending, title: str | None = None
) -> EmailMessage:
    """The message that asks to confirm a follow."""
    sub = pending.subscription
    w = words(sub.lang)
    what, values = what_followed(sub.kind, sub.target, sub.lang, title)
    doc = _Doc()
    doc.para(w["hello"])
    doc.para(w["confirm_intro"].replace("{what}", what), **values)
    doc.para(w["confirm_action"])
    doc.link(w["confirm_button"], confirm_url(base, pending.confirm_token, sub.lang))
    doc.para(w["confirm_ignore"])
    unfollow = unfollow_url(base, pending.unfollow_token, sub.lang)
    doc.link(w["delete_request"], unfollow)
    doc.small(w["footer"])
    subject = w["confirm_subject_trial" if sub.kind == "trial" else "confirm_subject_search"]
    msg = doc.message(settings, sub.email, subject, sub.lang)
    msg["List-Unsubscribe"] = f"<{unfollow}>"
    return msg


def _change_line(change: following.TrialChange, lang: str) -> tuple[str, dict]:
    w = words(lang)
    not_given = w["not_given"]
    if change.kind == "status":
        return w["status"], {
            "old": status_words(change.old, lang),
            "new": status_words(change.new, lang),
        }
    if change.kind in ("sites_added", "sites_removed"):
        with using(lang):
            return w[change.kind], {"sites": sites_in_words(change.sites) or not_given}
    if change.kind == "updated":
        return w["updated"], {
            "old": _in(lang, localized.date, change.old) or not_given,
            "new": _in(lang, localized.date, change.new) or not_given,
        }
    return w[change.kind], {}


def _trial_section(doc: _Doc, section: Section, base: str, title: str | None) -> None:
    sub = section.subscription
    w = words(sub.lang)
    title = title or section.title()
    if title:
        doc.heading(w["trial_heading"], id=sub.target, title=title)
    else:
        doc.heading(w["trial_heading_untitled"], id=sub.target)
    lines = []
    for change in section.changes:
        template, values = _change_line(change, sub.lang)
        when = w["as_of"].format(when=_in(sub.lang, localized.moment, change.when))
        lines.append((template + " ({when}).", {**values, "when": when}, None))
    doc.items(lines)
    doc.link(w["read_trial"], trial_url(base, sub.target, sub.lang))


def _search_section(doc: _Doc, section: Section, base: str) -> None:
    sub = section.subscription
    w = words(sub.lang)
    doc.heading(w["search_heading"], search=describe_search(sub.target, sub.lang))
    count = len(section.new_trials) + section.more
    if count == 1:
        doc.para(w["new_trial"])
    else:
        doc.para(w["new_trials"], count=_in(sub.lang, localized.count, count))
    doc.items(
        [
            (
                "{id}: {title} ({status})",
                {
                    "id": row["id"],
                    "title": row.get("title") or row["id"],
                    "status": status_words(row.get("status"), sub.lang),
                },
                trial_url(base, row["id"], sub.lang),
            )
            for row in section.new_trials
        ]
    )
    if section.more:
        doc.para(w["more"], count=_in(sub.lang, localized.count, section.more))
    if section.partial:
        doc.para(w["partial"])
    doc.link(w["see_search"], search_url(base, sub.target, sub.lang))


def digest_message(
    settings: SmtpSettings,
    base: str,
    email: str,
    lang: str,
    sections: list[tuple[Section, str]],
    titles: Mapping[str, str] | None = None,
) -> EmailMessage:
    """One message with each subscription's news: (section, its unfollow token)."""
    w = words(lang)
    titles = titles or {}
    doc = _Doc()
    doc.para(w["hello"])
    doc.para(w["digest_intro"])
    for section, token in sections:
        if section.subscription.kind == "trial":
            _trial_section(doc, section, base, titles.get(section.subscription.target))
        else:
            _search_section(doc, section, base)
        doc.link(w["unfollow"], unfollow_url(base, token, lang))
    doc.small(" ".join((w["why"], w["unfollow_all"], w["footer"])))
    msg = doc.message(settings, email, w["digest_subject"], lang)
    if len(sections) == 1:
        msg["List-Unsubscribe"] = f"<{unfollow_url(base, sections[0][1], lang)}>"
    return msg


def send_confirmation(
    settings: SmtpSettings, base: str, pending: Pending, title: str | None = None
) -> None:
    """Send the confirmation message now; SendFailed or NotConfigured otherwise."""
    with Mailer(settings) as mailer:
        mailer.send(confirmation_message(settings, base, pending, title))


# ------------------------------------------------------------------ a run


@dataclass
class NotifyResult:
    #: Messages accepted by the server (or printed, in a dry run).
    sent: int = 0
    #: Messages the server did not accept: tried again next run.
    failed: int = 0
    #: Subscriptions with news that could not be told yet (no catalog to match searches).
    waiting: int = 0
    problems: list[str] = field(default_factory=list)
    messages: list[EmailMessage] = field(default_factory=list)

    def summary(self) -> str:
        text = f"notify: {self.sent} message{'s' if self.sent != 1 else ''} sent"
        if self.failed:
            text += f", {self.failed} not sent (tried again on the next run)"
        return text


class _LazyCatalog:
    """The catalog, loaded once, and only when a followed search needs it."""

    def __init__(self, data_dir: Path, problems: list[str]) -> None:
        self.data_dir = data_dir
        self.problems = problems
        self._loaded = False
        self._catalog = None
        self._results: dict[str, set[str]] = {}

    def get(self):
        if not self._loaded:
            self._loaded = True
            from trialfinder.catalog import load_catalog

            try:
                self._catalog = load_catalog(self.data_dir)
            except Exception as error:  # a broken catalog must not stop the trials' news
                self.problems.append(
                    f"followed searches wait: the catalog cannot be loaded ({error})"
                )
        return self._catalog

    def matches(self, query_string: str, ids: set[str]) -> set[str] | None:
        """Which of ``ids`` the search matches now; None without a catalog."""
        catalog = self.get()
        if catalog is None:
            return None
        if query_string not in self._results:
            from trialfinder.query import apply_query

            query = parse_query(query_string).query
            self._results[query_string] = set(apply_query(catalog, query)["id"].tolist())
        return ids & self._results[query_string]


def run(
    data_dir: Path,
    settings: SmtpSettings,
    *,
    base: str | None = None,
    dry_run: bool = False,
    show: Callable[[str], None] | None = None,
    now: datetime | None = None,
) -> NotifyResult:
    """Tell every confirmed subscription what changed since its last message.

    Without a follow database there is no one to tell: nothing is created. A
    dry run prints (through ``show``) and stores nothing.
    """
    result = NotifyResult()
    if not Store.exists(data_dir):
        return result
    base = public_url(base)
    with following.sending_lock(data_dir), Store.open(data_dir) as store:
        if not dry_run:
            store.prune(now)
        subscriptions = store.subscriptions(confirmed_only=True)
        if not subscriptions:
            return result
        reports = Reports(data_dir)
        if not dry_run and not settings.configured:
            if any(reports.after(sub.last_sent_marker) for sub in subscriptions):
                Mailer(settings)  # raises NotConfigured: there may be news to tell
            return result
        catalog = _LazyCatalog(data_dir, result.problems)
        groups: dict[tuple[str, str], list[Section]] = {}
        quiet: dict[int, str] = {}
        for sub in subscriptions:
            section = following.section_for(sub, reports, catalog.matches)
            if section is None:
                result.waiting += 1
            elif section.empty:
                if section.marker != sub.last_sent_marker:
                    quiet[sub.id] = section.marker
            else:
                groups.setdefault((sub.email, sub.lang), []).append(section)
        if quiet and not dry_run:
            store.advance(quiet)
        if not groups:
            return result
        if dry_run:
            for (email, lang), sections in groups.items():
                msg = digest_message(
                    settings, base, email, lang, [(s, DRY_RUN_TOKEN) for s in sections]
                )
                result.messages.append(msg)
                result.sent += 1
                if show is not None:
                    show(message_text(msg) + "\n" + "=" * 70)
            return result
        with Mailer(settings) as mailer:
            for (email, lang), sections in groups.items():
                _send_digest(store, mailer, settings, base, email, lang, sections, result, now)
    return result


def _send_digest(
    store: Store,
    mailer: Mailer,
    settings: SmtpSettings,
    base: str,
    email: str,
    lang: str,
    sections: list[Section],
    result: NotifyResult,
    now: datetime | None,
) -> None:
    told: list[tuple[Section, str]] = []
    for section in sections:
        token = store.new_unfollow_token(section.subscription.id, now)
        if token is not None:  # unfollowed meanwhile: not told
            told.append((section, token))
    if not told:
        return
    msg = digest_message(settings, base, email, lang, told)
    try:
        mailer.send(msg)
    except SendFailed as error:
        store.drop_tokens(token for _section, token in told)
        result.failed += 1
        result.problems.append(f"a message to {_masked(email)} was not sent: {error}")
        return
    store.advance({section.subscription.id: section.marker for section, _token in told})
    result.sent += 1
    result.messages.append(msg)


def _masked(email: str) -> str:
    """ "j***@example.org": enough for staff to tell messages apart in a log."""
    local, _, domain = email.partition("@")
    return f"{local[:1]}***@{domain}"


def subscription_label(sub: Subscription, lang: str | None = None) -> str:
    """What a subscription follows, in a few words (for pages and logs)."""
    template, values = what_followed(sub.kind, sub.target, lang or sub.lang)
    return _plain(template, values)
