"""Facts a family can answer, found in one criteria item by rules (no model).

:func:`recognise` reads an item's text and returns the :class:`Fact` s it states:
an age range, a sex, pregnancy, consent, a lab limit, a recent treatment, a
cerebral-palsy diagnosis, GMFCS or MACS levels, an Ashworth score, botulinum
toxin, orthopaedic surgery, seizures. Each fact keeps the span of text it was
read from, so :mod:`verdicts` can tell what else the item says.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

KINDS = (
    "age",
    "sex",
    "pregnancy",
    "consent",
    "lab",
    "recent_treatment",
    "diagnosis",
    "gmfcs",
    "macs",
    "ashworth",
    "botox",
    "surgery",
    "seizures",
)


@dataclass(frozen=True)
class Fact:
    """One fact an item states. Only the fields of its kind are set."""

    kind: str
    start: int
    end: int
    #: The item states its absence ("No seizures", "without botulinum toxin").
    negated: bool = False
    #: age: limits as the registry's fields write them ("2 Years"); None = no limit.
    min_age: str | None = None
    max_age: str | None = None
    #: sex: "FEMALE" and/or "MALE".
    sexes: frozenset[str] = frozenset()
    #: gmfcs, macs: the levels named (1 to 5).
    levels: frozenset[int] = frozenset()
    #: botox, surgery, recent_treatment: "within N months" (None: at any time).
    months: float | None = None
    #: The parts of the text read (the name and its time, say); the whole span when empty.
    parts: tuple[tuple[int, int], ...] = ()
    #: seizures: qualified ("uncontrolled", "within 6 months"); diagnosis: "spastic" ...
    #: lab: which value ("platelets").
    detail: str | None = None


def fold(text: str) -> str:
    """Lower case, the registry's Markdown escapes undone, one kind of dash and of
    comparison sign; same length as the text (spans index both)."""
    text = re.sub(r"\\([<>=*_\-.+()\[\]#!|~^])", r" \1", text)
    text = text.translate(_DASHES)
    folded = text.casefold()
    return folded if len(folded) == len(text) else text.lower()


_DASHES = str.maketrans({"–": "-", "—": "-", "‐": "-", "−": "-", "’": "'"})


_NUM = r"(\d+(?:[.,]\d+)?)"
_UNIT = r"(years?|yrs?|y/o|y|months?|mos?|weeks?|wks?|days?)"
_UNIT_NAMES = {"y": "Years", "m": "Months", "w": "Weeks", "d": "Days"}


def _limit(number: str, unit: str | None) -> str:
    value = number.replace(",", ".")
    unit_name = _UNIT_NAMES[(unit or "y")[0]]
    return f"{value} {unit_name}"


_AGE_WORD = r"(?:age[sd]?|aged|old|older|younger)"
_PEOPLE = (
    r"(?:children|child|boys?|girls?|men|women|males?|females?|adults?|adolescents?|infants?|"
    r"patients?|subjects?|participants?|individuals?|persons?|people|volunteers?|kids?)"
)
_AGE_RANGE = re.compile(
    rf"(?:(?:{_AGE_WORD}|{_PEOPLE})\b[^.;\d]{{0,25}}?)"
    rf"(?:between|from)?\s*{_NUM}\s*{_UNIT}?\s*(?:-|to|and|through|until)\s*{_NUM}\s*{_UNIT}?"
    rf"(?:\s*(?:of age|old|\(inclusive\)|inclusive))?"
)
_AGE_MIN = re.compile(
    rf"(?:{_AGE_WORD}\b[^.;\d]{{0,15}}?(?:>|≥|>=|=>|over|above|at least|greater than|more than|"
    rf"older than|minimum(?: of)?)\s*{_NUM}\s*{_UNIT}?"
    rf"|{_NUM}\s*{_UNIT}\s*(?:of age\s*|old\s*)?(?:or|and)\s*(?:older|above|over)"
    rf"|\bage[sd]?\s*(?:of\s*)?{_NUM}\s*{_UNIT}?\s*(?:or|and)\s*(?:older|above|over)"
    rf"|(?:>|≥|>=|over|above|at least|older than)\s*{_NUM}\s*{_UNIT}\s*(?:of age|old))"
)
_AGE_MAX = re.compile(
    rf"(?:{_AGE_WORD}\b[^.;\d]{{0,15}}?(?:<|≤|<=|=<|under|below|less than|younger than|up to|"
    rf"maximum(?: of)?)\s*{_NUM}\s*{_UNIT}?"
    rf"|{_NUM}\s*{_UNIT}\s*(?:of age\s*|old\s*)?(?:or|and)\s*(?:younger|under|below|less)"
    rf"|(?:<|≤|<=|under|below|younger than|less than)\s*{_NUM}\s*{_UNIT}\s*(?:of age|old))"
)
#: "Adult", "men", "women": 18 or older, when no age is written.
_ADULT = re.compile(
    r"(?<!young )\b(?:adults?|men|women)\b(?! (?:and|or) (?:children|adolescents|boys|girls))"
)

_FEMALE = re.compile(r"\b(?:women|woman|females?|girls?|mothers?)\b")
_MALE = re.compile(r"\b(?:men|man|males?|boys?|fathers?)\b")
_BOTH = re.compile(
    r"\b(?:men (?:and|or) women|women (?:and|or) men|males? (?:and|or) females?|"
    r"females? (?:and|or) males?|boys (?:and|or) girls|girls (?:and|or) boys|"
    r"both (?:sexes|genders)|"
    r"either (?:sex|gender)|any (?:sex|gender)|male or female)\b"
)
_PREGNANCY = re.compile(
    r"\b(?:pregnan\w*|breast[- ]?feeding|lactat\w*|nursing (?:mothers?|women)|"
    r"child[- ]?bearing potential|contracepti\w*)"
)
_CONSENT = re.compile(r"\b(?:consent(?:s|ed|ing)?|assent|legally authori[sz]ed representative)\b")
_LABS = {
    "platelets": r"platelets?(?: count)?|plt\b",
    "anc": r"absolute neutrophil count|\banc\b|neutrophils?(?: count)?|granulocytes?(?: count)?",
    "haemoglobin": r"ha?emoglobin(?! a1c)|\bhg?b\b(?! ?a1c)",
    "creatinine": r"creatinine(?: clearance)?|\begfr\b|glomerular filtration",
    "alt_ast": r"\balt\b|\bast\b|sgpt|sgot|transaminases?|aminotransferase",
    "bilirubin": r"bilirubin",
    "wbc": r"white blood cells?(?: count)?|\bwbc\b|leukocytes?(?: count)?",
    "inr": r"\binr\b|prothrombin time",
}
_LAB = re.compile("|".join(f"(?P<{name}>{pattern})" for name, pattern in _LABS.items()))
_LIMIT_NEAR = re.compile(r"[<>≥≤=]|\d|\b(?:uln|lln|normal|less than|greater than|at least)\b")

_COUNT = r"(\d+(?:[.,]\d+)?|one|two|three|four|six|twelve)"
_WINDOW = re.compile(
    rf"\b(?:within|in|during|over)\s+(?:the\s+)?(?:last|past|previous|prior)?\s*{_COUNT}\s*{_UNIT}"
    rf"|\b{_COUNT}\s*{_UNIT}\s+(?:before|prior to|preceding)"
    rf"|\blast\s+{_COUNT}\s*{_UNIT}"
)
#: "At least 6 months since the last injection": none within that time.
_SINCE = re.compile(
    rf"\b(?:at least|more than|over|minimum(?: of)?|>|≥|>=)\s*{_COUNT}\s*{_UNIT}\s*"
    rf"(?:have\s+)?(?:since|after|from|(?:have\s+)?(?:passed|elapsed))"
    rf"|\b{_COUNT}\s*{_UNIT}\s*or more\s*(?:since|after|from)"
)
_WORD_NUMBERS = {"one": 1, "two": 2, "three": 3, "four": 4, "six": 6, "twelve": 12}
_TREATMENT = re.compile(
    r"\b(?:treat\w*|therap\w*|drugs?|medications?|medicines?|investigational|chemotherap\w*|"
    r"radiotherap\w*|vaccin\w*|antibiotics?|steroids?|inhibitors?|injections?|agents?|"
    r"surger\w*|surgical|procedures?|transfusions?|products?)\b"
)
_CP = re.compile(
    r"\b(?:(?P<type>spastic|dyskinetic|dystonic|athetoid|ataxic|mixed)\s+)?"
    r"(?:(?P<dist>diplegic|hemiplegic|quadriplegic|tetraplegic|unilateral|bilateral)\s+)?"
    r"(?:cerebral palsy|\bcp\b)"
    r"|\bspastic (?:diplegia|hemiplegia|quadriplegia|tetraplegia)\b"
)
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5}
_LEVEL = r"(?:[1-5]|i{1,3}|iv|v)(?![\w+])"
_LEVELS = re.compile(
    rf"(?P<a>{_LEVEL})(?:\s*(?:-|to|through)\s*(?P<b>{_LEVEL})"
    rf"|(?:\s*(?:,|or|and|/|,\s*or|,\s*and)\s*{_LEVEL})+)?"
)
_GMFCS = re.compile(r"\bgmfcs\b|gross motor function classification system")
_MACS = re.compile(r"\bmacs\b|manual ability classification system")
_ASHWORTH = re.compile(r"\b(?:modified\s+)?ashworth\b|\bm?as\b(?= (?:score|grade|of|≥|>))")
_BOTOX = re.compile(
    r"\b(?:botulinum(?:\s+neuro)?(?:\s*toxins?)?(?:\s+(?:type\s+)?a\b)?|botulin\w*|botox|bont(?:-?a)?|"
    r"onabotulinum\w*|abobotulinum\w*|incobotulinum\w*|dysport|xeomin)\b"
)
_ORTHO = re.compile(
    r"\b(?:orthop(?:a)?edic (?:surgery|surgeries|procedures?|intervention)|"
    r"(?:tendon|muscle|achilles)(?:[- ](?:lengthening|transfer|release)|s? lengthening)|"
    r"osteotom\w*|(?:lower[- ]limb|lower[- ]extremity|musculoskeletal|bone|hip|foot) surger\w*|"
    r"surger\w* (?:of|on|to) the (?:lower (?:limbs?|extremit\w+)|legs?|hips?|feet|spine)|"
    r"multilevel surgery|tenotom\w*|(?:scoliosis|spin(?:e|al)(?: fusion)?) surger\w*|"
    r"surger\w* for scoliosis)"
)
#: Orthopaedic surgery named in general (the family's answer settles it), not one procedure.
_ORTHO_GENERAL = re.compile(
    r"orthop(?:a)?edic|lower[- ]limb|lower[- ]extremity|musculoskeletal|"
    r"lower (?:limbs?|extremit)|legs?\b"
)
_SEIZURES = re.compile(r"\b(?:seizures?|epilep\w*|convulsions?|seizure disorder)\b")
_SEIZURE_QUALIFIER = re.compile(
    r"\b(?:uncontrolled|poorly|intractable|refractory|active|unstable|frequent|"
    r"not (?:well )?controlled|requiring|within|in the (?:last|past)|more than|febrile|"
    r"except|other than|status epilepticus|daily|weekly|monthly|despite)\b"
)
_NEGATION = re.compile(
    r"\b(?:no|not|without|absence of|free of|never|nor|none|negative for|"
    r"did not|does not|has not|have not)\b[^,;.]{0,40}$"
)


def _negated(text: str, start: int) -> bool:
    before = text[max(0, start - 50) : start]
    clause = re.split(r"[,;:.(]|\b(?:and|or|but|who|which|with)\b", before)[-1]
    return bool(_NEGATION.search(clause + " ")) or bool(
        re.search(r"\b(?:no|not|without|never)\s*$", before)
    )


def _months(number: str, unit: str) -> float:
    value = float(_WORD_NUMBERS.get(number, 0) or number.replace(",", "."))
    return {"y": value * 12, "m": value, "w": value / 4.345, "d": value / 30.44}[unit[0]]


def _since(text: str, start: int, end: int) -> tuple[float, int, int, tuple[int, int]] | None:
    """ "At least N months since ..." near a span: (months, span start, span end)."""
    for found in _SINCE.finditer(text):
        if found.start() > end + 20 or found.end() < start - 60:
            continue
        groups = [g for g in found.groups() if g]
        months = _months(groups[0], groups[1])
        return months, min(start, found.start()), max(end, found.end()), found.span()
    return None


def _timed(kind: str, text: str, found: re.Match, detail: str | None = None) -> Fact:
    """A treatment fact with its time: "within N months" or "at least N months since"."""
    since = _since(text, found.start(), found.end())
    if since is not None:
        months, start, end, part = since
        parts = (found.span(), part)
        return Fact(kind, start, end, True, months=months, detail=detail, parts=parts)
    months, start, end, part = _window(text, found.start(), found.end())
    return Fact(
        kind,
        start,
        end,
        negated=_negated(text, found.start()),
        months=months,
        detail=detail,
        parts=(found.span(), part) if part else (),
    )


def _window(
    text: str, start: int, end: int
) -> tuple[float | None, int, int, tuple[int, int] | None]:
    """The nearest "within N months" before or after a span, in months."""
    for found in _WINDOW.finditer(text):
        if found.start() > end + 80 or found.end() < start - 60:
            continue
        groups = [g for g in found.groups() if g]
        months = _months(groups[0], groups[1] if len(groups) > 1 else "months")
        return months, min(start, found.start()), max(end, found.end()), found.span()
    return None, start, end, None


def _levels(text: str, start: int) -> tuple[frozenset[int], int]:
    """The levels named after a scale's name: "level II-IV", "levels 1, 2 or 3", "I to III"."""
    tail = text[start : start + 60]
    found = re.search(
        r"^[^.;\d]{0,30}?(?:levels?|class(?:es)?|grades?|)\s*(?::|of|=)?\s*" + _LEVELS.pattern, tail
    )
    if not found:
        return frozenset(), start
    levels_text = found.group(0)[found.start("a") :]
    if found.group("b"):
        a, b = _level(found.group("a")), _level(found.group("b"))
        levels = frozenset(range(min(a, b), max(a, b) + 1))
    else:
        levels = frozenset(_level(x) for x in re.findall(_LEVEL, levels_text))
    return levels, start + found.end()


def _level(text: str) -> int:
    return int(text) if text.isdigit() else _ROMAN[text]


def _age_facts(text: str) -> list[Fact]:
    facts: list[Fact] = []
    taken: list[tuple[int, int]] = []

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for found in _AGE_RANGE.finditer(text):
        low, low_unit, high, high_unit = found.groups()
        unit = high_unit or low_unit
        if unit is None and not re.search(_AGE_WORD, found.group(0)):
            continue
        if unit and unit[0] not in "ymwd":
            continue
        facts.append(
            Fact(
                "age",
                found.start(),
                found.end(),
                min_age=_limit(low, low_unit or unit),
                max_age=_limit(high, unit),
            )
        )
        taken.append(found.span())
    for pattern, side in ((_AGE_MIN, "min"), (_AGE_MAX, "max")):
        for found in pattern.finditer(text):
            if not free(*found.span()):
                continue
            groups = [g for g in found.groups() if g is not None]
            number = groups[0]
            unit = groups[1] if len(groups) > 1 else None
            limit = _limit(number, unit)
            facts.append(
                Fact(
                    "age",
                    found.start(),
                    found.end(),
                    min_age=limit if side == "min" else None,
                    max_age=limit if side == "max" else None,
                )
            )
            taken.append(found.span())
    return facts


def recognise(item: str) -> tuple[Fact, ...]:
    """The facts an item states, in the order found."""
    text = fold(item)
    facts: list[Fact] = _age_facts(text)

    pregnancy = _PREGNANCY.search(text)
    adult = _ADULT.search(text)
    if adult and not pregnancy and not any(f.kind == "age" for f in facts):
        facts.append(Fact("age", adult.start(), adult.end(), min_age="18 Years"))
    both = _BOTH.search(text)
    if both:
        facts.append(Fact("sex", both.start(), both.end(), sexes=frozenset({"FEMALE", "MALE"})))
    else:
        for pattern, sex in ((_FEMALE, "FEMALE"), (_MALE, "MALE")):
            found = pattern.search(text)
            if found and not (sex == "FEMALE" and _PREGNANCY.search(text)):
                facts.append(
                    Fact(
                        "sex",
                        found.start(),
                        found.end(),
                        negated=_negated(text, found.start()),
                        sexes=frozenset({sex}),
                    )
                )
    found = _PREGNANCY.search(text)
    if found:
        spans = [m.span() for m in _PREGNANCY.finditer(text)]
        women = _FEMALE.search(text)
        start = min(spans[0][0], women.start() if women else spans[0][0])
        end = max(spans[-1][1], women.end() if women else spans[-1][1])
        facts.append(Fact("pregnancy", start, end, negated=_negated(text, spans[0][0])))
    found = _CONSENT.search(text)
    if found:
        facts.append(Fact("consent", found.start(), found.end()))
    for found in _LAB.finditer(text):
        after = text[found.end() : found.end() + 40]
        glycated = re.search(r"glyc\w*\s*$", text[max(0, found.start() - 15) : found.start()])
        if _LIMIT_NEAR.search(after) and not glycated:
            facts.append(Fact("lab", found.start(), found.end(), detail=found.lastgroup))
    botox = _BOTOX.search(text)
    if botox:
        facts.append(_timed("botox", text, botox))
    ortho = _ORTHO.search(text)
    if ortho:
        general = _ORTHO_GENERAL.search(ortho.group(0)) and not re.search(
            r"tendon|osteotom|tenotom|muscle|hip|foot|spin|scoliosis", text
        )
        facts.append(_timed("surgery", text, ortho, None if general else "specific"))
    if not botox and not ortho:
        treatment = _TREATMENT.search(text)
        if treatment:
            months, start, end, _part = _window(text, treatment.start(), treatment.end())
            if months is not None:
                facts.append(Fact("recent_treatment", start, end, months=months))
    cp = _CP.search(text)
    if cp:
        kind = cp.group("type") or ("spastic" if cp.group(0).startswith("spastic") else None)
        if kind in ("dystonic", "athetoid"):
            kind = "dyskinetic"
        distributed = bool(cp.group("dist")) or not cp.group(0).endswith(("palsy", "cp"))
        detail = (kind or "any") + ("+distribution" if distributed else "")
        facts.append(
            Fact(
                "diagnosis", cp.start(), cp.end(), negated=_negated(text, cp.start()), detail=detail
            )
        )
    for kind, pattern in (("gmfcs", _GMFCS), ("macs", _MACS)):
        found = pattern.search(text)
        if found:
            levels, end = _levels(text, found.end())
            facts.append(
                Fact(kind, found.start(), max(end, found.end()), levels=levels, negated=False)
            )
    found = _ASHWORTH.search(text)
    if found:
        facts.append(Fact("ashworth", found.start(), found.end()))
    found = _SEIZURES.search(text)
    if found:
        start = found.start()
        qualifier = _SEIZURE_QUALIFIER.search(text[max(0, start - 40) : found.end() + 60])
        months, s, e, _part = _window(text, start, found.end())
        facts.append(
            Fact(
                "seizures",
                min(s, start),
                e,
                negated=_negated(text, start),
                months=months,
                detail="qualified" if qualifier or months is not None else None,
            )
        )
    return tuple(sorted(facts, key=lambda f: (f.start, f.kind)))
