"""The session's own yes/no questions: checking what was heard, whether the person is still there,
and a number asked as yes/no questions about the thresholds that change the advice."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable
from typing import TYPE_CHECKING

from ..ports import Utterance
from ..triage.conditions import NO, UNSURE, YES, NumberRange
from ..triage.engine import Triage
from ..triage.model import Kind, Question
from ..understanding import Grammar, Interpretation
from .channel import Channel
from .events import Ask, Heard, NoInput
from .sentences import Sentences, answer_words
from .states import Ended, State, Tracker, dialog_question

if TYPE_CHECKING:
    from .session import SessionSettings


def heard(question_id: str, utt: Utterance, meaning: Interpretation | None) -> Heard:
    """The `heard` event of an utterance and what it meant (None: not understood)."""
    return Heard(question_id, utt.text, meaning.answer if meaning else None,
                 meaning.command if meaning else None, utt.confidence, speech_end=utt.speech_end)


def ask_record(question: Question, text: str, **extra: object) -> Ask:
    """The `ask` event of a question said as `text`."""
    return Ask(question.id, list(question.findings), question.kind.value,
               [c.id for c in question.choices], text, **extra)


class Checks:
    """Asks "I heard ... Is that right?", "Are you still there?" and "Is it {value} or more?"."""

    def __init__(self, channel: Channel, grammar: Grammar, sentences: Sentences, settings: SessionSettings,
                 triage: Triage, tracker: Tracker, listen: Callable[[Question], Utterance]):
        self.channel = channel
        self.grammar = grammar
        self.sentences = sentences
        self.settings = settings
        self.triage = triage
        self.tracker = tracker
        self.listen = listen

    def check(self, text: str) -> tuple[Interpretation | None, bool]:
        """Ask "I heard ... Is that right?" once; the reply (None when there was none) and whether
        the reply itself was heard unsure."""
        question = dialog_question(State.CONFIRM, text)
        with self.tracker.visit(State.CONFIRM):
            self.channel.ask(ask_record(question, question.text))
            self.channel.say(question.text)
            utt = self.listen(question)
            reply = self.grammar.understand(utt.text, question) if utt.text else None
            self.channel.heard(heard(question.id, utt, reply))
            if utt.text is None:
                self.channel.flush_heard()
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

    def answer(self, q: Question, meaning: Interpretation) -> Interpretation | None:
        """Check a low-confidence answer. Returns the answer to keep, or None to ask again."""
        said = answer_words(self.sentences.content, q, meaning.answer)
        reply, reply_unsure = self.check(self.sentences.line("confirm_heard", heard=said))
        red_flag_no = self.triage.is_red_flag_question(q) and meaning.answer == NO
        if reply is not None and reply.answer == YES:
            # A red-flag "no" heard unsure and confirmed unsure is still not a clear no.
            return Interpretation(answer=UNSURE) if red_flag_no and reply_unsure else meaning
        if reply is not None and reply.answer == NO:
            return None
        # Unclear even after checking: a red-flag answer is never taken as no.
        if red_flag_no:
            return Interpretation(answer=UNSURE)
        return None if reply is None or reply.command else meaning

    def still_there(self) -> None:
        """Ask whether the person is still there; silence ends the session (`timeout`), "stop" stops it."""
        text = self.sentences.line("still_there")
        question = dialog_question(State.STILL_THERE, text, rephrase=text, help_text=text)
        with self.tracker.visit(State.STILL_THERE):
            self.channel.ask(ask_record(question, question.text))
            self.channel.say(question.text)
            utt = self.listen(question)
            if utt.text is None:
                self.channel.send(NoInput(question.id, 1))
                self.channel.say(self.sentences.line("timeout_end"))
                raise Ended("timeout")
            meaning = self.grammar.understand(utt.text, question)
            self.channel.heard(heard(question.id, utt, meaning))
            if meaning and meaning.command == "stop":
                self.channel.say(self.sentences.line("stopped"))
                raise Ended("stopped")

    def number_doubtful(self, q: Question, utt: Utterance, meaning: Interpretation) -> bool:
        """True for a spoken number answer that another reading of the words would change the advice
        with ("fifty" for "fifteen", "seven to eight" for "seventy eight"), or that is unlikely for
        the question (an age under 16): it is checked however clearly it was heard."""
        if utt.confidence is None or not utt.text or q.kind is not Kind.NUMBER:
            return False
        if not isinstance(meaning.answer, int):
            return False
        bounds = self.triage.number_thresholds(q)
        return self.grammar.number_doubtful(
            utt.text, q, meaning.answer,
            lambda value, other: bisect_right(bounds, value) != bisect_right(bounds, other))

    def number_due(self, q: Question, misses: int) -> bool:
        """True when a number question has missed often enough to be asked as yes or no instead."""
        after = self.settings.number_by_yes_no_after
        return (q.kind is Kind.NUMBER and after > 0 and misses >= after
                and bool(self.triage.number_thresholds(q)))

    def number_by_yes_no(self, q: Question, answer: Callable[..., tuple[object, bool]]) -> object:
        """Find which stretch between the thresholds that matter the number lies in, by asking
        "Is it {value} or more?" (halving the stretches each time). The answer is a NumberRange, or
        "not sure" when a step is answered not sure or given up on. `answer(question, state, text,
        **ask_fields)` asks one step as the session asks any question."""
        bounds = self.triage.number_thresholds(q)
        low, high = 0, len(bounds)  # the stretches still possible, by index: 0 is below bounds[0]
        intro = self.sentences.line("number_ladder")
        wording = q.at_least or self.sentences.content.say("number_at_least")
        while low < high:
            mid = (low + high + 1) // 2
            value = bounds[mid - 1]
            text = self.sentences.fill(wording, value=value)
            step = dialog_question(State.NUMBER_AT_LEAST, text, rephrase=text)
            spoken = f"{intro} {text}" if intro else text
            intro = ""
            self.tracker.enter(State.NUMBER_AT_LEAST)
            self.channel.ask(ask_record(step, spoken, of=q.id, at_least=value))
            reply, _ = answer(step, State.NUMBER_AT_LEAST, spoken, of=q.id, at_least=value)
            if reply == YES:
                low = mid
            elif reply == NO:
                high = mid - 1
            else:
                return UNSURE
        bottom = bounds[low - 1] if low > 0 else (q.minimum or 0)
        return NumberRange(bottom, bounds[low] if low < len(bounds) else None)
