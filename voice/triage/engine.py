"""The triage state machine: walks the tree, screens red flags, reads the answers back, gives the advice.

Pure logic over a Content; no I/O, no audio. The session (voice/dialog/session.py) turns its steps
into speech and its answers into calls of `answer`. Its phases and the steps between them are the
table of voice.triage.phases; the advice for a set of answers is voice.triage.advice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .advice import MAX_CAUSES, Outcome, advise, applying_rules, disposition, rank
from .conditions import NO, UNSURE, YES, Answers, Condition, number_tests
from .lookahead import may_change_later
from .model import Content, Disposition, Kind, Question, Rule
from .phases import Phase, PhaseError, next_phase
from .readback import READBACK_CONFIRM, READBACK_WHICH, ReadBack
from .regroup import REST, Rest, after_naming, single_questions
from .regroup import question as rest_question
from .tree import OUTCOME, Node

MAX_READBACKS = 2


@dataclass(frozen=True)
class Ask:
    """The engine wants this question answered."""

    question: Question
    readback_items: tuple[tuple[Question, object], ...] = ()
    """For the read-back questions: the answers being read back."""


@dataclass(frozen=True)
class _Turn:
    """One answer given, with what `back` restores when it is undone."""

    question: str
    before: Answers
    readbacks: int
    phase: Phase
    correcting: str | None
    asked: tuple[str, ...]
    rest: Rest | None


@dataclass
class Triage(ReadBack):
    """One person's triage. Forget it by dropping the object."""

    content: Content
    answers: Answers = field(default_factory=Answers)
    asked: list[str] = field(default_factory=list)
    """Question ids answered, in order (for the read-back)."""
    history: list[_Turn] = field(default_factory=list)
    readbacks: int = 0  # how many times the answers were read back
    _phase: Phase = Phase.WALK
    _correcting: str | None = None
    _rest: Rest | None = None  # what a screen's yes named, and its signs left to ask together
    _branch_findings: set[str] = field(default_factory=set)
    _single_findings: set[str] = field(default_factory=set)
    """Findings that some tree node asks about on their own (so a grouped "not sure" can be split)."""
    _screened: set[str] = field(default_factory=lambda: {"age"})  # asked in a screen, and the age

    def __post_init__(self) -> None:
        for node in self.content.tree.nodes.values():
            asked = self.content.questions[node.ask].findings
            (self._single_findings if len(asked) == 1 else self._screened).update(asked)
            for b in node.branches:
                if b.condition:
                    self._branch_findings |= b.condition.findings()
            if node.when:
                self._branch_findings |= node.when.findings()

    @property
    def phase(self) -> Phase:
        """Where the triage is (voice.triage.phases)."""
        return self._phase

    @property
    def correcting(self) -> str | None:
        """The question id being asked again after the person chose to change its answer."""
        return self._correcting

    # ----------------------------------------------------------------- stepping

    def next_step(self) -> Ask | Outcome:
        """What happens next: a question to ask, or the outcome."""
        if self._phase is Phase.CORRECTING:
            return Ask(self.content.questions[self._correcting])
        if self._phase is Phase.WHICH:
            return Ask(self._readback_which(), self.readback_items())
        # An emergency ends the dialog at once: a definite one, or one that is an emergency even on a
        # "not sure" (its `unsure_level`).
        emergency = any(level is Disposition.EMERGENCY and rule in self.content.red_flags
                        for rule, level, _definite in self.applying_rules())
        if emergency:
            return self.outcome(ended_early=True)
        if self._rest is not None and self._phase is Phase.WALK:
            return Ask(rest_question(self.content, self._rest))
        node = self._next_node()
        if node is not None:
            return Ask(self.content.questions[node.ask])
        if self._definite_red_flag(Disposition.URGENT):
            return self.outcome(ended_early=True)
        # Before advice to stay at home or book an appointment, the answers are read back, with the
        # warning signs answered no, so a hasty or misheard no can be put right.
        pending = self._phase is not Phase.CONFIRMED and self.readbacks < MAX_READBACKS
        if pending and (self.readback_items() or self.readback_denied()):
            return Ask(self._readback_confirm(), self.readback_items())
        return self.outcome(ended_early=False)

    def answer(self, question_id: str, value: object) -> None:
        """Record an answer: "yes"/"no"/"unsure" for yes_no, an int, or a choice value id.

        Raises PhaseError for an answer the phase does not ask for (a tree question while the
        read-back asks which answer to change, any answer once the answers stand)."""
        turn = _Turn(question_id, self.answers.copy(), self.readbacks, self._phase, self._correcting,
                     tuple(self.asked), self._rest)
        if question_id == REST and self._rest is not None:
            self._record(rest_question(self.content, self._rest), value)
            if value == NO:  # each sign left is then answered no, and read back on its own
                singles = single_questions(self.content)
                self.asked.extend(singles[f] for f in self._rest.left if singles[f] not in self.asked)
            self._rest = None
        elif question_id == READBACK_CONFIRM:
            self._phase = next_phase(self._phase, "readback_no" if value == NO else "readback_yes")
            self.readbacks += 1
        elif question_id == READBACK_WHICH:
            if value in self.content.questions:
                self._phase = next_phase(self._phase, "change")
                self._correcting = str(value)
            else:
                # "Nothing", or no answer after every try: the answers stand, and the advice follows.
                self._phase = next_phase(self._phase, "keep")
        else:
            question = self.content.questions[question_id]
            if self._phase is Phase.CORRECTING:
                if question_id != self._correcting:
                    raise PhaseError(f"the answer to {self._correcting!r} is being changed, "
                                     f"not {question_id!r}")
                self._phase = next_phase(self._phase, "corrected")
                self._forget(question)
                self._correcting = None
            else:
                self._phase = next_phase(self._phase, "answer")
            self._record(question, value)
            if question_id not in self.asked:
                self.asked.append(question_id)
        self.history.append(turn)

    def back(self) -> bool:
        """Undo the last answer, back to the phase it was given in. False when there is nothing to undo."""
        if not self.history:
            return False
        turn = self.history.pop()
        self.answers = turn.before
        self.readbacks = turn.readbacks
        self._phase = turn.phase
        self._correcting = turn.correcting
        self.asked[:] = turn.asked
        self._rest = turn.rest
        return True

    def name(self, question_id: str, named: tuple[str, ...]) -> None:
        """The yes just given to the screen `question_id` named these of its signs: they are yes, and
        the signs left are asked together next (voice.triage.regroup). Undone with that answer."""
        question = self.content.questions.get(question_id)
        if question is None or self.answer_of(question) != YES or self.asked[-1:] != [question_id]:
            return
        rest = after_naming(self.content, self.answers.known, question, named)
        if rest is None:
            return
        singles = single_questions(self.content)
        self.answers.any_yes = [g for g in self.answers.any_yes if not g <= set(question.findings)]
        for f in rest.named:
            self._record(self.content.questions[singles[f]], YES)
        self.asked[-1:] = [singles[f] for f in rest.named if singles[f] not in self.asked]
        self._rest = rest if rest.left else None

    def restart(self) -> None:
        """Forget every answer and start from the first question."""
        self.answers, self.readbacks = Answers(), 0
        self._rest = None
        self.asked.clear()
        self.history.clear()
        self._phase = Phase.WALK
        self._correcting = None

    @property
    def turns(self) -> int:
        return len(self.history)

    # ----------------------------------------------------------------- answers

    def _record(self, question: Question, value: object) -> None:
        values = self.answers.values
        if question.kind is not Kind.YES_NO:
            values[question.findings[0]] = value
            return
        findings = question.findings
        if len(findings) == 1:
            f = findings[0]
            values[f] = value
            self.answers.group_unsure.discard(f)
            groups = []
            for group in self.answers.any_yes:
                if f not in group:
                    groups.append(group)
                elif value == NO:
                    # "Yes, one of these", then no to this one: one of the others. No to every other
                    # item: the one left is the yes.
                    left = frozenset(g for g in group if g != f and values.get(g) != NO)
                    if len(left) == 1 and values.get(next(iter(left))) in (None, UNSURE):
                        values[next(iter(left))] = YES
                        self.answers.group_unsure.discard(next(iter(left)))
                    elif len(left) > 1:
                        groups.append(left)
            self.answers.any_yes = groups
            return
        if value == NO:
            for f in findings:
                values[f] = NO
                self.answers.group_unsure.discard(f)
        elif value == UNSURE:
            for f in findings:
                if f not in values:
                    values[f] = UNSURE
                    if f in self._single_findings:
                        # Not sure about the whole list: each item is still asked on its own; until
                        # then it counts as not sure (never as no).
                        self.answers.group_unsure.add(f)
        elif value == YES:
            unknown = [f for f in findings if values.get(f) not in (YES, NO)]
            if len(unknown) == 1:
                values[unknown[0]] = YES
            elif not any(values.get(f) == YES for f in findings):
                self.answers.any_yes.append(frozenset(unknown))

    def _forget(self, question: Question) -> None:
        for f in question.findings:
            self.answers.values.pop(f, None)
            self.answers.group_unsure.discard(f)
        self.answers.any_yes = [g for g in self.answers.any_yes if not g & set(question.findings)]

    def answered(self, question: Question) -> bool:
        """True when every finding the question asks about is known (or its group said yes)."""
        fs = set(question.findings)
        if len(fs) == 1 and fs <= self.answers.group_unsure:
            return False
        if all(self.answers.known(f) for f in fs):
            return True
        return len(fs) > 1 and any(g == fs or g <= fs for g in self.answers.any_yes)

    # ----------------------------------------------------------------- the tree

    def _next_node(self) -> Node | None:
        tree = self.content.tree
        nid = tree.start
        seen = 0
        while nid != OUTCOME and seen <= len(tree.nodes):
            seen += 1
            node = tree.nodes[nid]
            if self._should_ask(node):
                return node
            nid = self._follow(node)
        return None

    def _follow(self, node: Node) -> str:
        for b in node.branches:
            if b.condition is None or b.condition.evaluate(self.answers, unsure_as_yes=True):
                return b.target
        return node.branches[-1].target

    def _should_ask(self, node: Node) -> bool:
        question = self.content.questions[node.ask]
        if node.when is not None and node.when.evaluate(self.answers, unsure_as_yes=True) is False:
            return False
        if self.answered(question):
            return False
        if self._definite_red_flag(Disposition.URGENT):
            # The advice is already at least urgent: only what could make it an emergency matters,
            # and the nodes marked `after_red_flag` (pregnancy changes where to go).
            if node.after_red_flag:
                return True
            hypotheses = self._hypotheses(question) + self._item_hypotheses(question)
            return self._opens_emergency(question) or any(
                self._summary(a)[0] is Disposition.EMERGENCY for a in hypotheses)
        if set(question.findings) & self._branch_findings:
            return True
        current = self._summary(self.answers)
        return any(self._summary(a) != current for a in self._hypotheses(question))

    def _opens_emergency(self, question: Question) -> bool:
        """A yes here leaves open an emergency rule of screened signs (a fever and pain in waves)."""
        yes = self.answers.copy()
        yes.values.update({f: YES for f in question.findings if not self.answers.known(f)})
        return any(r.level is Disposition.EMERGENCY and r.when.findings() & set(question.findings)
                   and r.when.findings() <= self._screened and r.when.evaluate(yes) is None
                   for r in self.content.red_flags)

    def _item_hypotheses(self, question: Question) -> list[Answers]:
        """For an "any of these?" screen: the answers as they would be with each unknown item yes
        (one "no" to the screen then settles every item that could make it an emergency)."""
        if question.kind is not Kind.YES_NO or len(question.findings) < 2:
            return []
        result = []
        for f in question.findings:
            if not self.answers.known(f):
                hypothesis = self.answers.copy()
                hypothesis.values[f] = YES
                result.append(hypothesis)
        return result

    def _hypotheses(self, question: Question) -> list[Answers]:
        """The answers as they would be after each possible answer to `question`."""
        if question.kind is Kind.YES_NO:
            values: list[object] = [YES, NO, UNSURE]
        elif question.kind is Kind.CHOICE:
            values = [c.id for c in question.choices]
        else:
            values = self.number_candidates(question)
        result = []
        saved = self.answers
        for value in values:
            self.answers = saved.copy()
            self._record(question, value)
            result.append(self.answers)
        self.answers = saved
        return result

    def level_may_change(self, question: Question) -> bool:
        """Whether some answer to `question` gives another level of advice than another, as things stand."""
        return len({self._summary(a)[0] for a in self._hypotheses(question)}) > 1

    def steers(self, question: Question, heard: object) -> bool:
        """Whether another reading of `heard` could change the advice later: voice.triage.lookahead."""
        branching = set(question.findings) & self._branch_findings
        return bool(branching) and may_change_later(self, question, heard)

    def number_thresholds(self, question: Question) -> list[int]:
        """The numbers at which some rule, cause or branch changes its mind about this number
        question's answer, within its range: n and n - 1 can differ only when n is one of them."""
        finding = question.findings[0]
        rules = self.content.red_flags + self.content.escalations
        conditions: list[Condition | None] = [r.when for r in rules]
        conditions += [e.when for c in self.content.causes.values() for e in c.evidence]
        conditions += [n.when for n in self.content.tree.nodes.values()]
        conditions += [b.condition for n in self.content.tree.nodes.values() for b in n.branches]
        lo, hi = question.minimum or 0, question.maximum if question.maximum is not None else 10**6
        found = {math.ceil(t) for cond in conditions for test in number_tests(cond) if test.finding == finding
                 for t in test.thresholds()}
        return sorted(t for t in found if lo < t <= hi)

    def number_candidates(self, question: Question) -> list[object]:
        lo = question.minimum or 0
        return sorted({lo} | {v for t in self.number_thresholds(question) for v in (t, t - 1)})

    def _summary(self, answers: Answers) -> tuple[Disposition, tuple[str, ...]]:
        ranked = rank(self.content, answers)
        return disposition(self.content, answers, ranked), tuple(rc.cause.id for rc in ranked[:MAX_CAUSES])

    # ----------------------------------------------------------------- rules and outcome

    def applying_rules(self, answers: Answers | None = None) -> list[tuple[Rule, Disposition, bool]]:
        """(rule, level it applies at, definite?) for every rule that applies, most urgent first."""
        return applying_rules(self.content, answers or self.answers)

    def is_red_flag_question(self, question: Question) -> bool:
        """True when an answer to it can raise the advice to urgent or emergency."""
        return any(set(question.findings) & r.when.findings() for r in self.content.red_flags)

    def _definite_red_flag(self, at_least: Disposition) -> bool:
        return any(
            definite and level.rank >= at_least.rank and rule in self.content.red_flags
            for rule, level, definite in self.applying_rules()
        )

    def outcome(self, ended_early: bool = False) -> Outcome:
        """The advice for what has been said so far."""
        return advise(self.content, self.answers, self.asked, ended_early)
