"""The content model: frozen dataclasses built by voice.triage.loader from content/*.yaml."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from .conditions import Condition


class Disposition(str, Enum):
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


class Kind(str, Enum):
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


@dataclass(frozen=True)
class DispositionText:
    """What is said for one disposition."""

    id: Disposition
    label: str
    """A few words for screens."""
    advice: str
    """The one action, said first in the outcome."""


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


@dataclass(frozen=True)
class Choice:
    """One value of a choice question."""

    id: str
    label: str
    """Spoken words for it."""
    max_days: int | None = None
    """For durations: the longest duration in days that falls in this value."""


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

    def choice(self, value: str) -> Choice:
        return next(c for c in self.choices if c.id == value)


@dataclass(frozen=True)
class Branch:
    """One way out of a tree node: the first whose condition holds is taken."""

    condition: Condition | None
    """None: always (the last branch)."""
    target: str
    """A node id or `outcome`."""


@dataclass(frozen=True)
class Node:
    """One step of the decision tree."""

    id: str
    ask: str
    """Question id."""
    when: Condition | None
    """Guard: the node is skipped unless this holds."""
    branches: tuple[Branch, ...]
    """Where to go next."""
    after_red_flag: bool = False
    """Asked even once an urgent red flag has fired, because its answer can still change the advice
    (pregnancy changes where to go); other nodes are then asked only if they could make it an emergency."""


OUTCOME = "outcome"


@dataclass(frozen=True)
class Tree:
    """The decision tree."""

    start: str
    nodes: dict[str, Node]


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


@dataclass(frozen=True)
class Evidence:
    """One feature pointing to (positive weight) or away from (negative) a cause."""

    when: Condition
    weight: float
    because: str
    """Reason phrase that finishes "because ..."."""


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
