"""Following on the dashboard: the follow forms, the /follow page, and the feed links.

- :func:`follow_trial` and :func:`follow_search` draw "Follow this trial" and
  "Follow this search" (an expander holding :func:`follow_form`);
- :func:`follow_page` is ``pages/follow.py``: it opens ``?confirm=TOKEN`` and
  ``?unfollow=TOKEN`` links, kindly, whatever the link holds;
- :func:`feed_links` lists the Atom feeds on the data page.

The subscriptions live in ``<data dir>/follow.sqlite3`` (:mod:`trialfinder.follow.store`);
the confirmation message goes out at once through the SMTP server set in the
environment (:mod:`trialfinder.follow.digest`). Without one, the form says kindly that
following is not available on this server.
"""

from __future__ import annotations

import logging
import secrets
import sqlite3
from collections.abc import Callable

import streamlit as st

from trialfinder.follow import digest, mail
from trialfinder.follow import feeds as feeding
from trialfinder.follow import store as following
from trialfinder.follow.store import LinkOutcome, Store, Subscription
from trialfinder.i18n import LANGUAGES, N_, _, using
from trialfinder.query import ParsedQuery, Query
from trialfinder.ui import page
from trialfinder.ui.data import data_dir
from trialfinder.ui.text import md

_log = logging.getLogger("trialfinder")
#: Where a link's outcome is kept for the session, so a rerun shows it again
#: (the token itself is used once).
_OUTCOMES = "_follow_outcomes"

#: What opening a link did. It is told in the follower's language (the one chosen for
#: the e-mails), whatever the page's, and in every language when the follower is unknown.
OUTCOME_WORDS: dict[str, str] = {
    following.CONFIRMED: N_(
        "Thank you: you now follow {what}. We will write to {email} when it changes, "
        "at most one message after each data refresh."
    ),
    following.ALREADY_CONFIRMED: N_(
        "This link was already used: you already follow {what}. There is nothing more to do."
    ),
    following.UNFOLLOWED: N_(
        "Done: you no longer follow {what}, and your address was deleted from it. "
        "We will not write about it again."
    ),
    following.ALREADY_UNFOLLOWED: N_(
        "This link was already used: you no longer follow this. There is nothing more to do."
    ),
    following.EXPIRED: N_(
        "This link has expired (a confirmation link works for 7 days), or the request was "
        "deleted. To follow, please ask again from the trial's page or the search."
    ),
    following.UNKNOWN: N_(
        "We do not recognise this link. It may be cut short: please open the whole link "
        "from the e-mail, or copy all of it into the address bar."
    ),
}
_LINK_FAILED = N_("Something went wrong on our side. Please try the link again in a few minutes.")
_NOT_AVAILABLE = N_("Following by e-mail is not available on this server yet.")
_NOT_SENT = N_("We could not send the message just now. Please try again in a few minutes.")
_GOOD = {following.CONFIRMED, following.UNFOLLOWED}
_DONE = {following.ALREADY_CONFIRMED, following.ALREADY_UNFOLLOWED}

# ------------------------------------------------------------------ the form


def smtp_settings() -> mail.SmtpSettings | None:
    """The server's SMTP settings; None when they are missing or cannot be read."""
    try:
        settings = mail.SmtpSettings.from_env()
    except ValueError:
        _log.exception("the SMTP settings cannot be read")
        return None
    return settings if settings.configured else None


def follow_form(
    kind: str,
    target: str,
    *,
    title: str | None = None,
    key: str | None = None,
    lang: str | None = None,
) -> None:
    """An e-mail address and a Follow button; on submit, a pending follow and its
    confirmation message. ``kind`` is "trial" (``target`` its id, ``title`` its
    title for the message) or "search" (``target`` the query string); ``lang``
    is the e-mails' language chosen at first (the page's language).

    The work is done in the button's callback, before the page runs again, so
    nothing the page does on that run (a rerun of its own) can lose the click.
    """
    settings = smtp_settings()
    if settings is None:
        # Plain text, not an alert: it is no warning, and the page's own notices stay first.
        st.markdown(
            ":material/notifications_off: "
            + md(
                _(
                    "Following by e-mail is not available on this server yet. "
                    "You can bookmark this page and come back to it."
                )
            )
        )
        return
    form_key = key or f"follow-{kind}"
    with st.form(form_key, border=False):
        st.caption(
            _(
                "We will send you an e-mail when this changes, at most one after each data "
                "refresh. First we send a link to confirm; every e-mail has a link to stop. "
                "We keep only your address and what you follow."
            )
        )
        st.text_input(
            _("Your e-mail address"),
            key=f"{form_key}-email",
            placeholder="name@example.com",
            autocomplete="email",
            max_chars=254,
        )
        st.radio(
            _("Language of the e-mails"),
            following.LANGS,
            index=following.LANGS.index(lang) if lang in following.LANGS else 0,
            format_func=LANGUAGES.get,
            horizontal=True,
            key=f"{form_key}-lang",
        )
        st.form_submit_button(
            _("Follow"),
            icon=":material/notifications:",
            on_click=_on_follow,
            args=(form_key, kind, target, title),
        )
    said = st.session_state.get(f"{form_key}-said")
    if said and said[0] == (kind, target):  # what the last Follow here did
        _target, level, message, values = said
        # Said in the page's language on every run (the switch may change it).
        text = md(_(message).format(**values) if values else _(message))
        show = {"success": st.success, "warning": st.warning}.get(level, st.error)
        icon = {
            "success": ":material/mark_email_read:",
            "warning": ":material/info:",
        }.get(level, ":material/error:")
        show(text, icon=icon)


def _on_follow(form_key: str, kind: str, target: str, title: str | None) -> None:
    address = st.session_state.get(f"{form_key}-email") or ""
    lang = st.session_state.get(f"{form_key}-lang") or "en"
    level, message, values = _follow(kind, target, address, lang, title)
    st.session_state[f"{form_key}-said"] = ((kind, target), level, message, values)


_LOOPBACK = ("127.0.0.1", "::1", "")
_SESSION_CLIENT = "_follow-client"


def _client() -> str:
    """Who asks, for the per-client limit: the browser's address; behind the local
    proxy (the connection comes from this machine) the address the proxy forwards;
    else this session (a random key kept for it)."""
    direct = _text(st.context.ip_address)
    if direct not in _LOOPBACK:
        return direct
    headers = st.context.headers
    forwarded = _text(headers.get("X-Real-IP")) or _text(headers.get("X-Forwarded-For"))
    if forwarded.split(",")[-1].strip():
        return forwarded.split(",")[-1].strip()
    if _SESSION_CLIENT not in st.session_state:
        st.session_state[_SESSION_CLIENT] = "session-" + secrets.token_hex(16)
    return st.session_state[_SESSION_CLIENT]


def _text(value: object) -> str:
    """Text, or "" (a test run or a missing header may give something else)."""
    return value if isinstance(value, str) else ""


def _follow(
    kind: str, target: str, address: str, lang: str, title: str | None
) -> tuple[str, str, dict[str, str]]:
    """Store the pending follow and send its confirmation: (level, what to say as a
    message of the catalog, its values). It is translated when shown."""
    settings = smtp_settings()
    if settings is None:
        return "error", _NOT_AVAILABLE, {}
    directory = data_dir()
    try:
        with Store.open(directory) as store:
            pending = store.follow(
                address,
                kind,
                target,
                lang,
                marker=following.latest_marker(directory),
                client=_client(),
            )
            try:
                digest.send_confirmation(settings, digest.public_url(), pending, title)
            except (mail.SendFailed, mail.NotConfigured):
                _log.exception("the confirmation message could not be sent")
                store.cancel(pending)
                return "error", _NOT_SENT, {}
    except following.FollowError as error:
        return "warning", str(error), {}
    except (sqlite3.Error, OSError, RuntimeError):
        _log.exception("following failed")
        return "error", N_("Following does not work right now. Please try again later."), {}
    almost = N_(
        "Almost done: we sent a message to {email}. Open the link in it to start "
        "following. Until you do, nothing more is sent."
    )
    return "success", almost, {"email": pending.subscription.email}


def follow_trial(trial_id: str, title: str | None = None, lang: str | None = None) -> None:
    """ "Follow this trial": for the trial page."""
    with st.expander(_("Follow this trial"), icon=":material/notifications:"):
        follow_form("trial", trial_id, title=title, key="follow-trial", lang=lang)


def follow_search(query: Query, lang: str | None = None) -> None:
    """ "Follow this search" (the current Query): for the find page."""
    with st.expander(_("Follow this search"), icon=":material/notifications:"):
        query_string = query.to_query_string()
        if not query_string:
            st.markdown(
                md(
                    _(
                        "Choose at least one filter (a condition, the child's age, a place "
                        "...) to follow a search: we will tell you about new trials that "
                        "match it."
                    )
                )
            )
            return
        st.markdown(md(_("New trials for: {search}.").format(search=query.describe())))
        follow_form("search", query_string, key="follow-search", lang=lang)


# ------------------------------------------------------------------ the page


def _open_link(action: str, token: str) -> LinkOutcome | None:
    """Use the token once per session; a rerun shows the same outcome."""
    outcomes = st.session_state.setdefault(_OUTCOMES, {})
    key = (action, following.token_hash(token))
    if key not in outcomes:
        directory = data_dir()
        if not Store.exists(directory):  # no one follows anything here: nothing to open
            return LinkOutcome(following.UNKNOWN)
        try:
            with Store.open(directory) as store:
                use: Callable[[str], LinkOutcome] = (
                    store.confirm if action == "confirm" else store.unfollow
                )
                outcomes[key] = use(token)
        except (sqlite3.Error, OSError, RuntimeError):
            _log.exception("opening a follow link failed")
            return None
    return outcomes[key]


def _links(sub: Subscription, lang: str) -> str:
    """Where to read what is followed, in the follower's language (relative links)."""
    if sub.kind == "trial":
        label = _("Read the trial")
        return f"[{md(label)}]({digest.trial_url('.', sub.target, lang)[2:]})"
    label = _("See the search")
    return f"[{md(label)}]({digest.search_url('.', sub.target, lang)})"


def show_outcome(outcome: LinkOutcome | None) -> None:
    """What opening the link did, in the follower's language when known."""
    sub = outcome.subscription if outcome else None
    langs = [sub.lang] if sub is not None and sub.lang in LANGUAGES else list(LANGUAGES)
    for lang in langs:
        with using(lang):
            _show_outcome(outcome, sub, lang)


def _show_outcome(outcome: LinkOutcome | None, sub: Subscription | None, lang: str) -> None:
    if outcome is None:
        st.error(_(_LINK_FAILED), icon=":material/error:")
        return
    text = _(OUTCOME_WORDS[outcome.outcome])
    if sub is not None:
        text = text.format(what=digest.subscription_label(sub, lang), email=sub.email)
    text = md(text)
    if outcome.outcome in _GOOD:
        st.success(text, icon=":material/check_circle:")
    elif outcome.outcome in _DONE:
        st.info(text, icon=":material/info:")
    else:
        st.warning(text, icon=":material/link_off:")
    if sub is not None and outcome.outcome in (following.CONFIRMED, following.ALREADY_CONFIRMED):
        st.markdown(_links(sub, lang))


def follow_page(parsed: ParsedQuery | None = None) -> None:
    """The /follow page: ``?confirm=TOKEN`` or ``?unfollow=TOKEN``, or what following is."""
    parsed = parsed if parsed is not None else page.current()
    page.show_notice(parsed)
    st.subheader(_("Follow trials by e-mail"))
    confirm = parsed.extra.get("confirm", ())
    unfollow = parsed.extra.get("unfollow", ())
    if confirm:
        show_outcome(_open_link("confirm", confirm[0]))
    elif unfollow:
        show_outcome(_open_link("unfollow", unfollow[0]))
    else:
        if smtp_settings() is None:  # said first: a family is not sent looking for the forms
            st.markdown(":material/notifications_off: " + md(_(_NOT_AVAILABLE)))
        st.markdown(
            md(
                _(
                    "Follow a trial to get an e-mail when its status, its sites or its record "
                    "change; follow a search to hear of new trials that match it. Use "
                    '"Follow this trial" on a trial\'s page, or "Follow this search" on the '
                    "Find page. Each e-mail has a link to stop at once."
                )
            )
        )


# ------------------------------------------------------------------ feeds


def feed_links() -> None:
    """The Atom feeds of the changes, for the data page."""
    st.markdown("**" + md(_("Feeds of the changes")) + "**")
    found = [f for f in feeding.existing_feeds(data_dir()) if f.url]
    if not found or not st.get_option("server.enableStaticServing"):
        st.markdown(md(_("No feeds are published on this server yet.")))
        return
    st.markdown(
        md(_("Follow what each refresh changes in a feed reader (Atom):"))
        + "\n"
        + "\n".join(f"- [{md(feed.title)}]({feed.url})" for feed in found)
    )
