"""Who a family can call or write to about a trial, and how to reach them.

Study-wide contacts (the registry's central contacts) come first: they answer
for the whole trial. Then the contacts of the site nearest the family (or the
first site, when no place is known). Phones become ``tel:`` links and e-mail
addresses ``mailto:`` links only when they look like a number or an address;
anything else a record says stays text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

import numpy as np

from trialfinder import geo
from trialfinder.family.placenames import site_place
from trialfinder.i18n import N_, _
from trialfinder.model import Contact, Site, Trial

#: Roles as the registry spells them -> words.
_ROLES = {
    "CONTACT": N_("contact person"),
    "PRINCIPAL_INVESTIGATOR": N_("lead doctor (principal investigator)"),
    "SUB_INVESTIGATOR": N_("study doctor (sub-investigator)"),
    "STUDY_CHAIR": N_("study chair"),
    "STUDY_DIRECTOR": N_("study director"),
}
_EMAIL = re.compile(r"^[^@\s<>()\[\]\\,;:\"]+@[^@\s<>()\[\]\\,;:\"]+\.[A-Za-z]{2,}$")
#: What a phone number may hold besides digits: spaces, dots, dashes, brackets, a leading +.
_PHONE = re.compile(r"^\+?[\d\s().\-/]{3,}$")


@dataclass(frozen=True)
class Reach:
    """One contact as a family reads it."""

    name: str | None
    role: str | None
    phone: str | None
    tel: str | None
    email: str | None
    mailto: str | None
    #: "" for the whole trial, else the site's name and city.
    where: str


def role_words(role: str | None) -> str | None:
    """A registry role in words; a curator's own words as written."""
    if not role:
        return None
    known = _ROLES.get(role.upper())
    return _(known) if known else role


def tel_link(phone: str | None, extension: str | None = None) -> str | None:
    """``tel:`` + the digits to dial (an extension after a pause), or None for text
    that is not a phone number."""
    if not phone or not _PHONE.match(phone):
        return None
    digits = re.sub(r"\D", "", phone)
    if len(digits) < 3:
        return None
    number = ("+" if phone.lstrip().startswith("+") else "") + digits
    ext = re.sub(r"\D", "", extension or "")
    return f"tel:{number}" + (f",{ext}" if ext else "")


def mailto_link(email: str | None, subject: str | None = None) -> str | None:
    """``mailto:`` the address (with a subject line), or None for what is not an address."""
    if not email or not _EMAIL.match(email):
        return None
    link = "mailto:" + quote(email, safe="@.+-_")
    if subject:
        link += "?" + urlencode({"subject": subject}, quote_via=quote)
    return link


def _reach(contact: Contact, where: str, subject: str | None) -> Reach:
    phone = contact.phone
    if phone and contact.phone_ext:
        phone = _("{phone}, extension {ext}").format(phone=phone, ext=contact.phone_ext)
    return Reach(
        name=contact.name,
        role=role_words(contact.role),
        phone=phone,
        tel=tel_link(contact.phone, contact.phone_ext),
        email=contact.email,
        mailto=mailto_link(contact.email, subject),
        where=where,
    )


def nearest_site(trial: Trial, lat: float | None = None, lon: float | None = None) -> Site | None:
    """The site nearest a place (sites without coordinates last), else the first site."""
    if not trial.sites:
        return None
    if lat is None or lon is None:
        return trial.sites[0]
    lats = np.array([np.nan if s.lat is None else s.lat for s in trial.sites], dtype=float)
    lons = np.array([np.nan if s.lon is None else s.lon for s in trial.sites], dtype=float)
    if np.isnan(lats).all():
        return trial.sites[0]
    distances = np.where(np.isnan(lats), np.inf, geo.distance_km(lat, lon, lats, lons))
    return trial.sites[int(np.argmin(distances))]


def site_name(site: Site) -> str:
    return site_place(site.facility, site.city, None, site.country)


def contacts_for(
    trial: Trial, lat: float | None = None, lon: float | None = None, limit: int | None = None
) -> list[Reach]:
    """Study-wide contacts first, then the nearest site's; at most ``limit``."""
    subject = _("About the trial {id}").format(id=trial.id)
    found = [_reach(c, "", subject) for c in trial.contacts]
    site = nearest_site(trial, lat, lon)
    if site is not None:
        found += [_reach(c, site_name(site), subject) for c in site.contacts]
    return found if limit is None else found[:limit]
