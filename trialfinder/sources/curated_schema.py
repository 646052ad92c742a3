"""The declared shape of a curated YAML record, as a JSON Schema (draft 2020-12).

This is the one place that says which keys a curated file may use, what each
holds, which are required and which values are allowed; ``curated.py`` checks
files against it with ``jsonschema`` and turns the library's findings into the
project's own words. ``data/trials/README.md`` documents the same keys (a test
keeps the two equal).

The schema describes the file as a person writes it, before conversion: a key
left empty has already been dropped, listed values may be in any letter case
(another spelling of an allowed value is read as that value), and where a list
is expected one value is fine. Each building block has a ``title`` that names
its kind; the reader converts and words its messages by that kind.
"""

from __future__ import annotations

import re
from typing import Any

from trialfinder.model import ENUMERATIONS

#: A date as written: ``2026-06`` or ``2026-06-27`` (a YAML date is fine too).
DATE_FORMAT = "year-month-or-date"
#: An age with its unit, like ``1 Year`` or ``18 Months``.
AGE_FORMAT = "age-with-unit"
#: A web address the reader can open.
URL_PATTERN = re.compile(r"^\s*https?://\S+\s*$").pattern

TEXT: dict[str, Any] = {"title": "text", "type": ["string", "integer"]}
LIST_ITEM: dict[str, Any] = {"title": "list item", "type": ["string", "integer"], "pattern": r"\S"}
TEXT_LIST: dict[str, Any] = {
    "title": "text list",
    "anyOf": [TEXT, {"type": "array", "items": LIST_ITEM}],
}
DATE: dict[str, Any] = {"title": "date", "format": DATE_FORMAT}
AGE: dict[str, Any] = {"title": "age", "type": "string", "format": AGE_FORMAT}
YES_NO: dict[str, Any] = {
    "title": "yes or no",
    "type": ["boolean", "string"],
    "pattern": r"(?i)^\s*(yes|no|true|false|y|n)\s*$",
}
COUNT: dict[str, Any] = {
    "title": "whole number",
    "type": ["integer", "string"],
    "minimum": 0,
    "pattern": r"^\s*\d+\s*$",
}
URL: dict[str, Any] = {"title": "web address", "type": "string", "pattern": URL_PATTERN}


def degrees(limit: int) -> dict[str, Any]:
    """A latitude (90) or longitude (180) in degrees."""
    return {"title": "degrees", "type": "number", "minimum": -limit, "maximum": limit}


def one_of(name: str) -> dict[str, Any]:
    """One of the registry's listed values for ``name`` (see ``model.ENUMERATIONS``)."""
    return {"title": "listed value", "enum": list(ENUMERATIONS[name])}


def some_of(name: str) -> dict[str, Any]:
    """One listed value, or a list of them."""
    return {
        "title": "listed values",
        "anyOf": [one_of(name), {"type": "array", "items": one_of(name)}],
    }


def items(noun: str, properties: dict[str, dict[str, Any]], **more: Any) -> dict[str, Any]:
    """A list of mappings (arms, sites ...); a lone mapping is read as a list of one."""
    return {
        "title": "list of mappings",
        "type": "array",
        "items": {
            "title": noun,
            "type": "object",
            "properties": properties,
            "additionalProperties": False,
            **more,
        },
    }


def _key(block: dict[str, Any], description: str) -> dict[str, Any]:
    return {**block, "description": description}


OUTCOMES = items(
    "outcome",
    {
        "measure": _key(TEXT, "What is measured."),
        "time_frame": _key(TEXT, "When it is measured."),
        "description": _key(TEXT, "How it is measured."),
    },
    required=["measure"],
)
CONTACTS = items(
    "contact",
    {
        "name": _key(TEXT, "The person's name."),
        "role": _key(TEXT, "Their role, in words."),
        "phone": _key(TEXT, "A phone number, written as text."),
        "phone_ext": _key(TEXT, "An extension to dial after the number."),
        "email": _key(TEXT, "An e-mail address."),
    },
)
SITES = items(
    "site",
    {
        "facility": _key(TEXT, "The hospital or clinic."),
        "city": _key(TEXT, "The city."),
        "state": _key(TEXT, "The state or province."),
        "zip": _key(TEXT, "The postal code, written as text."),
        "country": _key(TEXT, "The country."),
        "status": _key(one_of("site_status"), "The site's own recruitment status."),
        "lat": _key(degrees(90), "Latitude in degrees; with lon, or neither."),
        "lon": _key(degrees(180), "Longitude in degrees; with lat, or neither."),
        "note": _key(TEXT, "Free text about the place."),
        "note_vi": _key(TEXT, "The note in Vietnamese, written by hand."),
        "contacts": _key(CONTACTS, "Who to contact at this site."),
    },
    dependentRequired={"lat": ["lon"], "lon": ["lat"]},
)
INTERVENTIONS = items(
    "intervention",
    {
        "name": _key(TEXT, "The treatment's name."),
        "type": _key(one_of("intervention_type"), "DRUG, BEHAVIORAL, DEVICE ..."),
        "description": _key(TEXT, "What it is."),
        "other_names": _key(TEXT_LIST, "Other names it goes by (a list)."),
    },
    required=["name"],
)
ARMS = items(
    "arm",
    {
        "label": _key(TEXT, "The group's name."),
        "type": _key(one_of("arm_type"), "EXPERIMENTAL, PLACEBO_COMPARATOR ..."),
        "description": _key(TEXT, "What the group gets."),
        "interventions": _key(TEXT_LIST, 'Its treatments, like "Drug: Piracetam" (a list).'),
        "label_vi": _key(TEXT, "The group's name in Vietnamese, written by hand."),
        "description_vi": _key(TEXT, "What the group gets, in Vietnamese."),
    },
    required=["label"],
)

#: Every key a curated file may use, with what it holds and means.
PROPERTIES: dict[str, dict[str, Any]] = {
    "id": _key(TEXT, "The trial's id, the same as the file name (NCT07527104)."),
    "registry_ids": _key(TEXT_LIST, "Other ids the trial is known by."),
    "title": _key(TEXT, "The registry's short title."),
    "official_title": _key(TEXT, "The full official title."),
    "acronym": _key(TEXT, "The study's acronym, if it has one."),
    "plain_title": _key(TEXT, "A plain-language title for families."),
    "summary": _key(TEXT, "The registry's brief summary, as written."),
    "description": _key(TEXT, "The registry's detailed description."),
    "plain_summary": _key(TEXT, "A plain-language summary for families."),
    "plain_summary_vi": _key(TEXT, "The plain-language summary in Vietnamese, written by hand."),
    "status": _key(one_of("overall_status"), "Recruitment status (RECRUITING ...)."),
    "last_known_status": _key(one_of("last_known_status"), "Last status known when it is UNKNOWN."),
    "why_stopped": _key(TEXT, "Why the trial stopped early."),
    "conditions": _key(TEXT_LIST, "Conditions studied (a list)."),
    "keywords": _key(TEXT_LIST, "Keywords (a list)."),
    "mesh_terms": _key(TEXT_LIST, "MeSH terms for the conditions (a list)."),
    "interventions": _key(
        INTERVENTIONS, "Treatments: list of name, type, description, other_names."
    ),
    "arms": _key(ARMS, "Groups: list of label, type, description, interventions."),
    "study_type": _key(one_of("study_type"), "INTERVENTIONAL, OBSERVATIONAL or EXPANDED_ACCESS."),
    "phases": _key(some_of("phases"), "Phase(s): PHASE1, PHASE2 ... or NA."),
    "allocation": _key(one_of("allocation"), "RANDOMIZED, NON_RANDOMIZED or NA."),
    "intervention_model": _key(one_of("intervention_model"), "PARALLEL, CROSSOVER ..."),
    "masking": _key(one_of("masking"), "Blinding: NONE, SINGLE, DOUBLE ..."),
    "who_masked": _key(some_of("who_masked"), "Who is blinded (PARTICIPANT ...)."),
    "primary_purpose": _key(one_of("primary_purpose"), "TREATMENT, PREVENTION ..."),
    "enrollment": _key(COUNT, "Number of participants."),
    "enrollment_type": _key(one_of("enrollment_type"), "ESTIMATED (planned) or ACTUAL."),
    "min_age": _key(AGE, 'Youngest age admitted, like "1 Year".'),
    "max_age": _key(AGE, 'Oldest age admitted, like "6 Years".'),
    "sex": _key(one_of("sex"), "ALL, FEMALE or MALE."),
    "healthy_volunteers": _key(YES_NO, "Whether healthy volunteers join (yes/no)."),
    "criteria": _key(TEXT, "Who can and cannot join, as text."),
    "primary_outcomes": _key(OUTCOMES, "Main measures: list of measure, time_frame, description."),
    "secondary_outcomes": _key(
        OUTCOMES, "Other measures: list of measure, time_frame, description."
    ),
    "sponsor": _key(TEXT, "The lead sponsor."),
    "collaborators": _key(TEXT_LIST, "Other organisations (a list)."),
    "start_date": _key(DATE, "Start date, YYYY-MM or YYYY-MM-DD."),
    "primary_completion_date": _key(DATE, "When the main measure's data is complete."),
    "completion_date": _key(DATE, "When the whole study ends."),
    "first_posted": _key(DATE, "When the trial was first posted."),
    "last_update": _key(DATE, "When the record was last updated."),
    "status_verified": _key(DATE, "When the status was last confirmed (YYYY-MM)."),
    "sites": _key(
        SITES,
        "Places: list of facility, city, state, zip, country, status, lat, lon, note, contacts.",
    ),
    "contacts": _key(
        CONTACTS,
        "Who to contact about the whole trial: list of name, role, phone, phone_ext, email.",
    ),
    "has_results": _key(YES_NO, "Whether results are posted (yes/no)."),
    "active_substance": _key(TEXT, "What is being tested, in plain words."),
    "what_could_lead_to": _key(TEXT, "What it could lead to if it works."),
    "what_could_go_wrong": _key(TEXT, "Risks and limits, in plain words."),
    "control_group": _key(
        TEXT, "What the comparison group gets: nothing, usual care, placebo, sham, a delayed start."
    ),
    "plain_title_vi": _key(TEXT, "The plain title in Vietnamese, written by hand."),
    "active_substance_vi": _key(TEXT, "What is being tested, in Vietnamese."),
    "what_could_lead_to_vi": _key(TEXT, "What it could lead to, in Vietnamese."),
    "what_could_go_wrong_vi": _key(TEXT, "Risks and limits, in Vietnamese."),
    "control_group_vi": _key(TEXT, "What the comparison group gets, in Vietnamese."),
    "criteria_vi": _key(TEXT, "Who can and cannot join, in Vietnamese, written by hand."),
    "notes": _key(
        TEXT, "Staff notes: where facts came from, what is missing (shown on the data page)."
    ),
    "source_url": _key(URL, "Where the facts come from (https://...)."),
}

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "record",
    "description": "One curated trial record, data/trials/<id>.yaml.",
    "type": "object",
    "properties": PROPERTIES,
    "required": ["id"],
    "additionalProperties": False,
}
