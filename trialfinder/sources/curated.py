"""Curated trial records: YAML files a staff member writes by hand.

One trial per file, ``data/trials/<id>.yaml``, with flat keys (``title``,
``status``, ``min_age``, ``sites`` ...), declared with their kinds and allowed values
in :mod:`trialfinder.sources.curated_schema` and checked with jsonschema. A record is either
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
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, FormatChecker, ValidationError, validators

from trialfinder.ages import max_age_days_exclusive, min_age_days, parse_age_limit
from trialfinder.errors import DataError, DataProblem
from trialfinder.model import (
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
from trialfinder.sources.curated_schema import AGE_FORMAT, DATE_FORMAT, PROPERTIES, SCHEMA
from trialfinder.sources.files import InputRefused, read_limited
from trialfinder.sources.text import TooDeep, clean_value

SOURCE = "curated"
#: A curated file is a few kilobytes written by hand; past this it is refused unread.
MAX_CURATED_BYTES = 1_000_000
#: An NCT number in any script's digits (fullwidth, Arabic-Indic ...): refused as an id.
_UNICODE_NCT = re.compile(r"NCT\d{8}")
OVERLAY_SOURCE = "ctgov+curated"
#: The sources of records a curator wrote, whole or in part.
CURATED_SOURCES = (SOURCE, OVERLAY_SOURCE)
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


class _AliasUsed(yaml.MarkedYAMLError):
    def __init__(self, anchor: str, mark: yaml.Mark) -> None:
        super().__init__(
            problem=f"*{anchor} repeats another value (a YAML alias); curated files do not "
            "use aliases: write the value out where it is needed",
            problem_mark=mark,
        )


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

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        """Refuse ``*alias``: one short line can repeat a long value a thousand times
        (a "billion laughs"), and a hand-written record has no need of one."""
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise _AliasUsed(event.anchor, event.start_mark)
        return super().compose_node(parent, index)


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


def _stored(value: str | int) -> str:
    """Text as stored: trimmed, invisible characters (a word joiner, a zero-width space)
    taken out; a number YAML read (``zip: 11111``) as its digits."""
    return visible(value).strip() if isinstance(value, str) else str(value)


def _text(value: Any, field: str) -> str:
    """The id's text: read before the schema check, as every later message names the record."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return _stored(value)
    raise _Invalid(field, _expected_text(value))


def _expected_text(value: Any) -> str:
    return f"expected text, got {_describe(value)}; put the value in quotes if it is meant as text"


def _squash(text: str) -> str:
    return re.sub(r"[^A-Z0-9]", "", text.upper())


_DATE_RE = re.compile(r"^(\d{4})-(\d{1,2})(?:-(\d{1,2}))?$")
_DATE_EXPECTED = "expected a date written YYYY-MM or YYYY-MM-DD, like 2026-06 or 2026-06-27"


class _Refused(Exception):
    """A value a format check refuses, with the plain words that say why."""


def _date_parts(value: Any) -> tuple[int, int, int | None]:
    match = _DATE_RE.match(value.strip()) if isinstance(value, str) else None
    if match is None:
        raise _Refused(f"{_describe(value)} is not a date; {_DATE_EXPECTED}")
    year, month, day = (int(part) if part else None for part in match.groups())
    try:
        dt.date(year, month, 1 if day is None else day)
    except ValueError:
        raise _Refused(f"{value.strip()!r} is not a real date; {_DATE_EXPECTED}") from None
    return year, month, day


_FORMATS = FormatChecker(formats=())


@_FORMATS.checks(DATE_FORMAT, raises=_Refused)
def _is_date(value: Any) -> bool:
    if not isinstance(value, dt.date):  # YAML reads 2026-06-27 as a date already
        _date_parts(value)
    return True


@_FORMATS.checks(AGE_FORMAT, raises=ValueError)
def _is_age(value: Any) -> bool:
    if isinstance(value, str):  # other types are the "type" keyword's to refuse
        parse_age_limit(value.strip())
    return True


def _is_integer(checker: Any, value: Any) -> bool:
    """A whole number as YAML wrote it: not yes/no, and not 60.0."""
    return isinstance(value, int) and not isinstance(value, bool)


_Validator = validators.extend(
    Draft202012Validator,
    type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer),
)
_VALIDATOR = _Validator(SCHEMA, format_checker=_FORMATS)

_YES = {"yes", "true", "y"}
#: Mappings in lists, by the noun the schema gives them.
_CLASSES: dict[str, type] = {
    "outcome": Outcome,
    "contact": Contact,
    "site": Site,
    "intervention": Intervention,
    "arm": Arm,
}


def _iso_date(value: Any) -> str:
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    year, month, day = _date_parts(value)
    return f"{year:04d}-{month:02d}" + ("" if day is None else f"-{day:02d}")


def _convert(value: Any, schema: dict[str, Any]) -> Any:
    """A value the schema accepted, in the model's types (the kind is the schema's title)."""
    kind = schema.get("title")
    if kind in ("text", "web address"):
        return _stored(value)
    if kind == "text list":
        return tuple(_stored(item) for item in (value if isinstance(value, list) else [value]))
    if kind == "listed values":
        return tuple(value) if isinstance(value, list) else (value,)
    if kind == "date":
        return _iso_date(value)
    if kind == "age":
        return value.strip()
    if kind == "yes or no":
        return value if isinstance(value, bool) else value.strip().lower() in _YES
    if kind == "whole number":
        return int(value.strip()) if isinstance(value, str) else value
    if kind == "degrees":
        return float(value)
    if kind == "list of mappings":
        item = schema["items"]
        return tuple(
            _CLASSES[item["title"]](
                **{key: _convert(raw, item["properties"][key]) for key, raw in each.items()}
            )
            for each in value
        )
    return value  # a listed value, already in the registry's spelling


# --- checking against the schema ------------------------------------------------------


def _tidy(value: Any, schema: dict[str, Any]) -> Any:
    """The file as the schema reads it: keys as text, empty known keys dropped (left
    empty counts as not written), and a lone value where a list of mappings goes made a
    list of one. Unknown keys stay, so that they are reported."""
    if schema.get("type") == "array" and not isinstance(value, list):
        value = [value]
    if isinstance(value, dict):
        known = schema.get("properties", {})
        return {
            str(key): _tidy(raw, known.get(str(key), {}))
            for key, raw in value.items()
            if str(key) not in known or not _is_empty(raw)
        }
    if isinstance(value, list):
        return [_tidy(item, schema.get("items", {})) for item in value]
    return value


def _everything(errors: Iterable[ValidationError]) -> Iterable[ValidationError]:
    for error in errors:
        yield error
        yield from _everything(error.context or ())


def _respell(data: dict[str, Any]) -> None:
    """Listed values in the registry's spelling: ``Not Yet Recruiting`` is NOT_YET_RECRUITING."""
    fixes = []
    for error in _everything(_VALIDATOR.iter_errors(data)):
        if error.validator == "enum" and isinstance(error.instance, str):
            spelled = {_squash(allowed): allowed for allowed in error.validator_value}
            if _squash(error.instance) in spelled:
                fixes.append((list(error.absolute_path), spelled[_squash(error.instance)]))
    for path, allowed in fixes:
        *parents, last = path
        target: Any = data
        for step in parents:
            target = target[step]
        target[last] = allowed


def _leaves(error: ValidationError) -> Iterable[ValidationError]:
    """The errors that say what is wrong: of "one value or a list", the side that was written."""
    if not error.context:
        yield error
        return
    side = 1 if isinstance(error.instance, list) else 0
    for inner in error.context:
        if inner.relative_schema_path[0] == side:
            yield from _leaves(inner)


def _field(path: Iterable[Any]) -> str:
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else str(step))
    return text


def _positions(data: Any, path: Iterable[Any]) -> list[int]:
    """Where a path is in the file, as line order: each key's place in its mapping."""
    spots = []
    for step in path:
        spots.append(list(data).index(step) if isinstance(data, dict) else step)
        data = data[step]
    return spots


def _suggest(key: str, known: Iterable[str], hints: dict[str, str] | None = None) -> str:
    known = list(known)
    if hints and key in hints:
        return f"; did you mean {hints[key]!r}?"
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        return f"; did you mean {close[0]!r}?"
    return f"; known keys are: {', '.join(known)}"


def _not_listed(value: Any, allowed: list[str]) -> str:
    lookup = {_squash(v): v for v in allowed}
    close = difflib.get_close_matches(_squash(str(value)), lookup, n=1, cutoff=0.75)
    hint = f" (did you mean {lookup[close[0]]}?)" if close else ""
    return (
        f"{_describe(value)} is not an allowed value{hint}; expected one of "
        f"{', '.join(allowed)} (any letter case)"
    )


#: A finding: its place in the file, the top-level key, the field path and the message.
_Finding = tuple[list[int], str, str, str]


def _explain(error: ValidationError, data: dict[str, Any]) -> list[_Finding]:
    """One schema error in the project's words (never the library's)."""
    path = list(error.absolute_path)
    where = _positions(data, path)
    value, schema, keyword = error.instance, error.schema, error.validator
    kind = schema.get("title")
    if kind == "record":  # the top level: only unknown keys reach here (the id is read first)
        return [
            (
                [list(value).index(key)],
                key,
                key,
                f"unknown key {key!r}{_suggest(key, PROPERTIES, _HINTS)}",
            )
            for key in value
            if key not in PROPERTIES
        ]
    top, field = str(path[0]), _field(path)

    def found(message: str, key: str | None = None, after: int = 0) -> list[_Finding]:
        return [(where + [after], top, f"{field}.{key}" if key else field, message)]

    if kind in _CLASSES:
        index, keys = path[-1], schema["properties"]
        if keyword == "type":
            return found(
                f"each {kind} must be a mapping of keys ({', '.join(keys)}); "
                f"item {index + 1} is {_describe(value)}"
            )
        if keyword == "additionalProperties":
            key = next(key for key in value if key not in keys)
            return found(
                f"unknown key {key!r} in a {kind}{_suggest(key, keys)}", key, list(value).index(key)
            )
        if keyword == "required":
            key = next(key for key in error.validator_value if key not in value)
            return found(
                f"{kind} {index + 1} has no {key}; every {kind} needs one", key, len(value)
            )
        if keyword == "dependentRequired":
            have, need = next(
                (key, other)
                for key, others in error.validator_value.items()
                if key in value
                for other in others
                if other not in value
            )
            return found(
                f"a {kind} needs both {have} and {need}, or neither; {need} is missing",
                need,
                len(value),
            )
    if kind == "listed value":
        return found(_not_listed(value, schema["enum"]))
    if kind == "list item" and _is_empty(value):
        return found("empty list item; remove the line or write the value")
    if kind in ("text", "list item", "text list"):
        return found(_expected_text(value))
    if kind == "date":
        return found(str(error.cause))
    if kind == "age" and keyword == "format":
        return found(f'{error.cause}; write it like "1 Year", "6 Years" or "18 Months"')
    if kind == "age":
        return found(
            f'expected an age with its unit, like "1 Year" or "18 Months"; got {_describe(value)}'
        )
    if kind == "yes or no":
        return found(f"expected yes or no; got {_describe(value)}")
    if kind == "whole number":
        return found(f"expected a whole number of people, like 60; got {_describe(value)}")
    if kind == "web address":
        shown = _describe(value.strip() if isinstance(value, str) else value)
        return found(f"{shown} is not a web address; expected one starting with https://")
    if kind == "degrees" and keyword == "type":
        return found(f"expected a number in degrees, like 21.02; got {_describe(value)}")
    if kind == "degrees":
        limit = schema["maximum"]
        return found(f"{value} is out of range; expected -{limit:g} to {limit:g} degrees")
    return found(f"{_describe(value)} is not allowed here")


def _findings(data: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """The first problem of each top-level key, in the file's order: key -> (field, message)."""
    found = [
        finding
        for error in _VALIDATOR.iter_errors(data)
        for leaf in _leaves(error)
        for finding in _explain(leaf, data)
    ]
    first: dict[str, tuple[str, str]] = {}
    for _, top, field, message in sorted(found, key=lambda finding: finding[0]):
        first.setdefault(top, (field, message))
    return first


# --- the flat keys ---------------------------------------------------------------

_GROUP_KEYS = {
    "design": (
        "study_type",
        "phases",
        "allocation",
        "intervention_model",
        "masking",
        "who_masked",
        "primary_purpose",
        "enrollment",
        "enrollment_type",
    ),
    "eligibility": ("min_age", "max_age", "sex", "healthy_volunteers", "criteria"),
}
#: Curated key -> where its value goes in the Trial (a field, or a group and its field);
#: a key not named here is the Trial field of the same name.
_TARGETS: dict[str, tuple[str, ...]] = {
    "title": ("brief_title",),
    "summary": ("brief_summary",),
    "description": ("detailed_description",),
    "status": ("overall_status",),
    **{key: (group, key) for group, keys in _GROUP_KEYS.items() for key in keys},
    "start_date": ("dates", "start"),
    "primary_completion_date": ("dates", "primary_completion"),
    "completion_date": ("dates", "completion"),
    "first_posted": ("dates", "first_posted"),
    "last_update": ("dates", "last_update"),
    "status_verified": ("dates", "status_verified"),
}

#: Every key a curated file may use -> a one-line description (from the schema).
YAML_KEYS: dict[str, str] = {key: spec["description"] for key, spec in PROPERTIES.items()}

#: Model names a staff member may write by habit -> the curated key.
_HINTS: dict[str, str] = {target[-1]: key for key, target in _TARGETS.items() if target[-1] != key}
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
        raw = read_limited(path, MAX_CURATED_BYTES)
    except InputRefused as refused:
        result.problems.append(DataProblem(file=where, message=refused.message))
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
    except RecursionError:
        result.problems.append(
            DataProblem(file=where, message="not usable YAML: nested far too deeply")
        )
        return None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(error, "problem", None) or str(error)
        field = error.key if isinstance(error, _DuplicateKey) else None
        result.problems.append(
            DataProblem(file=where, field=field, message=f"not valid YAML{at}: {problem}")
        )
        return None
    try:
        data = clean_value(data)
    except TooDeep as error:
        result.problems.append(DataProblem(file=where, message=f"not usable YAML: {error}"))
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
    if not result.id.isascii() and _UNICODE_NCT.fullmatch(
        unicodedata.normalize("NFKC", result.id).upper()
    ):
        problem(
            "id",
            f"id {result.id!r} is written with digits other than 0-9; an NCT number is "
            "NCT followed by 8 plain digits, like NCT01234567",
        )
        return result
    if result.id != path.stem:
        problem(
            "id",
            f"id {result.id!r} does not match the file name {path.name!r}; "
            f"name the file {result.id}.yaml or correct the id",
        )
        return result

    data = _tidy(data, SCHEMA)
    _respell(data)
    findings = _findings(data)
    fields: dict[str, Any] = {}
    for key, value in data.items():
        if key in findings:
            problem(*findings[key])
            continue
        converted = _convert(value, PROPERTIES[key])
        target = _TARGETS.get(key, (key,))
        if len(target) == 1:
            fields[target[0]] = converted
        else:
            fields.setdefault(target[0], {})[target[1]] = converted

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
