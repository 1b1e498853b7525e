"""Strict reading of content YAML: checked values, errors with file, line and fix, and every problem kept.

The content types' `from_dict` classmethods (voice.triage.model, causes, tree) read their entries
through a `ContentReader`; voice.triage.loader opens the files and calls them.
"""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import ContentError
from ..yamlio import Mapping, YamlReader
from .conditions import ChoiceTest, Condition, Fact, Not, NumberTest, parse_condition
from .model import REGION_PLACEHOLDERS, Disposition, Finding, Kind, Question
from .sources import FORM, citations

if TYPE_CHECKING:
    from .causes import Cause

PLACEHOLDERS = REGION_PLACEHOLDERS | {
    # dialog only: filled by the session
    "question", "rephrase", "answers", "help", "why", "label", "answer", "choices", "name",
    "reasons", "example", "items", "heard", "what", "count", "advice", "value", "low", "high", "named",
}
"""The placeholders of a dialog.yaml text: the region's settings and what the session fills in."""


class ContentReader(YamlReader):
    """Turns the YAML mappings of one content folder into checked values, with file and line in errors
    (the project's one `YamlReader`), and keeps every problem so checking goes on.

    Knows the findings and questions read so far, so a condition names only findings that exist
    and tests each with the kind of its question."""

    documented = "content/README.md documents each key"

    def __init__(self, folder: Path):
        super().__init__(folder)
        self.problems: list[ContentError] = []
        """Every problem found so far (`voice-triage check` reports them all)."""
        self.broken: set[str] = set()
        """Items that had a problem ("question:pain_score"): what refers to them is not reported again."""
        self.findings: dict[str, Finding] = {}
        """findings.yaml, once read."""
        self.questions: dict[str, Question] = {}
        """questions.yaml, once read."""
        self.causes: dict[str, Cause] = {}
        """causes.yaml, once read."""

    @contextmanager
    def item(self, *refs: str) -> Iterator[None]:
        """A problem inside is recorded and the rest of this item skipped, so checking goes on with
        the next item; `refs` name what is then broken."""
        try:
            yield
        except ContentError as err:
            self.problems.append(err)
            self.broken.update(refs)

    def is_broken(self, ref: str) -> bool:
        """True when `ref` had a problem of its own (a reference to it is not a second problem)."""
        return ref in self.broken

    def text(self, data: Mapping, key: str, what: str, allowed: set[str] = PLACEHOLDERS) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{what}: {key!r} must be non-empty text", data, key)
        self.placeholders(value, data, key, allowed)
        return " ".join(value.split())

    def source(self, data: Mapping, key: str, what: str, value: object = None) -> str:
        """A `source:` text (or `value`, one item of a `sources:` list at `key`): every citation
        names publisher, title, https address and the date it was checked (voice.triage.sources)."""
        text = data.get(key) if value is None else value
        if not isinstance(text, str) or not text.strip():
            self.fail(f"{what}: {key!r} must be non-empty text", data, key)
        for found in citations(" ".join(text.split())):
            if isinstance(found, str):
                self.fail(f"{what}: {found}", data, key,
                          fix=f"write each source as {FORM!r}, several separated by '; '")
        return " ".join(text.split())

    def placeholders(self, value: str, node: Mapping, key: str, allowed: set[str]) -> None:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as err:
            self.fail(f"broken {{placeholder}} in {key!r}: {err}", node, key, fix="use {name} or {{ }}")
        bad = names - allowed
        if bad:
            self.fail(
                f"unknown placeholder {{{sorted(bad)[0]}}} in {key!r}", node, key,
                fix=f"use one of: {', '.join('{' + p + '}' for p in sorted(allowed))}",
            )

    def level(self, entry: Mapping, key: str, what: str) -> Disposition:
        try:
            return Disposition(entry[key])
        except ValueError:
            self.fail(f"{what}: unknown level {entry[key]!r}", entry, key,
                      fix="use emergency, urgent, soon or self_care")

    @property
    def value_findings(self) -> dict[str, Kind]:
        """The findings answered with a number or a choice, and that kind."""
        return {q.findings[0]: q.kind for q in self.questions.values() if q.kind is not Kind.YES_NO}

    def condition(self, data: Mapping, key: str, what: str) -> Condition:
        """The condition at `key`: parsed, its findings known, each tested as its question answers it."""
        try:
            cond = parse_condition(data[key])
        except ContentError as err:
            self.fail(f"{what}: {err.message}", data, key, fix=err.fix)
        value_findings = self.value_findings
        for f in cond.findings():
            if f not in self.findings and f not in value_findings and not self.is_broken(f"finding:{f}") \
                    and not self.is_broken("findings"):
                self.fail(f"{what}: unknown finding {f!r}", data, key,
                          fix="use a finding id from findings.yaml or a number/choice question's finding")
        if not self.is_broken("questions"):
            _check_kinds(cond, value_findings, self.questions, lambda m: self.fail(f"{what}: {m}", data, key))
        return cond


def _check_kinds(cond: Condition, value_findings: dict[str, Kind], questions: dict, fail) -> None:
    """Yes/no tests on yes/no findings, number tests on numbers, choice tests on choices."""
    stack = [cond]
    while stack:
        c = stack.pop()
        parts = getattr(c, "parts", None) or ([c.part] if isinstance(c, Not) else [])
        stack.extend(parts)
        if isinstance(c, Fact) and c.finding in value_findings:
            fail(f"{c.finding!r} is answered with a {value_findings[c.finding].value}, not yes or no")
        if isinstance(c, NumberTest) and value_findings.get(c.finding) is not Kind.NUMBER:
            fail(f"{c.finding!r} is not a number")
        if isinstance(c, ChoiceTest):
            if value_findings.get(c.finding) is not Kind.CHOICE:
                fail(f"{c.finding!r} is not a choice")
            q = next(q for q in questions.values() if q.findings == (c.finding,))
            bad = [v for v in c.values if v not in {ch.id for ch in q.choices}]
            if bad:
                fail(f"{bad[0]!r} is not a value of {c.finding!r}")
