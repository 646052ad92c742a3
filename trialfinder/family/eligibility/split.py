"""A trial's eligibility criteria cut into items the way the registry writes them.

The registry gives one block of text (``eligibilityCriteria``): headings
("Inclusion Criteria:", "Key Exclusion Criteria", "Hematopoietic:"), bullets
("*", "-", "•"), numbers ("1.", "2)", "(a)"), items nested by indentation, and
sometimes plain lines or paragraphs. :func:`split_criteria` reads it line by line
into :class:`Block` s and never drops a character: the blocks' ``source`` re-joined
is the text itself, up to whitespace (see :func:`same_text`).

Two layouts are read:

* the API v2 form (Markdown-like): one line an item; a line indented deeper than
  the item above continues it;
* the legacy XML form (``<textblock>``), hard-wrapped at about 100 columns with
  every line indented: a line that follows another without a blank line
  continues it. It is recognised by every line being indented by 4 spaces or more.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

INCLUSION = "inclusion"
EXCLUSION = "exclusion"

#: Bullets and numbers that start an item: "*", "-", "•", "1.", "2)", "(3)", "a.", "(b)", "iv)".
_MARKER = re.compile(
    r"""^(?P<marker>
        \\?\*(?!\*) | \\?[-+] | [•·◦▪▫‣∙●○■□–—] |
        o(?=\s) |
        \(?\d{1,3}(?:\\?\.|\))(?!\d) | \(\d{1,3}\) |
        \(?[a-zA-Z][.)](?=\s) | \([a-zA-Z]\) |
        \(?(?:i|ii|iii|iv|v|vi|vii|viii|ix|x|xi|xii)[.)](?=\s)
    )(?P<gap>\s*)""",
    re.VERBOSE | re.IGNORECASE,
)
_EMPHASIS = re.compile(r"^[#*_\s]+|[*_\s]+$")
# "Inclusion Criteria:", "Key exclusion criteria", "INCLUSION CRITERIA", "Criteria for
# exclusion:", "Exclusion:", "Inclusion criteria for healthy volunteers:".
_SECTION = re.compile(
    r"""^(?:(?-i:[A-Z])[\w/-]*\s+){0,3}?(?:(?:key|main|major|general|specific|additional|other|study|patient|subject|
           participant|principal|primary|secondary)\s+)*
        (?:(?P<a>inclusion|inclusions|exclusion|exclusions|inclusionary|exclusionary)
            (?:\s+(?:criteria|criterion|criterium))?
         | criteria\s+(?:for|of)\s+(?P<b>inclusion|exclusion))
        \b(?P<rest>[^:]{0,80}?)\s*(?::|\.|$)""",
    re.VERBOSE | re.IGNORECASE,
)
_NUMBERED_ON_ONE_LINE = re.compile(
    r"(?:^|\s)\(?1[.)]\s.*\s\(?2[.)]\s|(?:^|\s)\(1\)\s.*\s\(2\)\s|\S\s*•|\s[a-b]\)\s.*\s[c-d]\)\s"
)


@dataclass(frozen=True)
class Block:
    """One heading or item, as written (line breaks inside it read as one space)."""

    #: "heading" (a section or sub-heading) or "item" (a criterion or a note).
    kind: str
    #: The bullet or number as written ("*", "1.", "(a)"), or "" for a plain line.
    marker: str
    #: The words after the marker, as written.
    text: str
    #: 0 for a top-level item; 1 for an item under it, and so on.
    depth: int = 0
    #: INCLUSION, EXCLUSION, or None before any heading says which.
    section: str | None = None
    #: The nearest heading above within the section ("Hematopoietic:"), if any.
    heading: str | None = None
    #: The index of the item this one is nested under.
    parent: int | None = None
    #: Whether the marker was followed by a space in the source ("• x" vs "•x").
    gap: bool = True
    #: Whether the block follows the one before on the same line with no space
    #: ("Exclusion Criteria:1. ...").
    attached: bool = False

    @property
    def source(self) -> str:
        """The block as the registry wrote it, line breaks aside."""
        if not self.marker:
            return self.text
        return self.marker + (" " if self.gap else "") + self.text

    @property
    def plain(self) -> str:
        """The text with the registry's Markdown escapes (``\\>``, ``\\<``) undone."""
        return re.sub(r"\\([\\`*_{}\[\]()#+\-.!<>=|~^])", r"\1", self.text)


@dataclass(frozen=True)
class Criteria:
    """A criteria text and its blocks."""

    text: str
    blocks: tuple[Block, ...] = ()
    #: Why the split is not clean, in plain words (empty when it is).
    doubts: tuple[str, ...] = field(default=())

    @property
    def items(self) -> tuple[Block, ...]:
        return tuple(b for b in self.blocks if b.kind == "item")

    def in_section(self, section: str | None) -> tuple[Block, ...]:
        return tuple(b for b in self.items if b.section == section)

    @property
    def inclusion(self) -> tuple[Block, ...]:
        return self.in_section(INCLUSION)

    @property
    def exclusion(self) -> tuple[Block, ...]:
        return self.in_section(EXCLUSION)

    @property
    def unsorted(self) -> tuple[Block, ...]:
        """Items the record puts under no inclusion or exclusion heading."""
        return self.in_section(None)

    @property
    def clean(self) -> bool:
        return not self.doubts

    def rejoined(self) -> str:
        return "".join(
            ("" if i == 0 or b.attached else "\n") + b.source for i, b in enumerate(self.blocks)
        )


def normalise(text: str) -> str:
    """The comparison of "nothing lost": every run of whitespace (spaces, tabs, line
    breaks, Unicode spaces) read as one space, none at either end."""
    return " ".join(text.split())


def same_text(criteria: Criteria) -> bool:
    """Whether the blocks re-joined give back the text, whitespace runs aside."""
    return normalise(criteria.rejoined()) == normalise(criteria.text)


def section_of(line: str) -> str | None:
    """INCLUSION or EXCLUSION when the line is such a heading (with or without
    a bullet, Markdown emphasis or a colon), else None."""
    words = _EMPHASIS.sub("", line)
    found = _SECTION.match(words)
    if not found:
        return None
    # "Exclusion of patients with ...": a sentence, not a heading.
    rest = found.group("rest").strip()
    if rest and not re.match(r"^(?:(?i:for|in|of the|to)\b|\(|-|–|\d|[A-Z])", rest):
        return None
    if len(words) > 120:
        return None
    name = (found.group("a") or found.group("b")).lower()
    return INCLUSION if name.startswith("inclusion") else EXCLUSION


def _heading_end(line: str) -> int | None:
    """Where a section heading ends when words follow it on the same line
    ("Inclusion Criteria: aged 2 to 12"), else None."""
    colon = line.find(":")
    if colon < 0 or not line[colon + 1 :].strip(" \t.").strip():
        return None
    if section_of(line[: colon + 1]) is None:
        return None
    return colon + 1


def _is_sub_heading(content: str) -> bool:
    """ "Hematopoietic:", "PATIENT CHARACTERISTICS", "Patients must meet all of the
    following:" — an unmarked line ending with a colon, or a short one in capitals."""
    stripped = _EMPHASIS.sub("", content)
    if stripped.endswith(":") and len(stripped) <= 250:
        return True
    letters = [c for c in stripped if c.isalpha()]
    return 8 <= len(stripped) <= 80 and len(letters) >= 6 and all(c.isupper() for c in letters)


@dataclass
class _Open:
    kind: str
    marker: str
    gap: bool
    lines: list[str]
    indent: int
    depth: int
    section: str | None
    heading: str | None
    parent: int | None
    attached: bool = False


def split_criteria(text: str | None) -> Criteria:
    """The criteria as headings and items (see the module's docstring)."""
    if not text or not text.strip():
        return Criteria(text or "")
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    filled = [line for line in lines if line.strip()]
    common = min(len(line) - len(line.lstrip()) for line in filled)
    wrapped = common >= 4
    blocks: list[Block] = []
    current: _Open | None = None
    section: str | None = None
    heading: str | None = None
    # Open items by indent: (indent, index of the block) — for depth and parent.
    stack: list[tuple[int, int]] = []

    def close() -> None:
        nonlocal current
        if current is not None:
            blocks.append(
                Block(
                    kind=current.kind,
                    marker=current.marker,
                    text=" ".join(current.lines),
                    depth=current.depth,
                    section=current.section,
                    heading=current.heading,
                    parent=current.parent,
                    gap=current.gap,
                    attached=current.attached,
                )
            )
            current = None

    def start_item(marker: str, gap: bool, words: str, indent: int, attached: bool = False) -> None:
        nonlocal current
        close()
        while stack and stack[-1][0] >= indent:
            stack.pop()
        parent = stack[-1][1] if stack else None
        current = _Open(
            "item", marker, gap, [words], indent, len(stack), section, heading, parent, attached
        )
        stack.append((indent, len(blocks)))

    def start_heading(
        words: str, new_section: str | None, marker: str = "", gap: bool = True
    ) -> None:
        nonlocal current, section, heading
        close()
        if new_section is not None:
            section, heading = new_section, None
            stack.clear()
        else:
            heading = _EMPHASIS.sub("", words)
            while stack and stack[-1][0] >= 0 and marker == "":
                stack.pop()
        current = _Open("heading", marker, gap, [words], 0, 0, section, None, None)
        close()

    for line in lines:
        if not line.strip():
            close()
            continue
        indent = len(line) - len(line.lstrip())
        content = line.strip()
        marked = _MARKER.match(content)
        words = content[marked.end() :] if marked else content
        if marked and not words:
            marked, words = None, content
        new_section = section_of(words)
        if new_section is not None:
            end = _heading_end(words)
            marker = marked.group("marker") if marked else ""
            gap = bool(marked.group("gap")) if marked else True
            if end is None:
                start_heading(words, new_section, marker, gap)
            else:
                rest = words[end:]
                start_heading(words[:end], new_section, marker, gap)
                follower = _MARKER.match(rest.strip())
                if follower and rest.strip()[follower.end() :]:
                    inline = rest.strip()
                    start_item(
                        follower.group("marker"),
                        bool(follower.group("gap")),
                        inline[follower.end() :],
                        indent + 1,
                        attached=not rest[:1].isspace(),
                    )
                else:
                    start_item("", True, rest.strip(), indent + 1, attached=not rest[:1].isspace())
            continue
        continues = current is not None and current.kind == "item" and not marked
        if continues and not wrapped:
            continues = indent > current.indent
        if continues:
            current.lines.append(content)
            continue
        if not marked and _is_sub_heading(content):
            start_heading(content, None)
            continue
        if marked:
            start_item(marked.group("marker"), bool(marked.group("gap")), words, indent)
        else:
            start_item("", True, content, indent)
    close()
    return Criteria(text, tuple(blocks), _doubts(tuple(blocks)))


def _doubts(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    doubts = []
    items = [b for b in blocks if b.kind == "item"]
    if not any(
        b.kind == "heading" and _EMPHASIS.sub("", b.text) and section_of(b.text) for b in blocks
    ):
        doubts.append("no inclusion or exclusion heading")
    elif any(b.section is None for b in items):
        doubts.append("items before the first inclusion or exclusion heading")
    for section in (INCLUSION, EXCLUSION):
        here = [b for b in items if b.section == section]
        if any(b.marker for b in here) and any(not b.marker for b in here):
            doubts.append("plain text among the list's items")
            break
    if any(_NUMBERED_ON_ONE_LINE.search(b.source) for b in items):
        doubts.append("a list written on one line")
    return tuple(doubts)
