"""The content model: frozen dataclasses, each read from its YAML entry by a `from_dict` classmethod.

voice.triage.loader reads a content folder with them; the tree and the causes are in
voice.triage.tree and voice.triage.causes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING

from .conditions import Condition

if TYPE_CHECKING:
    from ..yamlio import Mapping
    from .causes import Cause
    from .reader import ContentReader
    from .tree import Tree

REGION_PLACEHOLDERS = {"emergency_number", "urgent_line", "emergency_place"}
"""The placeholders of a spoken content text: the region's settings."""


class Disposition(str, Enum):  # noqa: UP042 (StrEnum would change str() and format())
    """Advice levels of protocol.md, most urgent first."""

    EMERGENCY = "emergency"
    URGENT = "urgent"
    SOON = "soon"
    SELF_CARE = "self_care"

    @property
    def rank(self) -> int:
        """3 for emergency down to 0 for self-care."""
        return {"emergency": 3, "urgent": 2, "soon": 1, "self_care": 0}[self.value]

    @classmethod
    def most_urgent(cls, *levels: Disposition) -> Disposition:
        return max(levels, key=lambda d: d.rank)


class Kind(str, Enum):  # noqa: UP042 (StrEnum would change str() and format())
    """Question kinds of protocol.md."""

    YES_NO = "yes_no"
    NUMBER = "number"
    CHOICE = "choice"


@dataclass(frozen=True)
class Region:
    """Emergency and non-emergency numbers of one region."""

    id: str
    name: str
    """Region name for people."""
    emergency_number: str
    """The emergency number, e.g. 999."""
    urgent_line: str
    """Where to get same-day help, e.g. NHS 111."""
    emergency_place: str
    """What the emergency department is called there."""

    @classmethod
    def from_dict(cls, r: ContentReader, rid: str, entry: object, data: Mapping) -> Region:
        """One region of regions.yaml."""
        entry = r.mapping(entry, f"region {rid!r}", data, rid)
        keys = ("name", "emergency_number", "urgent_line", "emergency_place")
        r.keys(entry, set(keys), set(), f"region {rid!r}")
        return cls(rid, *(r.text(entry, k, f"region {rid!r}", set()) for k in keys))


@dataclass(frozen=True)
class DispositionText:
    """What is said for one disposition."""

    id: Disposition
    label: str
    """A few words for screens."""
    advice: str
    """The one action, said first in the outcome."""
    safety_net: tuple[SafetyNetLine, ...] = ()
    """The signs to remember, said after the rest of the advice (none for an emergency)."""

    @classmethod
    def from_dict(cls, r: ContentReader, d: Disposition, data: Mapping) -> DispositionText:
        """The entry of dispositions.yaml for level `d`."""
        entry = r.mapping(data[d.value], d.value, data, d.value)
        what = f"disposition {d.value!r}"
        r.keys(entry, {"label", "advice"}, {"safety_net"}, what)
        lines = entry.get("safety_net", [])
        if not isinstance(lines, list):
            r.fail(f"{what}: safety_net is not a list", entry, "safety_net",
                   fix="give a list of {say: ..., when: ...} items")
        return cls(d, r.text(entry, "label", d.value, set()),
                   r.text(entry, "advice", d.value, REGION_PLACEHOLDERS),
                   tuple(SafetyNetLine.from_dict(r, line, entry, what) for line in lines))


@dataclass(frozen=True)
class SafetyNetLine:
    """One sentence of a safety-net; with `when`, left out when that is false for the person's
    answers (unknown keeps it): no "if you get a fever" to someone with a fever."""

    say: str
    when: Condition | None = None

    @classmethod
    def from_dict(cls, r: ContentReader, line: object, entry: Mapping, what: str) -> SafetyNetLine:
        line = r.mapping(line, f"{what}: safety_net line", entry, "safety_net")
        r.keys(line, {"say"}, {"when"}, f"{what}: safety_net line")
        when = r.condition(line, "when", f"{what}: safety_net line") if "when" in line else None
        return cls(r.text(line, "say", what, REGION_PLACEHOLDERS), when)


@dataclass(frozen=True)
class Finding:
    """A fact a question asks about."""

    id: str
    description: str
    """What it means, for staff."""
    yes_reason: str
    """Finishes "because ..." when it is present."""
    no_reason: str
    """Finishes "because ..." when it is absent."""
    maybe_reason: str = ""
    """Finishes "because ..." when a screen of several signs was answered yes and which one is not
    known (empty: yes_reason)."""

    @classmethod
    def from_dict(cls, r: ContentReader, fid: str, entry: object, data: Mapping) -> Finding:
        """One finding of findings.yaml."""
        what = f"finding {fid!r}"
        entry = r.mapping(entry, what, data, fid)
        r.keys(entry, {"description", "yes_reason", "no_reason"}, {"maybe_reason"}, what)
        return cls(fid, *(r.text(entry, k, what, set()) for k in ("description", "yes_reason", "no_reason")),
                   maybe_reason=r.text(entry, "maybe_reason", what, set()) if "maybe_reason" in entry else "")


@dataclass(frozen=True)
class Choice:
    """One value of a choice question."""

    id: str
    label: str
    """Spoken words for it."""
    max_days: int | None = None
    """For durations: the longest duration in days that falls in this value."""

    @classmethod
    def from_dict(cls, r: ContentReader, cid: str, entry: object, data: Mapping, question: str) -> Choice:
        """One of the `choices` of a choice question (`question` names it)."""
        entry = r.mapping(entry, f"choice {cid!r}", data, cid)
        r.keys(entry, {"label"}, {"max_days"}, f"choice {cid!r} of {question}")
        return cls(cid, r.text(entry, "label", f"choice {cid!r}", set()), entry.get("max_days"))


@dataclass(frozen=True)
class Question:
    """One question as asked."""

    id: str
    kind: Kind
    findings: tuple[str, ...]
    """Finding ids it asks about; several means "any of these?"."""
    text: str
    """As first spoken."""
    rephrase: str
    """Simpler, more explicit wording for retries."""
    help: str
    """Explains the question and which answers work."""
    why: str
    """Why it is asked."""
    readback: str
    """A few words naming the answer in the read-back."""
    source: str = ""
    """Where the fact behind `why` comes from."""
    minimum: int | None = None
    """Smallest number accepted (number questions)."""
    maximum: int | None = None
    """Largest number accepted (number questions)."""
    unit: str | None = None
    """Unit of a number answer."""
    at_least: str | None = None
    """A number question asked as yes or no ("Are you {value} or older?"): used when a spoken number
    is not understood (dialog `number_at_least` when missing)."""
    choices: tuple[Choice, ...] = ()
    """Values of a choice question, in order."""
    about_child: bool = False
    """Asked about a child (age under 16), so a parent may answer it: "my son has a fever" is then
    about the person asked about (set by the dialog, never in content)."""

    def choice(self, value: str) -> Choice:
        return next(c for c in self.choices if c.id == value)

    @classmethod
    def from_dict(cls, r: ContentReader, qid: str, entry: object, data: Mapping) -> Question:
        """One entry of questions.yaml; a yes/no question asks only about findings of findings.yaml."""
        entry = r.mapping(entry, f"question {qid!r}", data, qid)
        what = f"question {qid!r}"
        base = {"kind", "findings", "text", "rephrase", "help", "why", "readback"}
        r.keys(entry, base, {"source", "min", "max", "unit", "at_least", "choices"}, what)
        try:
            kind = Kind(entry["kind"])
        except ValueError:
            r.fail(f"{what}: unknown kind {entry['kind']!r}", entry, "kind",
                   fix="use yes_no, number or choice")
        fids = entry["findings"]
        if not isinstance(fids, list) or not fids or not all(isinstance(f, str) for f in fids):
            r.fail(f"{what}: findings must be a non-empty list of finding ids", entry, "findings")
        if kind is not Kind.YES_NO and len(fids) != 1:
            r.fail(f"{what}: a {kind.value} question asks about exactly one finding", entry, "findings")
        if kind is Kind.YES_NO:
            for f in fids:
                if f not in r.findings and not r.is_broken(f"finding:{f}") and not r.is_broken("findings"):
                    r.fail(f"{what} asks about unknown finding {f!r}", entry, "findings",
                           fix="use a finding id defined in findings.yaml (protocol.md lists them)")
        kwargs = {}
        if kind is Kind.NUMBER:
            for key in ("min", "max"):
                if not isinstance(entry.get(key), int):
                    r.fail(f"{what}: a number question needs an integer {key!r}", entry, key)
            kwargs = {"minimum": entry["min"], "maximum": entry["max"], "unit": entry.get("unit")}
            if "at_least" in entry:
                kwargs["at_least"] = r.text(entry, "at_least", what, REGION_PLACEHOLDERS | {"value"})
        elif kind is Kind.CHOICE:
            choices_data = r.mapping(entry.get("choices"), f"{what}: choices", entry, "choices")
            choices = tuple(Choice.from_dict(r, cid, c, choices_data, what)
                            for cid, c in choices_data.items())
            if len(choices) < 2:
                r.fail(f"{what}: a choice question needs at least two choices", entry, "choices")
            kwargs = {"choices": choices}
        elif {"min", "max", "at_least", "choices"} & set(entry):
            r.fail(f"{what}: min, max, at_least and choices belong to number and choice questions", entry)
        return cls(
            id=qid, kind=kind, findings=tuple(fids),
            text=r.text(entry, "text", what, REGION_PLACEHOLDERS),
            rephrase=r.text(entry, "rephrase", what, REGION_PLACEHOLDERS),
            help=r.text(entry, "help", what, REGION_PLACEHOLDERS),
            why=r.text(entry, "why", what, REGION_PLACEHOLDERS),
            readback=r.text(entry, "readback", what, set()),
            source=r.source(entry, "source", what) if "source" in entry else "", **kwargs,
        )


@dataclass(frozen=True)
class Rule:
    """A red flag (emergency or urgent) or an escalation (soon)."""

    id: str
    when: Condition
    level: Disposition
    unsure_level: Disposition
    """Level when it holds only if "not sure" answers are read as yes."""
    suspects: tuple[str, ...]
    """Cause ids put first in the outcome."""
    advice: str
    """Spoken advice specific to this rule."""
    source: str
    action: str = ""
    """Said first instead of the level's own advice (dispositions.yaml) when this rule holds and
    drives the outcome, for a rule whose one action is somewhere else: "call your maternity unit"."""
    action_when_unsure: bool = False
    """The `action` stands too when the rule holds only through a "not sure" (a pregnant woman not
    sure about a warning sign calls her maternity unit as well)."""

    @classmethod
    def from_dict(cls, r: ContentReader, name: str, entry: object, data: list, levels: set[Disposition],
                  taken: set[str]) -> Rule:
        """One rule of red_flags.yaml or escalations.yaml (`name`), at one of `levels`; its id joins
        `taken`, the ids of the rules before it."""
        red_flag = name == "red_flags.yaml"
        entry = r.mapping(entry, "a rule", data)
        r.keys(entry, {"id", "when", "level", "suspects", "advice", "source"},
               {"unsure_level", "action", "action_when_unsure"}, "a rule")
        rid = str(entry["id"])
        what = f"rule {rid!r}"
        if rid in taken:
            r.fail(f"{what} is defined twice", entry, "id")
        taken.add(rid)
        level = r.level(entry, "level", what)
        if level not in levels:
            kind = "a red flag" if red_flag else "an escalation"
            allowed = " or ".join(sorted(lvl.value for lvl in levels))
            r.fail(f"{what} is {kind} with level {level.value!r}", entry, "level",
                   fix=f"{kind} must be {allowed}" + (
                       "; move milder reasons to see a doctor to escalations.yaml" if red_flag else ""))
        if "unsure_level" in entry:
            unsure = r.level(entry, "unsure_level", what)
        else:
            unsure = Disposition.URGENT if level is Disposition.EMERGENCY else level
        if unsure.rank > level.rank:
            r.fail(f"{what}: unsure_level is more urgent than level", entry, "unsure_level")
        if red_flag and unsure.rank < Disposition.URGENT.rank:
            r.fail(f"{what}: a red flag answered 'not sure' must stay at least urgent", entry, "unsure_level",
                   fix="use urgent or emergency: a 'not sure' is never read as no")
        cond = r.condition(entry, "when", what)
        suspects = entry["suspects"]
        if not isinstance(suspects, list) or not all(
                s in r.causes or r.is_broken(f"cause:{s}") or r.is_broken("causes") for s in suspects):
            bad = [s for s in suspects or [] if s not in r.causes] if isinstance(suspects, list) else suspects
            r.fail(f"{what}: unknown suspected cause {bad!r}", entry, "suspects",
                   fix="list cause ids from causes.yaml")
        action = r.text(entry, "action", what, REGION_PLACEHOLDERS) if "action" in entry else ""
        when_unsure = entry.get("action_when_unsure", False)
        if not isinstance(when_unsure, bool) or (when_unsure and not action):
            r.fail(f"{what}: action_when_unsure must be true or false, beside an action", entry,
                   "action_when_unsure", fix="write action_when_unsure: true under the rule's action")
        advice = r.text(entry, "advice", what, REGION_PLACEHOLDERS)
        source = r.source(entry, "source", what)
        return cls(rid, cond, level, unsure, tuple(suspects), advice, source, action, when_unsure is True)


@dataclass(frozen=True)
class Content:
    """Everything the triage says and decides, loaded from one content folder."""

    folder: str
    regions: dict[str, Region]
    default_region: str
    dispositions: dict[Disposition, DispositionText]
    findings: dict[str, Finding]
    questions: dict[str, Question]
    tree: Tree
    red_flags: tuple[Rule, ...]
    escalations: tuple[Rule, ...]
    causes: dict[str, Cause]
    dialog: dict[str, object] = field(default_factory=dict)
    """Every other sentence, by key (strings or lists of strings)."""

    def say(self, key: str, index: int | None = None) -> str:
        """A dialog sentence (the `index`-th, clamped, for lists)."""
        value = self.dialog[key]
        if isinstance(value, list):
            return value[min(index or 0, len(value) - 1)]
        return str(value)
