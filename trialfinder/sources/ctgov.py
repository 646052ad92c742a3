"""ClinicalTrials.gov API v2 records: find them in files, turn them into trials.

Reading (:func:`iter_studies`) and parsing (:func:`parse_study`) are separate so
that an importer can keep the raw study as the registry wrote it. Parsing is a
single pass of plain dict lookups (a whole-registry import is ~600,000 studies);
it validates only what the catalog relies on: the NCT id, enumerated values
and age limits.
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import os
import stat
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from trialfinder.ages import parse_age_limit
from trialfinder.errors import DataError, DataProblem
from trialfinder.model import (
    ENUMERATIONS,
    Arm,
    Contact,
    Dates,
    Design,
    Eligibility,
    Intervention,
    MeshMatch,
    Outcome,
    Reference,
    Site,
    Trial,
)
from trialfinder.sources.clean import visible
from trialfinder.sources.ctgov_results import read_references, read_results
from trialfinder.sources.files import (
    ENV_MAX_FILE_MB,
    ENV_MAX_RECORD_MB,
    InputRefused,
    Limits,
    outside,
    read_limited,
    too_big,
)
from trialfinder.sources.text import TooDeep, clean_value, json_needs_cleaning

STUDY_URL = "https://clinicaltrials.gov/study/{id}"

_SUFFIXES = (".json", ".zip")


@dataclass(frozen=True)
class StudyInput:
    """One study found in an input file."""

    #: File path, plus "!member" for a zip member or "[i]" (0-based) for the
    #: i-th study of an array or page.
    origin: str
    #: The raw API v2 study object (has "protocolSection"), or None when unreadable.
    study: dict | None
    problem: DataProblem | None = None


# --------------------------------------------------------------------- reading


def iter_studies(path: Path, limits: Limits | None = None) -> Iterator[StudyInput]:
    """Every study in a file or folder (recursively, sorted, *.json and *.zip).

    Reads every form the registry hands out: a single study object, an
    /api/v2/studies page ({"studies": [...], "nextPageToken": ...}), the
    website's JSON array export (ctg-studies.json) and its zip form
    (ctg-studies.json.zip, one NCTxxxxxxxx.json per study). Hidden files and
    folders (".git", macOS "._x.json") are passed over.

    Only regular files are read (not a FIFO, a device or a socket), a symlink
    in a folder only when it stays inside that folder, and no file, zip member
    or single study past ``limits`` (default :meth:`Limits.from_env`). Text is
    cleaned on the way in (:mod:`trialfinder.sources.text`).

    Unreadable inputs yield a StudyInput with study=None and a DataProblem
    naming the file and what is wrong. Never raises for bad input.
    """
    path = Path(path)
    limits = limits or Limits.from_env()
    try:
        is_dir, is_file = path.is_dir(), path.exists()
    except OSError as exc:
        yield _unreadable(str(path), f"cannot be looked at: {exc.strerror or exc}")
        return
    if is_dir:
        for file in _files_under(path):
            target = outside(file, path)
            if target is not None:
                yield _unreadable(
                    str(file),
                    f"not read: a symlink to {target}, outside the folder {path} given to read",
                )
                continue
            yield from _iter_file(file, limits)
    elif is_file:
        yield from _iter_file(path, limits)
    else:
        yield _unreadable(str(path), "no such file or folder")


def _files_under(folder: Path) -> list[Path]:
    found: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        for name in names:
            if not name.startswith(".") and name.lower().endswith(_SUFFIXES):
                found.append(Path(root, name))
    found.sort()
    return found


def _iter_file(file: Path, limits: Limits) -> Iterator[StudyInput]:
    origin = str(file)
    if file.suffix.lower() == ".zip":
        yield from _iter_zip(file, origin, limits)
        return
    try:
        raw = read_limited(file, limits.file_bytes, _FILE_OPTION)
    except InputRefused as refused:
        yield _unreadable(origin, refused.message)
        return
    yield from _iter_payload(raw, origin, limits)


_FILE_OPTION = f"--max-file-mb or ${ENV_MAX_FILE_MB}"
_RECORD_OPTION = f"--max-record-mb or ${ENV_MAX_RECORD_MB}"


def _open_regular(file: Path) -> BinaryIO:
    """``file`` opened for reading, refused unless it is a regular file (no waiting on a FIFO)."""
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(file, flags)
    except OSError as exc:
        raise InputRefused(f"file cannot be read: {exc.strerror or exc}") from None
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise InputRefused("not read: it is not a regular file (a pipe, device or socket)")
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def _iter_zip(file: Path, origin: str, limits: Limits) -> Iterator[StudyInput]:
    try:
        handle = _open_regular(file)
    except InputRefused as refused:
        yield _unreadable(origin, refused.message)
        return
    try:
        archive = zipfile.ZipFile(handle)
    except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
        handle.close()
        yield _unreadable(origin, f"file is not a readable zip archive ({exc})")
        return
    with handle, archive:
        members = sorted(
            (
                info
                for info in archive.infolist()
                if not info.is_dir()
                and info.filename.lower().endswith(".json")
                and not _hidden_member(info.filename)
            ),
            key=lambda info: info.filename,
        )
        if not members:
            yield _unreadable(origin, "zip archive holds no .json files")
            return
        for info in members:
            member_origin = f"{origin}!{info.filename}"
            if info.file_size > limits.file_bytes:
                yield _unreadable(
                    member_origin,
                    too_big("the zip member", info.file_size, limits.file_bytes, _FILE_OPTION),
                )
                continue
            try:
                with archive.open(info) as member:
                    raw = member.read(limits.file_bytes + 1)
            except (
                zipfile.BadZipFile,
                OSError,
                EOFError,
                RuntimeError,
                NotImplementedError,
                zlib.error,
            ) as exc:
                yield _unreadable(member_origin, f"zip member cannot be extracted ({exc})")
                continue
            if len(raw) > limits.file_bytes:  # its header understated its size
                yield _unreadable(
                    member_origin,
                    too_big("the zip member", None, limits.file_bytes, _FILE_OPTION),
                )
                continue
            yield from _iter_payload(raw, member_origin, limits)


def _hidden_member(name: str) -> bool:
    """macOS adds "__MACOSX/" and "._x.json" entries that are not JSON."""
    return any(part.startswith(".") or part == "__MACOSX" for part in name.split("/"))


def _iter_payload(raw: bytes, origin: str, limits: Limits | None = None) -> Iterator[StudyInput]:
    """The studies in the bytes of one JSON file (or zip member)."""
    limits = limits or Limits.from_env()
    if not raw.strip():
        yield _unreadable(origin, "file is empty; expected a study, an API page or a JSON array")
        return
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        yield _unreadable(
            origin,
            f"file is not UTF-8 text: byte 0x{raw[exc.start]:02x} on line {line} is not valid "
            "UTF-8; registry JSON is always UTF-8",
        )
        return
    try:
        data = parse_json_text(text)
    except json.JSONDecodeError as exc:
        yield _unreadable(
            origin, f"file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}"
        )
        return
    except (RecursionError, TooDeep):
        yield _unreadable(origin, "file is not usable JSON: nested too deeply")
        return

    if isinstance(data, list):
        for index, item in enumerate(data):
            yield _study_input(item, f"{origin}[{index}]")
    elif isinstance(data, dict) and "protocolSection" in data:
        if len(raw) > limits.record_bytes:
            yield _unreadable(
                origin, too_big("the study", len(raw), limits.record_bytes, _RECORD_OPTION)
            )
            return
        yield _study_input(data, origin)
    elif isinstance(data, dict) and "studies" in data:
        studies = data["studies"]
        if not isinstance(studies, list):
            yield _unreadable(
                origin,
                f'"studies" is {_kind(studies)}; an API page holds a list of studies there',
                field="studies",
            )
            return
        for index, item in enumerate(studies):
            yield _study_input(item, f"{origin}[{index}]")
    elif isinstance(data, dict):
        keys = ", ".join(sorted(data)[:8]) or "none"
        yield _unreadable(
            origin,
            'JSON is neither a study (no "protocolSection") nor an API page (no "studies") '
            f"nor a JSON array of studies; its top-level keys: {keys}",
        )
    else:
        yield _unreadable(
            origin,
            f"JSON holds {_kind(data)}; expected a study, an API page or a JSON array of studies",
        )


def parse_json_text(text: str) -> Any:
    """JSON text as values, every text in it cleaned (:mod:`trialfinder.sources.text`).

    Raises :class:`json.JSONDecodeError`, or :class:`RecursionError` /
    :class:`TooDeep` for a value nested too deeply to be a record.
    """
    data = _parse_json(text)
    if json_needs_cleaning(text):
        data = clean_value(data)
    return data


def record_too_big(encoded: bytes, origin: str, limits: Limits) -> DataProblem | None:
    """A problem when one study, as stored, is over the record limit."""
    if len(encoded) <= limits.record_bytes:
        return None
    return DataProblem(
        file=origin,
        message=too_big("the study", len(encoded), limits.record_bytes, _RECORD_OPTION),
    )


def _parse_json(text: str) -> Any:
    """``json.loads`` with the cycle collector paused.

    An API page of 1,000 studies makes some 50,000 dicts and lists; every 700
    new ones start a collection, and those already made are walked again as
    they move up the generations: a third of the parse, to find no garbage
    (what ``json.loads`` builds holds no cycles). The collector is turned back
    on (if it was on) before anything else runs.
    """
    if not gc.isenabled():
        return json.loads(text)
    gc.disable()
    try:
        return json.loads(text)
    finally:
        gc.enable()


def _study_input(item: Any, origin: str) -> StudyInput:
    if isinstance(item, dict) and isinstance(item.get("protocolSection"), dict):
        return StudyInput(origin, item)
    if isinstance(item, dict) and "protocolSection" in item:
        return _unreadable(
            origin,
            f'"protocolSection" is {_kind(item["protocolSection"])}; expected an object',
            field="protocolSection",
        )
    return _unreadable(
        origin, f'item is {_kind(item)}, not a study (an object with "protocolSection")'
    )


def _unreadable(origin: str, message: str, field: str | None = None) -> StudyInput:
    return StudyInput(origin, None, DataProblem(file=origin, message=message, field=field))


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    return "a number"


# ------------------------------------------------------------- small accessors


def study_id(study: dict) -> str | None:
    """protocolSection.identificationModule.nctId, or None when absent."""
    try:
        value = study["protocolSection"]["identificationModule"]["nctId"]
    except (KeyError, TypeError):
        return None
    if value.__class__ is not str:
        return None
    return value.strip() or None


def study_last_update(study: dict) -> str | None:
    """protocolSection.statusModule.lastUpdatePostDateStruct.date, or None."""
    try:
        value = study["protocolSection"]["statusModule"]["lastUpdatePostDateStruct"]["date"]
    except (KeyError, TypeError):
        return None
    if value.__class__ is not str:
        return None
    return value.strip() or None


def update_rank(date: str | None, today: dt.date | None = None) -> str:
    """A last-update date as it counts when two copies of a trial compete: the date
    itself, or "" (it never wins) when it is not a date or lies in the future.

    A copy dated 9999-12-31 must not win forever over the real, newer copies.
    One day of slack allows for time zones.
    """
    if not date or len(date) not in (7, 10):
        return ""
    try:
        day = dt.date.fromisoformat(date if len(date) == 10 else date + "-01")
    except ValueError:
        return ""
    if day > (today or dt.datetime.now(dt.UTC).date()) + dt.timedelta(days=1):
        return ""
    return date


def newer(a: str | None, b: str | None) -> bool:
    """Does a copy last updated on ``a`` replace one last updated on ``b``?"""
    return update_rank(a) > update_rank(b)


# --------------------------------------------------------------------- parsing

_P = "protocolSection."
_STATUS = _P + "statusModule"
_DESIGN = _P + "designModule"
_ELIGIBILITY = _P + "eligibilityModule"
_ARMS = _P + "armsInterventionsModule"
_LOCATIONS = _P + "contactsLocationsModule"


class _Invalid(Exception):
    """A value parse_study rejects; becomes a DataError naming file and record."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
        self.message = message


def parse_study(study: dict, origin: str) -> Trial:
    """API v2 study -> Trial.

    Raises DataError(DataProblem(file=origin, record=<nct id or None>,
    field=<dotted API path>, message=...)) for: no nctId; an enumerated value
    not in trialfinder.model.ENUMERATIONS; an age parse_age_limit rejects; a
    value of the wrong JSON type. Absent values stay None or (). Entries that
    lack their name (an intervention without name, an arm without label, an
    outcome without measure) are left out: the model cannot hold them.
    """
    nct_id = study_id(study)
    if nct_id is None:
        raise DataError(
            DataProblem(
                file=origin,
                record=None,
                field=_P + "identificationModule.nctId",
                message="study has no nctId; every registry study has an NCT number "
                "such as NCT01234567",
            )
        )
    try:
        return _trial(study, nct_id)
    except _Invalid as bad:
        raise DataError(
            DataProblem(file=origin, record=nct_id, field=bad.field, message=bad.message)
        ) from None


def _trial(study: dict, nct_id: str) -> Trial:
    ps = study["protocolSection"]
    fields: dict[str, Any] = {}
    for module, read in _MODULES:
        value = ps.get(module)
        if value is not None:
            fields.update(_guard(_P + module, read, value))
    derived = study.get("derivedSection")
    if derived is not None:
        fields.update(_guard("derivedSection", _mesh, derived))
    return Trial(
        id=nct_id,
        has_results=_guard("hasResults", _flag, study.get("hasResults")),
        results=_guard("resultsSection", read_results, study.get("resultsSection")),
        references=_references(ps.get("referencesModule")),
        source="ctgov",
        source_url=STUDY_URL.format(id=nct_id),
        **fields,
    )


def _references(module: Any) -> tuple[Reference, ...] | None:
    field = _P + "referencesModule.references"
    try:
        return read_references(module)
    except ValueError as exc:
        raise _Invalid(field + "[].type", str(exc)) from None
    except (AttributeError, TypeError) as exc:
        raise _Invalid(field, f"not shaped as API v2 describes it: {exc}") from None


def _guard(field: str, read: Callable[[Any], Any], value: Any) -> Any:
    """Run ``read``; a value of the wrong JSON type becomes an _Invalid for ``field``."""
    try:
        return read(value)
    except (AttributeError, TypeError, ValueError) as exc:
        raise _Invalid(field, f"not shaped as API v2 describes it: {exc}") from None


def _text(value: Any) -> str | None:
    if value is None:
        return None
    if value.__class__ is not str:
        raise TypeError(f"expected text, found {_kind(value)} {value!r:.60}")
    return visible(value).strip() or None


def _texts(values: Any) -> tuple[str, ...]:
    if not values:
        return ()
    if values.__class__ is not list:
        raise TypeError(f"expected a list of text, found {_kind(values)}")
    out = []
    for value in values:
        text = _text(value)
        if text is not None:
            out.append(text)
    return tuple(out)


def _flag(value: Any) -> bool | None:
    if value is None or value.__class__ is bool:
        return value
    raise TypeError(f"expected true or false, found {_kind(value)} {value!r:.60}")


def _number(value: Any) -> float | None:
    if value is None:
        return None
    if value.__class__ is float:
        return value
    if value.__class__ is int:
        return float(value)
    raise TypeError(f"expected a number, found {_kind(value)} {value!r:.60}")


def _date(struct: Any) -> str | None:
    return None if struct is None else _text(struct.get("date"))


_ALLOWED: dict[str, tuple[frozenset[str], str]] = {
    name: (frozenset(values), ", ".join(values)) for name, values in ENUMERATIONS.items()
}


def _enum(value: Any, kind: str, field: str, what: str) -> str | None:
    text = _text(value)
    if text is None:
        return None
    allowed, listed = _ALLOWED[kind]
    if text in allowed:
        return text
    raise _Invalid(field, f"{what} {text!r} is not a registry value; expected one of {listed}")


def _enums(values: Any, kind: str, field: str, what: str) -> tuple[str, ...]:
    texts = _texts(values)
    allowed, listed = _ALLOWED[kind]
    for text in texts:
        if text not in allowed:
            raise _Invalid(
                field, f"{what} {text!r} is not a registry value; expected one of {listed}"
            )
    return texts


_AGES_SEEN: set[str] = set()


def _age(value: Any, field: str) -> str | None:
    """The age limit as written; None when absent or "N/A" (no limit)."""
    text = _text(value)
    if text is None or text in _AGES_SEEN:
        return text
    try:
        limit = parse_age_limit(text)
    except ValueError as exc:
        raise _Invalid(field, f"{exc}, e.g. '6 Years' or '18 Months'") from None
    if limit is None and not text[:1].isdigit():
        return None
    if len(_AGES_SEEN) < 10_000:
        _AGES_SEEN.add(text)
    return text


def _identification(m: dict) -> dict[str, Any]:
    ids: list[str] = []
    org = m.get("orgStudyIdInfo")
    if org is not None:
        org_id = _text(org.get("id"))
        if org_id is not None:
            ids.append(org_id)
    for info in m.get("secondaryIdInfos") or ():
        other = _text(info.get("id"))
        if other is not None and other not in ids:
            ids.append(other)
    return {
        "registry_ids": tuple(ids),
        "brief_title": _text(m.get("briefTitle")),
        "official_title": _text(m.get("officialTitle")),
        "acronym": _text(m.get("acronym")),
    }


def _status(m: dict) -> dict[str, Any]:
    field = _STATUS + ".overallStatus"
    return {
        "overall_status": _enum(m.get("overallStatus"), "overall_status", field, "overallStatus"),
        "last_known_status": _enum(
            m.get("lastKnownStatus"),
            "last_known_status",
            _STATUS + ".lastKnownStatus",
            "lastKnownStatus",
        ),
        "why_stopped": _text(m.get("whyStopped")),
        "dates": Dates(
            start=_date(m.get("startDateStruct")),
            primary_completion=_date(m.get("primaryCompletionDateStruct")),
            completion=_date(m.get("completionDateStruct")),
            first_posted=_date(m.get("studyFirstPostDateStruct")),
            last_update=_date(m.get("lastUpdatePostDateStruct")),
            status_verified=_text(m.get("statusVerifiedDate")),
        ),
    }


def _description(m: dict) -> dict[str, Any]:
    return {
        "brief_summary": _text(m.get("briefSummary")),
        "detailed_description": _text(m.get("detailedDescription")),
    }


def _conditions(m: dict) -> dict[str, Any]:
    return {"conditions": _texts(m.get("conditions")), "keywords": _texts(m.get("keywords"))}


def _sponsors(m: dict) -> dict[str, Any]:
    lead = m.get("leadSponsor")
    names = (_text(c.get("name")) for c in m.get("collaborators") or ())
    return {
        "sponsor": None if lead is None else _text(lead.get("name")),
        "collaborators": tuple(name for name in names if name is not None),
    }


def _design(m: dict) -> dict[str, Any]:
    info = m.get("designInfo") or {}
    masking = info.get("maskingInfo") or {}
    enrollment = m.get("enrollmentInfo") or {}
    count = enrollment.get("count")
    if count is not None and count.__class__ is not int:
        raise _Invalid(
            _DESIGN + ".enrollmentInfo.count",
            f"enrollment count {count!r:.60} is not a whole number",
        )
    d = _DESIGN + ".designInfo."
    return {
        "design": Design(
            study_type=_enum(m.get("studyType"), "study_type", _DESIGN + ".studyType", "studyType"),
            phases=_enums(m.get("phases"), "phases", _DESIGN + ".phases", "phase"),
            allocation=_enum(info.get("allocation"), "allocation", d + "allocation", "allocation"),
            intervention_model=_enum(
                info.get("interventionModel"),
                "intervention_model",
                d + "interventionModel",
                "interventionModel",
            ),
            masking=_enum(masking.get("masking"), "masking", d + "maskingInfo.masking", "masking"),
            who_masked=_enums(
                masking.get("whoMasked"), "who_masked", d + "maskingInfo.whoMasked", "whoMasked"
            ),
            primary_purpose=_enum(
                info.get("primaryPurpose"),
                "primary_purpose",
                d + "primaryPurpose",
                "primaryPurpose",
            ),
            enrollment=count,
            enrollment_type=_enum(
                enrollment.get("type"),
                "enrollment_type",
                _DESIGN + ".enrollmentInfo.type",
                "enrollment type",
            ),
        )
    }


def _arms_interventions(m: dict) -> dict[str, Any]:
    arms = []
    for number, group in enumerate(m.get("armGroups") or (), start=1):
        label = _text(group.get("label"))
        if label is None:
            continue
        arms.append(
            Arm(
                label=label,
                type=_enum(
                    group.get("type"),
                    "arm_type",
                    _ARMS + ".armGroups[].type",
                    f"arm group {number} ({label!r}) type",
                ),
                description=_text(group.get("description")),
                interventions=_texts(group.get("interventionNames")),
            )
        )
    interventions = []
    for number, item in enumerate(m.get("interventions") or (), start=1):
        name = _text(item.get("name"))
        if name is None:
            continue
        interventions.append(
            Intervention(
                name=name,
                type=_enum(
                    item.get("type"),
                    "intervention_type",
                    _ARMS + ".interventions[].type",
                    f"intervention {number} ({name!r}) type",
                ),
                description=_text(item.get("description")),
                other_names=_texts(item.get("otherNames")),
                arm_labels=_texts(item.get("armGroupLabels")),
            )
        )
    return {"arms": tuple(arms), "interventions": tuple(interventions)}


def _eligibility(m: dict) -> dict[str, Any]:
    return {
        "eligibility": Eligibility(
            min_age=_age(m.get("minimumAge"), _ELIGIBILITY + ".minimumAge"),
            max_age=_age(m.get("maximumAge"), _ELIGIBILITY + ".maximumAge"),
            sex=_enum(m.get("sex"), "sex", _ELIGIBILITY + ".sex", "sex"),
            healthy_volunteers=_flag(m.get("healthyVolunteers")),
            criteria=_text(m.get("eligibilityCriteria")),
        )
    }


def _outcome_list(items: Any) -> tuple[Outcome, ...]:
    out = []
    for item in items or ():
        measure = _text(item.get("measure"))
        if measure is not None:
            out.append(
                Outcome(
                    measure=measure,
                    time_frame=_text(item.get("timeFrame")),
                    description=_text(item.get("description")),
                )
            )
    return tuple(out)


def _outcomes(m: dict) -> dict[str, Any]:
    return {
        "primary_outcomes": _outcome_list(m.get("primaryOutcomes")),
        "secondary_outcomes": _outcome_list(m.get("secondaryOutcomes")),
    }


def _contacts(items: Any) -> tuple[Contact, ...]:
    """People to reach, as the registry lists them; entries with nothing in them are left out."""
    contacts = []
    for c in items or ():
        contact = Contact(
            name=_text(c.get("name")),
            role=_text(c.get("role")),
            phone=_text(c.get("phone")),
            phone_ext=_text(c.get("phoneExt")),
            email=_text(c.get("email")),
        )
        if contact != _NO_CONTACT:
            contacts.append(contact)
    return tuple(contacts)


def _sites(m: dict) -> dict[str, Any]:
    sites = []
    for number, loc in enumerate(m.get("locations") or (), start=1):
        geo = loc.get("geoPoint") or {}
        contacts = _contacts(loc.get("contacts"))
        sites.append(
            Site(
                facility=_text(loc.get("facility")),
                city=_text(loc.get("city")),
                state=_text(loc.get("state")),
                zip=_text(loc.get("zip")),
                country=_text(loc.get("country")),
                status=_enum(
                    loc.get("status"),
                    "site_status",
                    _LOCATIONS + ".locations[].status",
                    f"site {number} status",
                ),
                lat=_number(geo.get("lat")),
                lon=_number(geo.get("lon")),
                contacts=contacts,
            )
        )
    return {"sites": tuple(sites), "contacts": _contacts(m.get("centralContacts"))}


_NO_CONTACT = Contact()

#: Each protocolSection module and the reader of its Trial fields.
_MODULES: tuple[tuple[str, Callable[[dict], dict[str, Any]]], ...] = (
    ("identificationModule", _identification),
    ("statusModule", _status),
    ("descriptionModule", _description),
    ("conditionsModule", _conditions),
    ("sponsorCollaboratorsModule", _sponsors),
    ("designModule", _design),
    ("armsInterventionsModule", _arms_interventions),
    ("eligibilityModule", _eligibility),
    ("outcomesModule", _outcomes),
    ("contactsLocationsModule", _sites),
)


def _mesh(derived: dict) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for module, prefix in (
        ("conditionBrowseModule", ""),
        ("interventionBrowseModule", "intervention_"),
    ):
        browse = derived.get(module)
        if browse is None:
            continue
        terms = _texts([m.get("term") for m in browse.get("meshes") or ()])
        fields[f"{prefix}mesh_terms"] = terms
        fields[f"{prefix}mesh_ancestors"] = _texts(
            [a.get("term") for a in browse.get("ancestors") or ()]
        )
        fields[f"{prefix}mesh_found"] = _found(browse.get("browseLeaves"), set(terms))
    return fields


def _found(leaves: Any, terms: set[str]) -> tuple[MeshMatch, ...]:
    """The leaves that pair words of the record ("asFound") with one of its MeSH
    terms (leaves of other vocabularies, and ancestors, pair nothing)."""
    if not leaves:
        return ()
    if leaves.__class__ is not list:
        raise TypeError(f"expected a list of browse leaves, found {_kind(leaves)}")
    found: list[MeshMatch] = []
    for leaf in leaves:
        if leaf.__class__ is not dict:
            continue
        words, name = _text(leaf.get("asFound")), _text(leaf.get("name"))
        if words and name in terms:
            match = MeshMatch(words, name)
            if match not in found:
                found.append(match)
    return tuple(found)
