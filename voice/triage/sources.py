"""Where a fact of the content comes from: a citation anyone can trace and check.

A `source:` text (and each item of a cause's `sources:` list) names one or more citations,
separated by "; ". Each is "PUBLISHER, TITLE, https://ADDRESS, checked YYYY-MM-DD", optionally
followed by a note in brackets:

    NHS, Sciatica, https://www.nhs.uk/conditions/sciatica/, checked 2026-12-07 (when to call 999)

The publisher is the text before the first comma, the title the text up to the address. A short
name alone ("NICE NG59", "seed 001", "as cited in ...") cannot be traced, so the loader rejects it
(`voice-triage check` names the file and line).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

CITATION = re.compile(
    r"^(?P<publisher>[^,;]+?), (?P<title>[^;]+?), (?P<address>https://[^\s,;]+), "
    r"checked (?P<checked>\d{4}-\d{2}-\d{2})(?: \((?P<note>[^()]+)\))?$"
)
FORM = "PUBLISHER, TITLE, https://ADDRESS, checked YYYY-MM-DD"
"""The citation's form, as the error's fix names it."""


@dataclass(frozen=True)
class Citation:
    """One traceable source."""

    publisher: str
    title: str
    address: str
    checked: date
    note: str = ""


def citations(text: str) -> list[Citation | str]:
    """The citations of a `source:` text; a part that is not one is returned as the problem (a
    sentence saying what is missing)."""
    found: list[Citation | str] = []
    for part in (p.strip() for p in text.split(";")):
        if not part:
            continue
        m = CITATION.match(part)
        if m is None:
            found.append(_missing(part))
            continue
        try:
            checked = date.fromisoformat(m["checked"])
        except ValueError:
            found.append(f"{part!r} has no real date ({m['checked']})")
            continue
        found.append(Citation(m["publisher"].strip(), m["title"].strip(), m["address"], checked,
                              (m["note"] or "").strip()))
    return found


def _missing(part: str) -> str:
    """What a citation that does not match lacks, in words."""
    lacks = []
    if "https://" not in part:
        lacks.append("an https:// address")
    if not re.search(r"checked \d{4}-\d{2}-\d{2}", part):
        lacks.append("the date it was checked")
    if part.split("https://")[0].count(",") < 2:
        lacks.append("a publisher and a title")
    what = ", ".join(lacks) if lacks else "the form"
    return f"source {part!r} lacks {what}"
