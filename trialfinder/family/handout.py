"""A printable one-page summary of a trial, for a family to take to their doctor.

Plain-language summary, who can join, what each group gets, the nearest site and
its contact, the trust flags, questions to ask the trial team, and a QR code that
opens the trial's page. Pure: the page passes the trial, the place and the URL;
the result is HTML with every record value escaped.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass

import segno

from trialfinder import geo, localized
from trialfinder.family import plain
from trialfinder.family.contacts import Reach, contacts_for
from trialfinder.family.distance import distance_words
from trialfinder.family.flags import Flag, trust_flags
from trialfinder.family.placenames import site_place
from trialfinder.i18n import _, language
from trialfinder.model import Site, Trial

#: Contacts the handout lists (it must stay one page).
HANDOUT_CONTACTS = 4


@dataclass(frozen=True)
class Handout:
    trial: Trial
    url: str
    summary: str | None
    summary_is_registry: bool
    site: Site | None
    site_distance_km: float | None
    flags: tuple[Flag, ...]
    questions: tuple[str, ...]
    #: Who to contact: the trial's own, then the nearest site's (at most a few).
    contacts: tuple[Reach, ...] = ()

    def qr_png_data_uri(self) -> str:
        return qr_data_uri(self.url)


def qr_data_uri(url: str) -> str:
    """A QR code of ``url`` as a PNG data URI (error correction M, a 4-module margin)."""
    return segno.make_qr(url, error="m").png_data_uri(scale=5, border=4)


def nearest_site(trial: Trial, place: geo.Place | None) -> tuple[Site | None, float | None]:
    """The site nearest ``place`` among those with coordinates; else the first one listed."""
    if not trial.sites:
        return None, None
    placed = [s for s in trial.sites if s.lat is not None and s.lon is not None]
    if place is not None and placed:
        best = min(placed, key=lambda s: float(geo.distance_km(place.lat, place.lon, s.lat, s.lon)))
        return best, float(geo.distance_km(place.lat, place.lon, best.lat, best.lon))
    return trial.sites[0], None


def _questions(flags: tuple[Flag, ...]) -> tuple[str, ...]:
    asked = [
        _("Could my child join? What would rule my child out?"),
        _("What exactly happens to my child, and how often must we come?"),
        _("What are the risks, and what happens if something goes wrong?"),
        _("Which group could my child be in, and who decides?"),
        _("Can my child keep their usual therapy and medicines?"),
        _("Can we leave the trial at any time, and what happens then?"),
        _("Will we be told the results?"),
    ]
    codes = {f.code for f in flags}
    if "fee" in codes:
        asked.append(_("Will we pay anything (treatment, tests, travel)? How much?"))
    else:
        asked.append(_("Does taking part cost us anything, including travel?"))
    if "status_stale" in codes:
        asked.insert(0, _("Is the trial still taking children now?"))
    if "results_overdue" in codes:
        asked.append(_("Where can we read what the trial found?"))
    return tuple(asked)


def build_handout(
    trial: Trial, url: str, place: geo.Place | None = None, today: dt.date | None = None
) -> Handout:
    if language() == "vi" and trial.plain_summary_vi:
        summary, from_registry = trial.plain_summary_vi, False
    elif trial.plain_summary:
        summary, from_registry = trial.plain_summary, False
    else:
        summary, from_registry = trial.brief_summary, trial.brief_summary is not None
    site, distance = nearest_site(trial, place)
    flags = tuple(trust_flags(trial, today))
    at = (place.lat, place.lon) if place else (None, None)
    reach = tuple(contacts_for(trial, *at, limit=HANDOUT_CONTACTS))
    return Handout(
        trial, url, summary, from_registry, site, distance, flags, _questions(flags), reach
    )


_STYLE = """
<style>
.tf-handout {max-width: 46rem; color: #111; font-size: 1rem; line-height: 1.45;}
.tf-handout h2 {font-size: 1.4rem; margin: 0 0 0.3rem;}
.tf-handout h3 {font-size: 1.05rem; margin: 0.9rem 0 0.2rem;}
.tf-handout .tf-top {display: flex; gap: 1rem; align-items: flex-start; flex-wrap: wrap;}
.tf-handout .tf-top > div {flex: 1 1 16rem; min-width: 0;}
.tf-handout .tf-qr img {width: 150px; height: 150px; image-rendering: pixelated;}
.tf-handout .tf-qr p {font-size: 0.8rem; margin: 0; overflow-wrap: anywhere;}
.tf-handout .tf-note {font-size: 0.85rem; color: #444;}
.tf-handout ul {margin: 0.2rem 0 0.2rem 1.2rem; padding: 0;}
.tf-handout p, .tf-handout li {overflow-wrap: anywhere;}
@media print {
  @page {size: A4; margin: 8mm;}
  [data-testid="stSidebar"], [data-testid="stHeader"], [data-testid="stToolbar"],
  header, .stButton, .stRadio, [data-testid="stPageLink"], [data-testid="stDecoration"],
  [data-testid="stMain"] [data-testid="stElementContainer"]:not(:has(.tf-handout))
    {display: none !important;}
  [data-testid="stMainBlockContainer"] {padding: 0 !important; max-width: none !important;}
  [data-testid="stMain"], [data-testid="stAppViewContainer"] {overflow: visible !important;}
  .tf-handout {font-size: 10pt; line-height: 1.2; max-width: none;}
  article.tf-handout :is(p, ul, li) {font-size: inherit; line-height: inherit;}
  .tf-handout h2 {font-size: 14pt;}
  .tf-handout h3, .tf-handout .tf-checklist h3 {font-size: 11pt; margin: 0.4rem 0 0.1rem;}
  .tf-handout p {margin: 0 0 0.2rem;}
  .tf-handout .tf-qr {flex: 0 0 115px !important;}
  .tf-handout .tf-qr img {width: 110px; height: 110px;}
  .tf-handout .tf-questions {columns: 2; column-gap: 1.5rem;}
  .tf-handout .tf-questions li {break-inside: avoid;}
  .tf-handout .tf-checklist {font-size: inherit; line-height: inherit;}
  .tf-handout .tf-checklist ul {columns: 2; column-gap: 1.5rem; font-size: 9pt;}
  .tf-handout .tf-checklist li {break-inside: avoid;}
  .tf-handout a[href^="http"]::after {content: " (" attr(href) ")"; overflow-wrap: anywhere;}
}
</style>
"""


def _contacts_html(h: Handout) -> list[str]:
    """The trial's own contacts, then the nearest site's, as links to tap; the site."""
    esc = html.escape
    out = []
    lines = []
    for reach in h.contacts:
        who = ", ".join(x for x in (reach.name, reach.role) if x)
        ways = []
        if reach.phone:
            ways.append(_link(reach.phone, reach.tel))
        if reach.email:
            ways.append(_link(reach.email, reach.mailto))
        where = esc(reach.where or _("For the whole trial"))
        lines.append(f"<li><strong>{where}:</strong> " + " · ".join([esc(who), *ways]) + "</li>")
    if lines:
        out.append("<ul>" + "".join(lines) + "</ul>")
    else:
        out.append("<p>" + esc(_("Phone and e-mail: not given in the record.")) + "</p>")
    if h.site is None:
        out.append("<p>" + esc(_("No sites are listed.")) + "</p>")
    else:
        s = h.site
        where = site_place(s.facility, s.city, s.state, s.country)
        far = distance_words(h.site_distance_km)
        distance = " · " + far if far else ""
        label, place = _("Nearest site"), where or _("Place not stated")
        out.append(f"<p>{esc(label)}: {esc(place)}{esc(distance)}</p>")
        note = s.note_in(language())
        if note:
            out.append(f"<p class='tf-note'>{esc(note)}</p>")
    label, sponsor = _("Sponsor"), h.trial.sponsor or plain.not_given()
    out.append(f"<p>{esc(label)}: {esc(sponsor)}</p>")
    if not h.contacts and h.trial.source_url:
        see = _("The registry record may list other ways to reach the team")
        out.append(f"<p>{_link(see, h.trial.source_url)}</p>")
    return out


def _link(label: str, href: str | None) -> str:
    """A link when ``href`` is a phone, mail or web address; else the label as text."""
    if href and href.startswith(("tel:", "mailto:", "https://", "http://")):
        return f"<a href='{html.escape(href, quote=True)}'>{html.escape(label)}</a>"
    return html.escape(label)


def handout_html(h: Handout, checklist: str = "") -> str:
    """The handout as HTML (one printed page for a typical record); ``checklist``, the
    eligibility checklist's HTML, goes after the questions and before the closing note."""
    esc = html.escape
    t, e = h.trial, h.trial.eligibility
    out = [_STYLE, "<article class='tf-handout'>"]
    out.append("<div class='tf-top'><div>")
    out.append(f"<h2>{esc(t.title_in(language()))}</h2>")
    out.append(
        f"<p>{esc(t.id)} · {esc(plain.status_words(t.overall_status))} · "
        f"{esc(plain.phase_words(t.design.phases))}</p>"
    )
    out.append("<h3>" + esc(_("In plain words")) + "</h3>")
    if h.summary_is_registry:
        note = _("Summary from the registry, in the registry's language.")
        out.append(f"<p class='tf-note'>{esc(note)}</p>")
    out.append("<p>" + esc(h.summary or _("No summary is given.")) + "</p>")
    lang = language()
    for label, name in (
        (_("What is tested"), "active_substance"),
        (_("What could go wrong"), "what_could_go_wrong"),
    ):
        said = t.text_in(name, lang)
        if said:
            out.append(f"<p><strong>{esc(label)}:</strong> {esc(said)}</p>")
    out.append("</div><div class='tf-qr' style='flex: 0 0 160px'>")
    alt = _("QR code that opens this trial's page: {url}").format(url=h.url)
    out.append(f"<img src='{h.qr_png_data_uri()}' alt='{esc(alt, quote=True)}'>")
    out.append("<p>" + esc(_("Scan to open the trial page:")) + f" {esc(h.url)}</p>")
    out.append("</div></div>")

    out.append("<h3>" + esc(_("Who can join")) + "</h3><ul>")
    out.append(
        "<li>"
        + esc(_("Ages"))
        + f": {esc(plain.ages_in_words(e.min_age, e.max_age))}"
        # A record that does not state the sex says nothing here (never "sex not given").
        + (f"; {esc(plain.sex_words(e.sex))}" if e.sex else "")
        + "</li>"
    )
    if t.conditions:
        out.append("<li>" + esc(_("Conditions")) + f": {esc('; '.join(t.conditions))}</li>")
    out.append("</ul>")

    out.append("<h3>" + esc(_("What each group gets")) + "</h3>")
    if t.arms:
        out.append("<ul>")
        for arm in t.arms:
            vi = language() == "vi"
            label = (arm.label_vi if vi else None) or arm.label
            described = (arm.description_vi if vi else None) or arm.description
            what = described or "; ".join(arm.interventions) or plain.not_given()
            out.append(f"<li><strong>{esc(label)}</strong>: {esc(what)}</li>")
        out.append("</ul>")
    else:
        out.append("<p>" + esc(_("The record does not describe the groups.")) + "</p>")

    out.append("<h3>" + esc(_("Who to contact")) + "</h3>")
    out.extend(_contacts_html(h))

    out.append("<h3>" + esc(_("Trust flags")) + "</h3>")
    if h.flags:
        out.append("<ul>")
        for f in h.flags:
            quote = f" “{esc(f.quote)}”" if f.quote else ""
            out.append(
                f"<li><strong>{esc(f.title)}.</strong> {esc(f.reason)} "
                f"<em>{esc(f.fact)}</em>{quote}</li>"
            )
        out.append("</ul>")
    else:
        none = _("The record raises none of the flags we check (it may still be silent on them).")
        out.append(f"<p>{esc(none)}</p>")

    out.append(
        "<h3>" + esc(_("Questions to ask the trial team")) + "</h3><ul class='tf-questions'>"
    )
    out.extend(f"<li>{esc(q)}</li>" for q in h.questions)
    out.append("</ul>")
    out.append(checklist)
    out.append(
        "<p class='tf-note'>"
        + esc(
            _(
                "Made by trialfinder from the trial's record. It is not medical advice: "
                "talk it over with your child's doctor."
            )
        )
        + " "
        + esc(
            _("Record last updated: {date}.").format(
                date=localized.date(t.dates.last_update) or plain.not_given()
            )
        )
        + "</p></article>"
    )
    return "".join(out)
