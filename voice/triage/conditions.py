"""Three-valued conditions over answers: True, False, or None (not known yet, or "not sure").

Written in YAML as documented in content/README.md:
`finding`, `{not: C}`, `{all: [..]}`, `{any: [..]}`, `{number: age, at_least: 50, below: 80}`,
`{choice: duration, in: [..]}`, `{answered: finding}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..errors import ContentError

YES, NO, UNSURE = "yes", "no", "unsure"


@dataclass(frozen=True)
class NumberRange:
    """A number known only to lie in `low` <= n < `high` (`high` None: no upper end).

    Recorded when a spoken number was not understood and the person answered yes/no questions about
    the thresholds the content tests instead ("Are you 50 or older?"). The ranges asked always fall
    between two thresholds, so every number test gives a definite answer on them."""

    low: int
    high: int | None = None


@dataclass
class Answers:
    """What the person has said so far, by finding id."""

    values: dict[str, object] = field(default_factory=dict)
    """finding -> "yes" | "no" | "unsure" | int or NumberRange (numbers) | choice value id."""
    any_yes: list[frozenset[str]] = field(default_factory=list)
    """Groups answered yes to "any of these?" (at least one is present)."""
    group_unsure: set[str] = field(default_factory=set)
    """Findings that are "not sure" only because a whole "any of these?" was answered not sure: a
    question about that finding alone is still asked, one item at a time."""

    def copy(self) -> Answers:
        return Answers(dict(self.values), list(self.any_yes), set(self.group_unsure))

    def known(self, finding: str) -> bool:
        return finding in self.values


class Condition:
    """Base of the condition tree."""

    def evaluate(self, answers: Answers, unsure_as_yes: bool = False) -> bool | None:
        raise NotImplementedError

    def findings(self) -> set[str]:
        """Every finding id this condition reads."""
        raise NotImplementedError

    def plain_findings(self) -> tuple[str, ...]:
        """The finding ids this condition is a plain yes/no test of (for default reasons)."""
        return ()


@dataclass(frozen=True)
class Fact(Condition):
    finding: str

    def evaluate(self, answers: Answers, unsure_as_yes: bool = False) -> bool | None:
        value = answers.values.get(self.finding)
        if value == YES:
            return True
        if value == NO:
            return False
        if value == UNSURE and unsure_as_yes:
            return True
        if unsure_as_yes and any(self.finding in g and len(g) == 1 for g in answers.any_yes):
            return True
        return None

    def findings(self) -> set[str]:
        return {self.finding}

    def plain_findings(self) -> tuple[str, ...]:
        return (self.finding,)


@dataclass(frozen=True)
class Not(Condition):
    part: Condition

    def evaluate(self, answers: Answers, unsure_as_yes: bool = False) -> bool | None:
        # "Not sure" stays unknown under a negation, whatever the reading of unsure answers.
        value = self.part.evaluate(answers, False)
        return None if value is None else not value

    def findings(self) -> set[str]:
        return self.part.findings()


@dataclass(frozen=True)
class All(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, answers: Answers, unsure_as_yes: bool = False) -> bool | None:
        values = [p.evaluate(answers, unsure_as_yes) for p in self.parts]
        if any(v is False for v in values):
            return False
        if all(v is True for v in values):
            return True
        return None

    def findings(self) -> set[str]:
        return set().union(*(p.findings() for p in self.parts))


@dataclass(frozen=True)
class AnyOf(Condition):
    parts: tuple[Condition, ...]

    def evaluate(self, answers: Answers, unsure_as_yes: bool = False) -> bool | None:
        values = [p.evaluate(answers, unsure_as_yes) for p in self.parts]
        if any(v is True for v in values):
            return True
        # A grouped "any of these?" yes makes this true when every member of the group is
        # one of our plain findings or is known to be absent.
        plain = {p.finding for p in self.parts if isinstance(p, Fact)}
        for group in answers.any_yes:
            if all(f in plain or answers.values.get(f) == NO for f in group) and group & plain:
                return True
        if all(v is False for v in values):
            return False
        return None

    def findings(self) -> set[str]:
        return set().union(*(p.findings() for p in self.parts))


@dataclass(frozen=True)
class Answered(Condition):
    """True once the finding has an answer of its own (yes, no, not sure, a number or a choice), else
    False: never unknown, so a node guarded by it is skipped until the finding is asked."""

    finding: str

    def evaluate(self, answers: Answers, unsure_as_yes: bool = False) -> bool | None:
        return answers.known(self.finding) and self.finding not in answers.group_unsure

    def findings(self) -> set[str]:
        return {self.finding}


@dataclass(frozen=True)
class NumberTest(Condition):
    finding: str
    at_least: float | None
    below: float | None

    def evaluate(self, answers: Answers, unsure_as_yes: bool = False) -> bool | None:
        value = answers.values.get(self.finding)
        if isinstance(value, NumberRange):
            return self._evaluate_range(value)
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return None
        if self.at_least is not None and value < self.at_least:
            return False
        if self.below is not None and value >= self.below:
            return False
        return True

    def _evaluate_range(self, r: NumberRange) -> bool | None:
        """True when every whole number of the range passes, False when none does, else None."""
        top = None if r.high is None else r.high - 1  # the range's largest whole number
        lower_ok = self.at_least is None or r.low >= self.at_least
        upper_ok = self.below is None or (top is not None and top < self.below)
        if lower_ok and upper_ok:
            return True
        if (self.at_least is not None and top is not None and top < self.at_least) or (
                self.below is not None and r.low >= self.below):
            return False
        return None

    def findings(self) -> set[str]:
        return {self.finding}

    def thresholds(self) -> list[float]:
        return [t for t in (self.at_least, self.below) if t is not None]


@dataclass(frozen=True)
class ChoiceTest(Condition):
    finding: str
    values: tuple[str, ...]

    def evaluate(self, answers: Answers, unsure_as_yes: bool = False) -> bool | None:
        value = answers.values.get(self.finding)
        if value is None or value == UNSURE:
            return None
        return value in self.values

    def findings(self) -> set[str]:
        return {self.finding}


FORMS = ("a finding id, {not: ...}, {all: [...]}, {any: [...]}, {number: ID, at_least: N, below: N}, "
         "{choice: ID, in: [...]}, {answered: ID}")


def parse_condition(data: object) -> Condition:
    """Build a Condition from its YAML form; ContentError says what is wrong."""
    if isinstance(data, str):
        if not data.strip() or " " in data.strip():
            raise ContentError(f"{data!r} is not a finding id", fix=f"write a condition as {FORMS}")
        return Fact(data.strip())
    if not isinstance(data, dict) or not data:
        raise ContentError(f"{data!r} is not a condition", fix=f"write a condition as {FORMS}")
    keys = set(data)
    if keys == {"not"}:
        return Not(parse_condition(data["not"]))
    if keys == {"answered"}:
        if not isinstance(data["answered"], str) or not data["answered"].strip():
            raise ContentError(f"{data!r}: `answered` takes one finding id",
                               fix=f"write a condition as {FORMS}")
        return Answered(data["answered"].strip())
    if keys in ({"all"}, {"any"}):
        (key,) = keys
        parts = data[key]
        if not isinstance(parts, list) or not parts:
            raise ContentError(f"`{key}` needs a non-empty list of conditions")
        parsed = tuple(parse_condition(p) for p in parts)
        return All(parsed) if key == "all" else AnyOf(parsed)
    if "number" in keys:
        extra = keys - {"number", "at_least", "below"}
        if extra or len(keys) < 2:
            raise ContentError(
                f"a number test takes `number` with `at_least` and/or `below`, not {sorted(extra)}"
            )
        bounds = {}
        for key in ("at_least", "below"):
            if key in data:
                if not isinstance(data[key], (int, float)) or isinstance(data[key], bool):
                    raise ContentError(f"`{key}` must be a number, not {data[key]!r}")
                bounds[key] = data[key]
        return NumberTest(str(data["number"]), bounds.get("at_least"), bounds.get("below"))
    if "choice" in keys:
        if keys != {"choice", "in"} or not isinstance(data["in"], list) or not data["in"]:
            raise ContentError("a choice test is {choice: ID, in: [value, ...]}")
        return ChoiceTest(str(data["choice"]), tuple(str(v) for v in data["in"]))
    raise ContentError(f"unknown condition keys {sorted(keys)}", fix=f"write a condition as {FORMS}")


def number_tests(condition: Condition | None) -> list[NumberTest]:
    """Every number test inside a condition."""
    if condition is None:
        return []
    if isinstance(condition, NumberTest):
        return [condition]
    if isinstance(condition, Not):
        return number_tests(condition.part)
    if isinstance(condition, (All, AnyOf)):
        return [t for p in condition.parts for t in number_tests(p)]
    return []
