"""The session's own yes/no questions: checking what was heard, whether the person is still there,
and a number asked as yes/no questions about the thresholds that change the advice."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass

from ..ports import Utterance
from ..triage.conditions import NO, UNSURE, YES, NumberRange
from ..triage.engine import Triage
from ..triage.model import Kind, Question
from ..understanding import Grammar, Interpretation
from .channel import Channel, ask_record, heard
from .events import NoInput
from .sentences import Sentences, answer_words
from .settings import SessionSettings
from .states import Ended, State, Tracker, dialog_question


def number_doubtful(grammar: Grammar, triage: Triage, q: Question, utt: Utterance,
                    meaning: Interpretation) -> bool:
    """True for a spoken number answer that another reading of the words would change the advice
    with ("fifty" for "fifteen", "seven to eight" for "seventy eight"), or that is unlikely for the
    question (an age under 16): it is checked however clearly it was heard. Typed: never."""
    if utt.confidence is None or not utt.text or q.kind is not Kind.NUMBER:
        return False
    if not isinstance(meaning.answer, int):
        return False
    bounds = triage.number_thresholds(q)

    def changes(value: object, other: object) -> bool:
        return bisect_right(bounds, value) != bisect_right(bounds, other)

    return grammar.number_doubtful(utt.text, q, meaning.answer, changes)


def yes_no_doubtful(grammar: Grammar, triage: Triage, q: Question, utt: Utterance,
                    meaning: Interpretation) -> bool:
    """True for a spoken yes or no easily heard for the other ("uh uh" for "uh huh":
    grammar/misheard.yaml) where the other answer could change the advice now or later: it is
    checked however clearly it was heard. Typed: never."""
    if utt.confidence is None or not utt.text or q.kind is not Kind.YES_NO:
        return False
    other = grammar.misheard.heard_for(utt.text)
    theirs = grammar.understand(other, q) if other else None
    if theirs is None or theirs.answer in (None, meaning.answer):
        return False
    return (q.id not in triage.content.questions or triage.level_may_change(q)
            or triage.steers(q, meaning.answer))


def same_advice_heard_twice(grammar: Grammar, triage: Triage, q: Question, utt: Utterance,
                            meaning: Interpretation) -> bool:
    """True for a number the first recognizer heard sure that the second heard as another number
    between the same thresholds ("thirty" and "thirty eight", where the content tests 16 and 40):
    the two engines agree on everything the number changes, so it is not checked for their
    disagreement alone (its other readings still are: `number_doubtful`). In 10 dB babble the
    second engine missed most ages said clearly, and each was checked (bench.babble_sessions). A
    second engine that heard no number, or one with other advice, leaves it unsure: Whisper sure of
    "fifty three" for "sixty three" while PocketSphinx heard nothing (bench.spoken_numbers)."""
    if q.kind is not Kind.NUMBER or not utt.second_heard or not isinstance(meaning.answer, int):
        return False
    second = grammar.understand(utt.second_heard, q)
    if second is None or second.out_of_range or not isinstance(second.answer, int):
        return False
    bounds = triage.number_thresholds(q)
    return bisect_right(bounds, meaning.answer) == bisect_right(bounds, second.answer)


class Checks:
    """Asks "I heard ... Is that right?", "Are you still there?" and "Is it {value} or more?"."""

    def __init__(self, channel: Channel, grammar: Grammar, sentences: Sentences, settings: SessionSettings,
                 triage: Triage, tracker: Tracker):
        self.channel = channel
        self.grammar = grammar
        self.sentences = sentences
        self.settings = settings
        self.triage = triage
        self.tracker = tracker

    def check(self, text: str) -> tuple[Interpretation | None, bool]:
        """Ask "I heard ... Is that right?" once; the reply (None when there was none) and whether
        the reply itself was heard unsure."""
        question = dialog_question(State.CONFIRM, text)
        with self.tracker.visit(State.CONFIRM):
            self.channel.ask(ask_record(question, question.text))
            utt, reply = self.channel.turn(question, question.text)
            if utt.text is None:  # a check met with silence is recorded as heard, with no words
                self.channel.send(heard(question.id, utt, None))
        return reply, self.settings.unsure(utt)

    def command(self, command: str) -> bool:
        """Check a command heard with low confidence before carrying it out.

        An unclear reply about "I need help now" counts as yes: the more urgent reading wins.
        """
        s = self.sentences
        reply, _ = self.check(s.line("confirm_heard", heard=s.line(f"heard_{command}")))
        if reply is not None and reply.answer == YES:
            return True
        if reply is not None and reply.answer == NO:
            return False
        if command == "help_now":
            return True
        return reply is not None and reply.command == command

    def answer(self, q: Question, meaning: Interpretation, again: bool = False) -> Interpretation | None:
        """Check a low-confidence answer. Returns the answer to keep, or None to ask again.

        `again`: the question may still be asked again. A red-flag "no" whose check got no clear
        yes (silence, a command: "correct" heard as "go back" in babble, or a yes heard unsure:
        "that's right" at 0.44) is then asked again rather than kept as "not sure" at once, which
        makes the advice urgent; the second time it is kept as "not sure"."""
        said = answer_words(self.sentences.content, q, meaning.answer)
        reply, reply_unsure = self.check(self.sentences.line("confirm_heard", heard=said))
        red_flag_no = self.triage.is_red_flag_question(q) and meaning.answer == NO
        if reply is not None and reply.answer == YES:
            if red_flag_no and reply_unsure:
                # A red-flag "no" heard unsure and confirmed unsure is still not a clear no.
                return None if again else Interpretation(answer=UNSURE)
            return meaning
        if reply is not None and reply.answer == NO:
            return None
        # Unclear even after checking: a red-flag answer is never taken as no.
        if red_flag_no:
            no_reply = reply is None or reply.answer is None
            return None if again and no_reply else Interpretation(answer=UNSURE)
        return None if reply is None or reply.command else meaning

    def still_there(self) -> None:
        """Ask whether the person is still there; silence ends the session (`timeout`), "stop" stops it."""
        text = self.sentences.line("still_there")
        question = dialog_question(State.STILL_THERE, text, rephrase=text, help_text=text)
        with self.tracker.visit(State.STILL_THERE):
            self.channel.ask(ask_record(question, question.text))
            utt, meaning = self.channel.turn(question, question.text)
            if utt.text is None:
                self.channel.send(NoInput(question.id, 1))
                self.channel.say(self.sentences.line("timeout_end"))
                raise Ended("timeout")
            if meaning and meaning.command == "stop":
                self.channel.say(self.sentences.line("stopped"))
                raise Ended("stopped")

    def number_doubtful(self, q: Question, utt: Utterance, meaning: Interpretation) -> bool:
        return number_doubtful(self.grammar, self.triage, q, utt, meaning)

    def doubtful(self, q: Question, utt: Utterance, meaning: Interpretation) -> bool:
        """Words easily heard for another answer that would change the advice: a number
        (`number_doubtful`) or a yes or no (`yes_no_doubtful`)."""
        return (number_doubtful(self.grammar, self.triage, q, utt, meaning)
                or yes_no_doubtful(self.grammar, self.triage, q, utt, meaning))

    def unsure(self, utt: Utterance, q: Question, meaning: Interpretation) -> bool:
        """Heard too unsure to take unchecked where the answer matters (a number both engines put
        between the same thresholds is sure enough: `same_advice_heard_twice`)."""
        return self.settings.unsure(utt) and not same_advice_heard_twice(self.grammar, self.triage, q, utt,
                                                                          meaning)

    def number_due(self, q: Question, misses: int) -> bool:
        """True when a number question has missed often enough to be asked as yes or no instead."""
        after = self.settings.number_by_yes_no_after
        return (q.kind is Kind.NUMBER and after > 0 and misses >= after
                and bool(self.triage.number_thresholds(q)))

    def ladder(self, q: Question) -> NumberLadder:
        """The yes/no questions that find which stretch between the thresholds that matter the answer
        to number question `q` lies in; the session asks each step as it asks any question."""
        return NumberLadder(self, q)


@dataclass(frozen=True)
class LadderStep:
    """One "Is it {value} or more?" of a NumberLadder."""

    question: Question
    spoken: str
    """The step as said (the ladder's introduction before its first step)."""
    fields: dict
    """The step's extra `ask` event fields: `of` (the number question) and `at_least`."""


class NumberLadder:
    """A number asked as "Is it {value} or more?" questions, halving the stretches still possible
    each time. `result` is a NumberRange, or "not sure" once a step is answered not sure or given up."""

    def __init__(self, checks: Checks, q: Question):
        self.checks = checks
        self.q = q
        self.bounds = checks.triage.number_thresholds(q)
        self.low, self.high = 0, len(self.bounds)  # stretches still possible, by index: 0 is below bounds[0]
        self.intro = checks.sentences.line("number_ladder")
        self.wording = q.at_least or checks.sentences.content.say("number_at_least")
        self.result: object = None
        self._mid = 0

    def next_step(self) -> LadderStep | None:
        """The next step, its `ask` event sent (None once the answer is known: see `result`)."""
        if self.result is not None:
            return None
        if self.low >= self.high:
            bounds, low = self.bounds, self.low
            bottom = bounds[low - 1] if low > 0 else (self.q.minimum or 0)
            self.result = NumberRange(bottom, bounds[low] if low < len(bounds) else None)
            return None
        self._mid = (self.low + self.high + 1) // 2
        value = self.bounds[self._mid - 1]
        c = self.checks
        text = c.sentences.fill(self.wording, value=value)
        step = dialog_question(State.NUMBER_AT_LEAST, text, rephrase=text)
        spoken = f"{self.intro} {text}" if self.intro else text
        self.intro = ""
        c.tracker.enter(State.NUMBER_AT_LEAST)
        fields = {"of": self.q.id, "at_least": value}
        c.channel.ask(ask_record(step, spoken, **fields))
        return LadderStep(step, spoken, fields)

    def reply(self, answer: object) -> None:
        """The answer the person gave to the last step."""
        if answer == YES:
            self.low = self._mid
        elif answer == NO:
            self.high = self._mid - 1
        else:
            self.result = UNSURE
