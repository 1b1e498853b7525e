"""The loop that joins the triage engine, understanding, a Listener and a Speaker for one person.

The session is policy only: which question to ask, what to do with an answer, a silence, words that
do not answer, a command or an answer heard with too little confidence. Its states and the moves
between them are in states.py; speaking, listening and the event order in channel.py; the checks
it asks in checks.py; the advice as spoken in advice.py; every sentence is filled by sentences.py.
"""

from __future__ import annotations

from dataclasses import dataclass

from .. import __version__
from ..errors import AudioDeviceError, EndOfInput
from ..ports import CONFIRM_BELOW, Listener, Speaker, Utterance
from ..triage.conditions import NO, UNSURE
from ..triage.engine import Ask as Step
from ..triage.engine import Outcome, Triage
from ..triage.model import Content, Disposition, Question, Region
from ..understanding import Grammar, Interpretation
from . import advice
from .channel import Channel
from .checks import Checks, ask_record, heard
from .device import DeviceGuard
from .events import Emitter, End, NoInput, NoMatch, Start
from .offer import offer_more
from .sentences import Sentences, answer_words
from .states import STEPS, Ended, Reask, State, Tracker, state_of

CHECKED_COMMANDS = frozenset({"back", "restart", "stop", "help_now", "slower", "faster", "louder", "quieter"})
"""Commands confirmed when heard with low confidence (repeat and help cost nothing if misheard)."""
SPOKEN_CHECKED_COMMANDS = frozenset({"stop", "restart"})
"""Commands that throw the person's answers away: checked whenever they are heard by a recognizer,
however confident it is. Real recorded voices saying "five" were heard confidently as "bye" (stop)
to the pain score question, which ended the session with no advice. Typed, they are taken as is."""


@dataclass
class SessionSettings:
    """How patient the session is. Defaults suit a person in pain; the kiosk config overrides them."""

    max_tries: int = 3
    """No-inputs or no-matches on one question before the safe path."""
    walkaway_after: int = 5
    """Silent turns in a row before asking whether the person is still there."""
    confirm_below: float = CONFIRM_BELOW
    """Speech recognized with less confidence than this is confirmed."""
    barge_in: bool = False
    """Listen while speaking and stop speaking when the person talks."""
    device_wait: float = 30.0
    """Seconds to wait for a lost audio device to come back before ending."""
    welcome: bool = True
    """Say the welcome (the kiosk says its own)."""
    speech_basic: bool = False
    """Say once, after the welcome, that speech recognition is the simpler one (`--engine auto` fell
    back); cleared once said, so a kiosk says it to its first person only."""
    number_by_yes_no_after: int = 2
    """Tries at a number question that came to nothing (not understood, or "I heard 40" answered
    no) before it is asked as yes/no questions about the numbers that change the advice; 0: never.
    Real voices saying digits were understood half the time; yes and no far more often."""

    def unsure(self, utt: Utterance) -> bool:
        """Heard with too little confidence to act on without checking (never in text mode)."""
        return utt.confidence is not None and utt.confidence < self.confirm_below


class Session:
    """One person's spoken (or typed) triage, from the first question to the outcome."""

    def __init__(self, content: Content, grammar: Grammar, listener: Listener, speaker: Speaker,
                 events: Emitter, region: Region | None = None, settings: SessionSettings | None = None,
                 engine_name: str | None = None, model: str | None = None):
        self.content = content
        self.grammar = grammar
        self.listener = listener
        self.speaker = speaker
        self.events = events
        self.region = region or content.regions[content.default_region]
        self.settings = settings or SessionSettings()
        self.engine_name = engine_name or getattr(listener, "engine", "text")
        self.model = model if model is not None else getattr(listener, "model", None)
        self.triage = Triage(content)
        self.outcome: Outcome | None = None
        self.advice_text = ""  # everything the advice says (also the part offered), for the summary
        self.sentences = Sentences(content, self.region)
        self.tracker = Tracker()
        self.channel = Channel(listener, speaker, grammar, events, self.sentences,
                               DeviceGuard(events, self.settings.device_wait), self.settings.barge_in)
        self.checks = Checks(self.channel, grammar, self.sentences, self.settings, self.triage, self.tracker,
                             self.listen)
        self._silent_turns = 0

    def line(self, key: str, index: int | None = None, **values: object) -> str:
        """A dialog line, filled (the kiosk greets with its own welcome)."""
        return self.sentences.line(key, index, **values)

    def say(self, text: str) -> None:
        self.channel.say(text)

    def listen(self, question: Question) -> Utterance:
        return self.channel.listen(question, self.triage.is_red_flag_question(question))

    def run(self) -> str:
        """Run the dialog to its end; returns the `end` reason."""
        self.channel.send(Start(__version__, self.engine_name, "en", self.model, self.region.id))
        reason = "complete"
        try:
            if self.settings.welcome:
                self.say(" ".join([self.line(key) for key in ("welcome", "disclaimer", "how_to_answer")]))
            if self.settings.speech_basic:
                self.settings.speech_basic = False
                self.say(self.line("speech_basic"))
            while True:
                step = self.triage.next_step()
                if isinstance(step, Outcome):
                    self.deliver(step)
                    break
                try:
                    self.ask(step)
                except Reask:
                    continue
        except Ended as ended:
            reason = ended.reason
        except (EndOfInput, KeyboardInterrupt):
            # The input ended (Ctrl-D, the end of a script), Ctrl-C or SIGTERM before the advice:
            # the closing safety line, then the end.
            reason = "stopped"
            try:
                self.say(self.line("stopped"))
            except (AudioDeviceError, EndOfInput, KeyboardInterrupt):
                pass
        self.channel.flush_heard()
        try:
            self.speaker.wait()
        except (AudioDeviceError, KeyboardInterrupt):
            pass
        self.tracker.enter(State.END)
        self.channel.send(End(reason))
        return reason

    def _prompt(self, step: Step, state: State) -> str:
        """The question as first said; the read-back confirmation says the key answers first."""
        q, s = step.question, self.sentences
        if not STEPS[state].reads_back:
            return s.question(q, q.text)
        items = [s.line("readback_item", label=qq.readback, answer=answer_words(self.content, qq, v))
                 for qq, v in step.readback_items]
        denied = [s.fill(qq.readback[:1].lower() + qq.readback[1:]) for qq in self.triage.readback_denied()]
        if denied:
            items.append(s.line("readback_none", items="; ".join(denied)))
        return " ".join([s.line("readback_intro"), *items, s.question(q, q.text)])

    def ask(self, step: Step) -> None:
        """Ask one question until it is answered (or a command leaves it), and record the answer."""
        q = step.question
        state = state_of(q.id)
        self.tracker.enter(state)
        prompt = self._prompt(step, state)
        self.channel.ask(ask_record(q, prompt))
        value, given_up = self._answer(q, state, prompt)
        self.triage.answer(q.id, value)
        thanks = STEPS[state].thanks_line
        if thanks and value != NO and not given_up:
            self.say(self.line(thanks))

    def _answer(self, q: Question, state: State, prompt: str, **extra: object) -> tuple[object, bool]:
        """Listen until `q` is answered: the answer, and whether it was given up on (three tries
        with nothing understood). `extra`: more fields of the question's `ask` event."""
        s, tries = self.sentences, self.settings.max_tries
        noinput = nomatch = denied = 0
        text = prompt
        while True:
            self.say(text)
            utt = self.listen(q)
            if utt.text is None:
                self.channel.flush_heard()
                noinput += 1
                self._silent_turns += 1
                self.channel.send(NoInput(q.id, noinput))
                if self._silent_turns >= self.settings.walkaway_after:
                    self.checks.still_there()
                    self._silent_turns = 0
                    noinput = 0
                    text = s.question(q, q.rephrase)
                elif noinput >= tries:
                    return self._give_up(state), True
                else:
                    text = s.line("noinput", noinput - 1, rephrase=s.question(q, q.rephrase),
                                  answers=s.answers(q))
                continue
            self._silent_turns = 0
            meaning = self.grammar.understand(utt.text, q) if utt.text else None
            self.channel.heard(heard(q.id, utt, meaning))
            if meaning is None or meaning.out_of_range or (
                    meaning.answer is None and meaning.command is None):
                nomatch = self._nomatch(q, nomatch)
                if self.checks.number_due(q, nomatch + denied):
                    return self.checks.number_by_yes_no(q, self._answer), False
                if nomatch >= tries:
                    return self._give_up(state), True
                key = "out_of_range" if meaning is not None and meaning.out_of_range else "nomatch"
                text = s.line(key, nomatch - 1, rephrase=s.question(q, q.rephrase), answers=s.answers(q))
                continue
            if meaning.command:
                checked = (self.settings.unsure(utt) and meaning.command in CHECKED_COMMANDS) or (
                    utt.confidence is not None and meaning.command in SPOKEN_CHECKED_COMMANDS)
                if checked and not self.checks.command(meaning.command):
                    text = self._ask_again(q, extra)
                else:
                    text = self._command(meaning.command, q, prompt)
                continue
            if self.settings.unsure(utt) or self._spoken_unsure_red_flag(q, utt, meaning):
                confirmed = self.checks.answer(q, meaning)
                if confirmed is None:
                    denied += 1
                    if self.checks.number_due(q, nomatch + denied):
                        return self.checks.number_by_yes_no(q, self._answer), False
                    text = self._ask_again(q, extra)
                    continue
                meaning = confirmed
            if STEPS[state].only_choices and meaning.answer not in {c.id for c in q.choices}:
                if meaning.answer == NO:
                    # "No", "nothing", "none": nothing to change, so things stand as they are.
                    self.say(self.line(STEPS[state].give_up_line))
                    return STEPS[state].give_up_answer, False
                # Yes, not sure, a number: no answer named, so not understood here.
                nomatch = self._nomatch(q, nomatch)
                if nomatch >= tries:
                    return self._give_up(state), True
                text = s.line("nomatch", nomatch - 1, rephrase=s.fill(prompt), answers=s.answers(q))
                continue
            return meaning.answer, False

    def _ask_again(self, q: Question, extra: dict[str, object]) -> str:
        """After a check that came to nothing the question is asked anew, with a new `ask` event."""
        text = self.line("confirm_again", rephrase=self.sentences.question(q, q.rephrase))
        self.channel.ask(ask_record(q, text, **extra))
        return text

    def _nomatch(self, q: Question, count: int) -> int:
        """Words that do not answer `q`: the `nomatch` event and cue; returns the count so far."""
        self.channel.flush_heard()
        self.channel.send(NoMatch(q.id, count + 1))
        self.channel.cue("nomatch")
        return count + 1

    def _spoken_unsure_red_flag(self, q: Question, utt: Utterance, meaning: Interpretation) -> bool:
        """True for a spoken "not sure" to a warning-sign question, however clearly it was heard: it
        makes the advice urgent. A clear "no" spoken as the first answer of a session was heard as
        "dunno" (not sure) with full confidence; checked, the person can say it again."""
        return utt.confidence is not None and meaning.answer == UNSURE and self.triage.is_red_flag_question(q)

    def _give_up(self, state: State) -> object:
        """The safe path after too many tries: never a silent no. Returns the answer to record."""
        step = STEPS[state]
        self.say(self.line(step.give_up_line))
        return step.give_up_answer

    def _command(self, command: str, q: Question, prompt: str) -> str:
        """Carry out a command; returns what to say next on this question."""
        s = self.sentences
        if command == "help" and q.help:
            reply = self.line("help_reply", help=s.question(q, q.help), why=s.question(q, q.why))
            return reply + " " + prompt
        if command == "back":
            if self.triage.back():
                self.say(self.line("back_done"))
                raise Reask()
            return self.line("back_nothing") + " " + prompt
        if command == "restart":
            self.triage.restart()
            self.say(self.line("restart"))
            raise Reask()
        if command == "stop":
            self.say(self.line("stopped"))
            raise Ended("stopped")
        if command == "help_now":
            self.deliver_help_now()
            raise Ended("complete")
        if command in ("slower", "faster", "louder", "quieter"):
            ok = self.speaker.adjust(command)
            return (self.line(command) if ok else self.line("at_limit")) + " " + prompt
        return prompt  # repeat, or help where the question has none

    def deliver_help_now(self) -> None:
        """"I need help now": the help_now line is the one action (call, unlock the door, stay where
        you are), so the emergency level's "or go straight to A and E" is not said beside it."""
        self.tracker.enter(State.HELP_NOW)
        text = self.line("help_now")
        self.channel.cue("emergency")
        self.outcome, record = advice.help_now(text, len(self.triage.asked))
        self.advice_text = text
        self.say(text)
        self.channel.send(record)

    def deliver(self, outcome: Outcome) -> None:
        """Say the advice; the `outcome` event goes out after its first sentence."""
        self.tracker.enter(State.OUTCOME)
        self.outcome = outcome
        said = advice.spoken(self.sentences, outcome, self.triage.answers)
        self.advice_text = said.text
        if outcome.disposition is Disposition.EMERGENCY:
            self.channel.cue("emergency")
        # The first sentence goes out before the event, so `heard` keeps its place and its latency.
        self.say(said.first[0])
        self.channel.send(advice.record(outcome, said, len(self.triage.asked)))
        for part in said.first[1:]:
            self.say(part)
        offer_more(said, self.channel, self.grammar, self.sentences, self.tracker, self.listen)
        self.say(self.line("goodbye"))
