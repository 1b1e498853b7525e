"""The possible causes of causes.yaml: their evidence, self-care tips and when to see a doctor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .conditions import Condition, Fact, Not
from .model import REGION_PLACEHOLDERS, Disposition, Finding

if TYPE_CHECKING:
    from ..yamlio import Mapping
    from .reader import ContentReader


@dataclass(frozen=True)
class Evidence:
    """One feature pointing to (positive weight) or away from (negative) a cause."""

    when: Condition
    weight: float
    because: str
    """Reason phrase that finishes "because ..."."""

    @classmethod
    def from_dict(cls, r: ContentReader, item: object, cause: Mapping, what: str) -> Evidence:
        """One `evidence` item of cause `what`; without `because`, a finding's own reason."""
        item = r.mapping(item, f"{what}: evidence", cause, "evidence")
        r.keys(item, {"when", "weight"}, {"because"}, f"{what}: evidence")
        cond = r.condition(item, "when", f"{what}: evidence")
        because = item.get("because")
        if because is None:
            because = _default_reason(cond, r.findings)
            if because is None:
                r.fail(f"{what}: this evidence needs a `because` reason", item, "when",
                       fix="add because: a short phrase that finishes 'because ...'")
        if not isinstance(item["weight"], (int, float)) or isinstance(item["weight"], bool):
            r.fail(f"{what}: weight must be a number", item, "weight")
        return cls(cond, float(item["weight"]), " ".join(str(because).split()))


@dataclass(frozen=True)
class Tip:
    """One self-care tip."""

    say: str
    source: str
    levels: frozenset[Disposition] | None = None
    """The outcome levels it is said at (None: every level). A tip that would not fit the
    outcome's one action and time frame is left out."""
    when: Condition | None = None
    """Said only when this holds for the person's answers ("not sure" is not enough), e.g. a
    tip for people who have had cancer."""

    def fits(self, level: Disposition) -> bool:
        return self.levels is None or level in self.levels

    @classmethod
    def from_dict(cls, r: ContentReader, tip: object, cause: Mapping, what: str) -> Tip:
        """One `self_care` tip of cause `what`."""
        tip = r.mapping(tip, f"{what}: self_care tip", cause, "self_care")
        r.keys(tip, {"say", "source"}, {"levels", "when"}, f"{what}: self_care tip")
        when = r.condition(tip, "when", f"{what}: self_care tip") if "when" in tip else None
        return cls(r.text(tip, "say", what, REGION_PLACEHOLDERS), r.source(tip, "source", what),
                   _levels(r, tip, f"{what}: self_care tip") if "levels" in tip else None, when)


@dataclass(frozen=True)
class Cause:
    """A possible cause of the pain."""

    id: str
    name: str
    description: str
    serious: bool
    prior: float
    """Starting score: how common it is."""
    level: Disposition
    """Advice level when it is the most likely cause."""
    evidence: tuple[Evidence, ...]
    self_care: tuple[Tip, ...]
    see_doctor: dict[Disposition, str]
    """When and whom to see, by the outcome's level: said only when the outcome is at that level,
    so it never names another time frame than the outcome's one action."""
    sources: tuple[str, ...]
    requires: Condition | None = None
    """The cause is never named unless this holds, or may hold ("not sure"): pregnancy causes
    require `pregnant`, so an unasked or denied pregnancy rules them out."""

    @classmethod
    def from_dict(cls, r: ContentReader, cid: str, entry: object, data: Mapping) -> Cause:
        """One entry of causes.yaml."""
        entry = r.mapping(entry, f"cause {cid!r}", data, cid)
        what = f"cause {cid!r}"
        r.keys(entry, {"name", "description", "serious", "prior", "level", "evidence",
                       "self_care", "see_doctor", "sources"}, {"requires"}, what)
        level = r.level(entry, "level", what)
        requires = r.condition(entry, "requires", what) if "requires" in entry else None
        evidence = tuple(Evidence.from_dict(r, item, entry, what) for item in entry["evidence"] or [])
        if not isinstance(entry["self_care"], list) or not entry["self_care"]:
            r.fail(f"{what} has no self-care tips", entry, "self_care",
                   fix="add at least one tip: {say: ..., source: ...}")
        tips = tuple(Tip.from_dict(r, tip, entry, what) for tip in entry["self_care"])
        see_doctor = _see_doctor(r, entry, level, what)
        sources = entry["sources"]
        if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s for s in sources):
            r.fail(f"{what} has no sources", entry, "sources",
                   fix='list where its facts come from, e.g. ["NHS, Sciatica, '
                       'https://www.nhs.uk/conditions/sciatica/, checked 2026-12-07"]')
        sources = [r.source(entry, "sources", what, value=item) for item in sources]
        if not isinstance(entry["serious"], bool):
            r.fail(f"{what}: serious must be true or false", entry, "serious")
        if not isinstance(entry["prior"], (int, float)) or isinstance(entry["prior"], bool):
            r.fail(f"{what}: prior must be a number", entry, "prior")
        return cls(
            cid, r.text(entry, "name", what, set()), r.text(entry, "description", what, REGION_PLACEHOLDERS),
            entry["serious"], float(entry["prior"]), level, evidence, tips, see_doctor, tuple(sources),
            requires,
        )


def _levels(r: ContentReader, entry: Mapping, what: str) -> frozenset[Disposition]:
    """A `levels:` list of advice levels."""
    value = entry["levels"]
    if not isinstance(value, list) or not value:
        r.fail(f"{what}: levels must be a non-empty list", entry, "levels",
               fix="list the outcome levels it fits, e.g. [self_care, soon]")
    levels = set()
    for item in value:
        try:
            levels.add(Disposition(item))
        except ValueError:
            r.fail(f"{what}: unknown level {item!r} in levels", entry, "levels",
                   fix="use emergency, urgent, soon or self_care")
    return frozenset(levels)


def _see_doctor(r: ContentReader, entry: Mapping, level: Disposition, what: str) -> dict[Disposition, str]:
    """`see_doctor`: one text (said when the outcome is at the cause's own level), or texts by level."""
    value = entry["see_doctor"]
    if isinstance(value, str):
        return {level: r.text(entry, "see_doctor", what, REGION_PLACEHOLDERS)}
    texts = r.mapping(value, f"{what}: see_doctor", entry, "see_doctor")
    result = {}
    for key in texts:
        try:
            at = Disposition(key)
        except ValueError:
            r.fail(f"{what}: see_doctor has unknown level {key!r}", texts, key,
                   fix="key each text by the outcome level it is said at: emergency, urgent, soon, self_care")
        result[at] = r.text(texts, key, f"{what}: see_doctor", REGION_PLACEHOLDERS)
    return result


def _default_reason(cond: Condition, findings: dict[str, Finding]) -> str | None:
    """A plain finding's own reason: its `yes_reason`, or its `no_reason` under a `not`."""
    if isinstance(cond, Fact) and cond.finding in findings:
        return findings[cond.finding].yes_reason
    if isinstance(cond, Not) and isinstance(cond.part, Fact) and cond.part.finding in findings:
        return findings[cond.part.finding].no_reason
    return None
