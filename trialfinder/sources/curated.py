"""Curated trial records: YAML files a staff member writes by hand.

One trial per file, ``data/trials/<id>.yaml``, with flat keys (``title``,
``status``, ``min_age``, ``sites`` ...; see :data:`YAML_KEYS`). A record is either
a whole trial that no registry feed brings, or an overlay on the registry trial
with the same id, whose fields it replaces.

Reading is strict: a misspelt key or an unknown status is an error naming the
file, the record and the field, because a silently ignored line in a health
record is worse than a refused one. A key left empty counts as not written.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from trialfinder.ages import max_age_days_exclusive, min_age_days, parse_age_limit
from trialfinder.errors import DataError, DataProblem
from trialfinder.model import (
    ENUMERATIONS,
    Arm,
    Contact,
    Dates,
    Design,
    Eligibility,
    Intervention,
    Outcome,
    Site,
    Trial,
)
from trialfinder.sources.clean import visible

SOURCE = "curated"
OVERLAY_SOURCE = "ctgov+curated"
#: Trial fields that are nested dataclasses: an overlay merges them key by key.
GROUPS: dict[str, type] = {"design": Design, "eligibility": Eligibility, "dates": Dates}


@dataclass(frozen=True)
class CuratedRecord:
    """What one curated file says, converted to model types.

    ``fields`` maps Trial field names to values and holds only what the file
    sets; for ``design``, ``eligibility`` and ``dates`` the value is a dict of
    only the sub-fields the file sets, so an overlay can merge them.
    """

    path: str
    id: str
    fields: dict[str, Any]


class _Invalid(Exception):
    """One bad value: the field path (``sites[0].lat``) and what is wrong."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


# --- YAML loading ---------------------------------------------------------------


class _DuplicateKey(yaml.MarkedYAMLError):
    def __init__(self, key: str, first_line: int, mark: yaml.Mark) -> None:
        super().__init__(
            problem=f"key {key!r} appears twice (first at line {first_line})",
            problem_mark=mark,
        )
        self.key = key


class _Loader(yaml.SafeLoader):
    """SafeLoader that refuses repeated keys and keeps digit strings intact.

    Plain YAML would keep only the last of two ``status:`` lines, read a phone
    number ``0243...`` as an octal number and fail on a date like 2026-02-30
    without saying where; here those reach validation as text.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict:
        self.flatten_mapping(node)
        first_line: dict[Any, int] = {}
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            try:
                if key in first_line:
                    raise _DuplicateKey(str(key), first_line[key], key_node.start_mark)
                first_line[key] = key_node.start_mark.line + 1
            except TypeError:
                pass  # unhashable key: the base class reports it
        return super().construct_mapping(node, deep=deep)


def _construct_int(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> int | str:
    text = str(node.value)
    digits = text.lstrip("+-").replace("_", "")
    if ":" in text or (len(digits) > 1 and digits.startswith("0") and digits.isdigit()):
        return text
    return yaml.SafeLoader.construct_yaml_int(loader, node)


def _construct_timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
    except ValueError:
        return str(node.value)


_Loader.add_constructor("tag:yaml.org,2002:int", _construct_int)
_Loader.add_constructor("tag:yaml.org,2002:timestamp", _construct_timestamp)


# --- value converters -----------------------------------------------------------

Converter = Callable[[Any, str], Any]


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the yes/no value {str(value).lower()}"
    if isinstance(value, dict):
        return "a mapping (key: value lines)"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, (dt.date, dt.datetime)):
        return f"the date {value.isoformat()}"
    return repr(value)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _text(value: Any, field: str) -> str:
    if isinstance(value, str):
        return visible(value).strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise _Invalid(
        field,
        f"expected text, got {_describe(value)}; put the value in quotes if it is meant as text",
    )


def _text_list(value: Any, field: str) -> tuple[str, ...]:
    items = value if isinstance(value, list) else [value]
    result = []
    for index, item in enumerate(items):
        where = f"{field}[{index}]" if isinstance(value, list) else field
        if _is_empty(item):
            raise _Invalid(where, "empty list item; remove the line or write the value")
        result.append(_text(item, where))
    return tuple(result)


def _squash(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


def _enum(name: str) -> Converter:
    allowed = ENUMERATIONS[name]
    lookup = {_squash(v): v for v in allowed}

    def convert(value: Any, field: str) -> str:
        if isinstance(value, str) and _squash(value) in lookup:
            return lookup[_squash(value)]
        close = difflib.get_close_matches(_squash(str(value)), lookup, n=1, cutoff=0.75)
        hint = f" (did you mean {lookup[close[0]]}?)" if close else ""
        raise _Invalid(
            field,
            f"{_describe(value)} is not an allowed value{hint}; expected one of "
            f"{', '.join(allowed)} (any letter case)",
        )

    return convert


def _enum_list(name: str) -> Converter:
    one = _enum(name)

    def convert(value: Any, field: str) -> tuple[str, ...]:
        if not isinstance(value, list):
            return (one(value, field),)
        return tuple(one(item, f"{field}[{i}]") for i, item in enumerate(value))

    return convert


def _whole_number(value: Any, field: str) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return value
    raise _Invalid(field, f"expected a whole number of people, like 60; got {_describe(value)}")


_YES = {"yes", "true", "y"}
_NO = {"no", "false", "n"}


def _yes_no(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in _YES | _NO:
        return value.strip().lower() in _YES
    raise _Invalid(field, f"expected yes or no; got {_describe(value)}")


def _age(value: Any, field: str) -> str:
    if not isinstance(value, str):
        raise _Invalid(
            field,
            f'expected an age with its unit, like "1 Year" or "18 Months"; got {_describe(value)}',
        )
    text = value.strip()
    try:
        parse_age_limit(text)
    except ValueError as error:
        raise _Invalid(
            field, f'{error}; write it like "1 Year", "6 Years" or "18 Months"'
        ) from None
    return text


_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")


def _date(value: Any, field: str) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    expected = "expected a date written YYYY-MM or YYYY-MM-DD, like 2026-06 or 2026-06-27"
    match = _DATE_RE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise _Invalid(field, f"{_describe(value)} is not a date; {expected}")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        dt.date(year, month, 1 if day is None else day)
    except ValueError:
        raise _Invalid(field, f"{value.strip()!r} is not a real date; {expected}") from None
    return f"{year:04d}-{month:02d}" + ("" if day is None else f"-{day:02d}")


def _url(value: Any, field: str) -> str:
    text = _text(value, field)
    if not re.match(r"^https?://\S+$", text):
        raise _Invalid(field, f"{text!r} is not a web address; expected one starting with https://")
    return text


def _coordinate(limit: float) -> Converter:
    def convert(value: Any, field: str) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _Invalid(
                field, f"expected a number in degrees, like 21.02; got {_describe(value)}"
            )
        if not -limit <= value <= limit:
            raise _Invalid(
                field, f"{value} is out of range; expected -{limit:g} to {limit:g} degrees"
            )
        return float(value)

    return convert


def _suggest(key: str, known: Iterable[str], hints: dict[str, str] | None = None) -> str:
    known = list(known)
    if hints and key in hints:
        return f"; did you mean {hints[key]!r}?"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; known keys are: {', '.join(known)}"


@dataclass(frozen=True)
class _Part:
    """One key inside a list item (an arm, a site ...)."""

    attr: str
    convert: Converter
    required: bool = False


def _items(
    cls: type, noun: str, parts: dict[str, _Part], check: Callable | None = None
) -> Converter:
    """A list of mappings, each built into ``cls``; a lone mapping is a list of one."""

    def convert(value: Any, field: str) -> tuple[Any, ...]:
        items = value if isinstance(value, list) else [value]
        built = []
        for index, item in enumerate(items):
            where = f"{field}[{index}]"
            if not isinstance(item, dict):
                raise _Invalid(
                    where,
                    f"each {noun} must be a mapping of keys ({', '.join(parts)}); "
                    f"item {index + 1} is {_describe(item)}",
                )
            kwargs: dict[str, Any] = {}
            for key, raw in item.items():
                part = parts.get(str(key))
                if part is None:
                    raise _Invalid(
                        f"{where}.{key}",
                        f"unknown key {str(key)!r} in a {noun}{_suggest(str(key), parts)}",
                    )
                if not _is_empty(raw):
                    kwargs[part.attr] = part.convert(raw, f"{where}.{key}")
            for key, part in parts.items():
                if part.required and part.attr not in kwargs:
                    raise _Invalid(
                        f"{where}.{key}", f"{noun} {index + 1} has no {key}; every {noun} needs one"
                    )
            if check is not None:
                check(kwargs, where)
            built.append(cls(**kwargs))
        return tuple(built)

    return convert


def _check_site(kwargs: dict[str, Any], where: str) -> None:
    if ("lat" in kwargs) != ("lon" in kwargs):
        missing = "lon" if "lat" in kwargs else "lat"
        raise _Invalid(
            f"{where}.{missing}", f"a site needs both lat and lon, or neither; {missing} is missing"
        )


_OUTCOME = _items(
    Outcome,
    "outcome",
    {
        "measure": _Part("measure", _text, required=True),
        "time_frame": _Part("time_frame", _text),
        "description": _Part("description", _text),
    },
)
_CONTACTS = _items(
    Contact,
    "contact",
    {
        "name": _Part("name", _text),
        "role": _Part("role", _text),
        "phone": _Part("phone", _text),
        "phone_ext": _Part("phone_ext", _text),
        "email": _Part("email", _text),
    },
)
_SITES = _items(
    Site,
    "site",
    {
        "facility": _Part("facility", _text),
        "city": _Part("city", _text),
        "state": _Part("state", _text),
        "zip": _Part("zip", _text),
        "country": _Part("country", _text),
        "status": _Part("status", _enum("site_status")),
        "lat": _Part("lat", _coordinate(90)),
        "lon": _Part("lon", _coordinate(180)),
        "note": _Part("note", _text),
        "contacts": _Part("contacts", _CONTACTS),
    },
    check=_check_site,
)
_INTERVENTIONS = _items(
    Intervention,
    "intervention",
    {
        "name": _Part("name", _text, required=True),
        "type": _Part("type", _enum("intervention_type")),
        "description": _Part("description", _text),
        "other_names": _Part("other_names", _text_list),
    },
)
_ARMS = _items(
    Arm,
    "arm",
    {
        "label": _Part("label", _text, required=True),
        "type": _Part("type", _enum("arm_type")),
        "description": _Part("description", _text),
        "interventions": _Part("interventions", _text_list),
        "label_vi": _Part("label_vi", _text),
        "description_vi": _Part("description_vi", _text),
    },
)


# --- the flat keys ---------------------------------------------------------------


@dataclass(frozen=True)
class _Key:
    target: tuple[str, ...]  # ("brief_title",) or ("design", "phases")
    convert: Converter
    description: str


_KEYS: dict[str, _Key] = {
    "id": _Key(("id",), _text, "The trial's id, the same as the file name (NCT07527104)."),
    "registry_ids": _Key(("registry_ids",), _text_list, "Other ids the trial is known by."),
    "title": _Key(("brief_title",), _text, "The registry's short title."),
    "official_title": _Key(("official_title",), _text, "The full official title."),
    "acronym": _Key(("acronym",), _text, "The study's acronym, if it has one."),
    "plain_title": _Key(("plain_title",), _text, "A plain-language title for families."),
    "summary": _Key(("brief_summary",), _text, "The registry's brief summary, as written."),
    "description": _Key(("detailed_description",), _text, "The registry's detailed description."),
    "plain_summary": _Key(("plain_summary",), _text, "A plain-language summary for families."),
    "plain_summary_vi": _Key(
        ("plain_summary_vi",), _text, "The plain-language summary in Vietnamese, written by hand."
    ),
    "status": _Key(
        ("overall_status",), _enum("overall_status"), "Recruitment status (RECRUITING ...)."
    ),
    "last_known_status": _Key(
        ("last_known_status",), _enum("last_known_status"), "Last status known when it is UNKNOWN."
    ),
    "why_stopped": _Key(("why_stopped",), _text, "Why the trial stopped early."),
    "conditions": _Key(("conditions",), _text_list, "Conditions studied (a list)."),
    "keywords": _Key(("keywords",), _text_list, "Keywords (a list)."),
    "mesh_terms": _Key(("mesh_terms",), _text_list, "MeSH terms for the conditions (a list)."),
    "interventions": _Key(
        ("interventions",),
        _INTERVENTIONS,
        "Treatments: list of name, type, description, other_names.",
    ),
    "arms": _Key(("arms",), _ARMS, "Groups: list of label, type, description, interventions."),
    "study_type": _Key(
        ("design", "study_type"),
        _enum("study_type"),
        "INTERVENTIONAL, OBSERVATIONAL or EXPANDED_ACCESS.",
    ),
    "phases": _Key(
        ("design", "phases"), _enum_list("phases"), "Phase(s): PHASE1, PHASE2 ... or NA."
    ),
    "allocation": _Key(
        ("design", "allocation"), _enum("allocation"), "RANDOMIZED, NON_RANDOMIZED or NA."
    ),
    "intervention_model": _Key(
        ("design", "intervention_model"), _enum("intervention_model"), "PARALLEL, CROSSOVER ..."
    ),
    "masking": _Key(("design", "masking"), _enum("masking"), "Blinding: NONE, SINGLE, DOUBLE ..."),
    "who_masked": _Key(
        ("design", "who_masked"), _enum_list("who_masked"), "Who is blinded (PARTICIPANT ...)."
    ),
    "primary_purpose": _Key(
        ("design", "primary_purpose"), _enum("primary_purpose"), "TREATMENT, PREVENTION ..."
    ),
    "enrollment": _Key(("design", "enrollment"), _whole_number, "Number of participants."),
    "enrollment_type": _Key(
        ("design", "enrollment_type"), _enum("enrollment_type"), "ESTIMATED (planned) or ACTUAL."
    ),
    "min_age": _Key(("eligibility", "min_age"), _age, 'Youngest age admitted, like "1 Year".'),
    "max_age": _Key(("eligibility", "max_age"), _age, 'Oldest age admitted, like "6 Years".'),
    "sex": _Key(("eligibility", "sex"), _enum("sex"), "ALL, FEMALE or MALE."),
    "healthy_volunteers": _Key(
        ("eligibility", "healthy_volunteers"), _yes_no, "Whether healthy volunteers join (yes/no)."
    ),
    "criteria": _Key(("eligibility", "criteria"), _text, "Who can and cannot join, as text."),
    "primary_outcomes": _Key(
        ("primary_outcomes",), _OUTCOME, "Main measures: list of measure, time_frame, description."
    ),
    "secondary_outcomes": _Key(
        ("secondary_outcomes",),
        _OUTCOME,
        "Other measures: list of measure, time_frame, description.",
    ),
    "sponsor": _Key(("sponsor",), _text, "The lead sponsor."),
    "collaborators": _Key(("collaborators",), _text_list, "Other organisations (a list)."),
    "start_date": _Key(("dates", "start"), _date, "Start date, YYYY-MM or YYYY-MM-DD."),
    "primary_completion_date": _Key(
        ("dates", "primary_completion"), _date, "When the main measure's data is complete."
    ),
    "completion_date": _Key(("dates", "completion"), _date, "When the whole study ends."),
    "first_posted": _Key(("dates", "first_posted"), _date, "When the trial was first posted."),
    "last_update": _Key(("dates", "last_update"), _date, "When the record was last updated."),
    "status_verified": _Key(
        ("dates", "status_verified"), _date, "When the status was last confirmed (YYYY-MM)."
    ),
    "sites": _Key(
        ("sites",),
        _SITES,
        "Places: list of facility, city, state, zip, country, status, lat, lon, note, contacts.",
    ),
    "contacts": _Key(
        ("contacts",),
        _CONTACTS,
        "Who to contact about the whole trial: list of name, role, phone, phone_ext, email.",
    ),
    "has_results": _Key(("has_results",), _yes_no, "Whether results are posted (yes/no)."),
    "active_substance": _Key(("active_substance",), _text, "What is being tested, in plain words."),
    "what_could_lead_to": _Key(
        ("what_could_lead_to",), _text, "What it could lead to if it works."
    ),
    "what_could_go_wrong": _Key(
        ("what_could_go_wrong",), _text, "Risks and limits, in plain words."
    ),
    "control_group": _Key(
        ("control_group",),
        _text,
        "What the comparison group gets: nothing, usual care, placebo, sham, a delayed start.",
    ),
    "plain_title_vi": _Key(("plain_title_vi",), _text, "The plain title in Vietnamese, by hand."),
    "active_substance_vi": _Key(
        ("active_substance_vi",), _text, "What is being tested, in Vietnamese."
    ),
    "what_could_lead_to_vi": _Key(
        ("what_could_lead_to_vi",), _text, "What it could lead to, in Vietnamese."
    ),
    "what_could_go_wrong_vi": _Key(
        ("what_could_go_wrong_vi",), _text, "Risks and limits, in Vietnamese."
    ),
    "control_group_vi": _Key(
        ("control_group_vi",), _text, "What the comparison group gets, in Vietnamese."
    ),
    "notes": _Key(
        ("notes",), _text, "Staff notes: where facts came from, what is missing (data page)."
    ),
    "source_url": _Key(("source_url",), _url, "Where the facts come from (https://...)."),
}

#: Every key a curated file may use -> a one-line description.
YAML_KEYS: dict[str, str] = {key: spec.description for key, spec in _KEYS.items()}

#: Model names a staff member may write by habit -> the curated key.
_HINTS: dict[str, str] = {
    spec.target[-1]: key for key, spec in _KEYS.items() if spec.target[-1] != key
}
_HINTS.update({"nct_id": "id", "nctid": "id", "phase": "phases", "condition": "conditions"})


# --- reading ---------------------------------------------------------------------


@dataclass
class _Result:
    id: str | None = None
    record: CuratedRecord | None = None
    problems: list[DataProblem] = dataclasses.field(default_factory=list)


def _load_yaml(path: Path, result: _Result) -> Any:
    where = str(path)
    try:
        raw = path.read_bytes()
    except OSError as error:
        result.problems.append(DataProblem(file=where, message=f"cannot read the file: {error}"))
        return None
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw[: error.start].count(b"\n") + 1
        result.problems.append(
            DataProblem(
                file=where,
                message=f"not UTF-8 text (bad byte at line {line}); save the file as UTF-8",
            )
        )
        return None
    try:
        data = yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        field = error.key if isinstance(error, _DuplicateKey) else None
        result.problems.append(
            DataProblem(file=where, field=field, message=f"not valid YAML{at}: {problem}")
        )
        return None
    if data is None:
        result.problems.append(
            DataProblem(file=where, message="the file is empty; expected keys like id: and title:")
        )
        return None
    if not isinstance(data, dict):
        result.problems.append(
            DataProblem(
                file=where,
                message=f"expected a mapping of keys (id: ..., title: ...) at the top, "
                f"got {_describe(data)}",
            )
        )
        return None
    return data


def _read(path: Path) -> _Result:
    result = _Result()
    data = _load_yaml(path, result)
    if data is None:
        return result
    where = str(path)

    def problem(field: str | None, message: str) -> None:
        result.problems.append(
            DataProblem(file=where, record=result.id, field=field, message=message)
        )

    raw_id = data.get("id")
    if _is_empty(raw_id):
        problem("id", f"missing id: every file needs one, the same as its name (id: {path.stem})")
        return result
    try:
        result.id = _text(raw_id, "id")
    except _Invalid as error:
        problem("id", error.message)
        return result
    if result.id != path.stem:
        problem(
            "id",
            f"id {result.id!r} does not match the file name {path.name!r}; "
            f"name the file {result.id}.yaml or correct the id",
        )
        return result

    fields: dict[str, Any] = {}
    for key, value in data.items():
        spec = _KEYS.get(str(key))
        if spec is None:
            problem(str(key), f"unknown key {str(key)!r}{_suggest(str(key), _KEYS, _HINTS)}")
            continue
        if _is_empty(value):
            continue
        try:
            converted = spec.convert(value, str(key))
        except _Invalid as error:
            problem(error.field, error.message)
            continue
        if len(spec.target) == 1:
            fields[spec.target[0]] = converted
        else:
            fields.setdefault(spec.target[0], {})[spec.target[1]] = converted

    ages = fields.get("eligibility", {})
    if (
        "min_age" in ages
        and "max_age" in ages
        and min_age_days(ages["min_age"]) >= max_age_days_exclusive(ages["max_age"])
    ):
        problem(
            "max_age",
            f"max_age {ages['max_age']!r} is below min_age {ages['min_age']!r}; "
            "no child could join",
        )
    if not result.problems:
        result.record = CuratedRecord(path=where, id=result.id, fields=fields)
    return result


def read_curated(path: Path) -> CuratedRecord:
    """Read one curated file; raise :class:`DataError` on the first problem."""
    result = _read(Path(path))
    if result.problems:
        raise DataError(result.problems[0])
    assert result.record is not None
    return result.record


def validate_curated_dir(directory: Path) -> list[DataProblem]:
    """Every problem in a folder of curated files, duplicate ids included."""
    directory = Path(directory)
    if not directory.is_dir():
        return [DataProblem(file=str(directory), message="no such folder")]
    problems: list[DataProblem] = []
    owners: dict[str, list[tuple[str, Path]]] = {}
    for path in sorted(directory.glob("*.yml")):
        problems.append(
            DataProblem(
                file=str(path),
                message="not read: curated files must end in .yaml; rename it",
            )
        )
    for path in sorted(directory.glob("*.yaml")):
        result = _read(path)
        problems.extend(result.problems)
        if result.id is not None:
            owners.setdefault(result.id.casefold(), []).append((result.id, path))
    for claims in owners.values():
        if len(claims) < 2:
            continue
        for trial_id, path in claims:
            others = ", ".join(other.name for _, other in claims if other != path)
            problems.append(
                DataProblem(
                    file=str(path),
                    record=trial_id,
                    field="id",
                    message=f"duplicate id: {others} claims the same trial; "
                    "keep one file per trial",
                )
            )
    return problems


# --- building trials ---------------------------------------------------------------


def _names_match(entry: str, name: str) -> bool:
    """An arm lists "Drug: Piracetam" or "Piracetam" for the intervention Piracetam."""
    wanted = name.casefold()
    _, _, bare = entry.partition(":")
    return entry.strip().casefold() == wanted or bare.strip().casefold() == wanted


def _link_arms(interventions: tuple[Intervention, ...], arms: tuple[Arm, ...]) -> tuple:
    return tuple(
        dataclasses.replace(
            item,
            arm_labels=tuple(
                arm.label
                for arm in arms
                if any(_names_match(entry, item.name) for entry in arm.interventions)
            ),
        )
        for item in interventions
    )


def to_trial(record: CuratedRecord) -> Trial:
    """A whole trial from a curated record alone."""
    kwargs = {
        name: GROUPS[name](**value) if name in GROUPS else value
        for name, value in record.fields.items()
    }
    kwargs["id"] = record.id
    trial = Trial(**kwargs, source=SOURCE)
    if "interventions" in record.fields:
        trial = dataclasses.replace(
            trial, interventions=_link_arms(trial.interventions, trial.arms)
        )
    return trial


def overlay(base: Trial, record: CuratedRecord) -> Trial:
    """The registry trial with the record's fields winning.

    Lists replace the registry's wholesale; design, eligibility and dates merge
    key by key, so a curated ``masking:`` replaces only the masking.
    """
    if base.id != record.id:
        raise ValueError(f"cannot overlay curated {record.id} on registry trial {base.id}")
    changes = {
        name: dataclasses.replace(getattr(base, name), **value) if name in GROUPS else value
        for name, value in record.fields.items()
    }
    trial = dataclasses.replace(base, **changes, source=OVERLAY_SOURCE)
    if "interventions" in record.fields or "arms" in record.fields:
        trial = dataclasses.replace(
            trial, interventions=_link_arms(trial.interventions, trial.arms)
        )
    return trial
