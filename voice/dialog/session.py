"""The loop that joins the triage engine, understanding, a Listener and a Speaker for one person.

The session is policy only: which question to ask, what to do with an answer, a silence, words that
do not answer, a command or an answer heard with too little confidence. Its states and the moves
between them are in states.py; one question's answer, case by case, in answering.py; speaking,
listening and the event order in channel.py (`Channel.turn`: say, listen, understand); the checks it
asks in checks.py; its settings in settings.py; the advice as spoken in advice.py; every sentence is
filled by sentences.py.
"""

from __future__ import annotations

from dataclasses import replace

from .. import __version__
from ..errors import AudioDeviceError, EndOfInput
from ..ports import Listener, Speaker
from ..triage.conditions import NO, YES
from ..triage.engine import Ask, Outcome, Triage
from ..triage.model import Content, Disposition, Question, Region
from ..understanding import Grammar
from . import advice
from .answering import Answering
from .channel import Channel, ask_record
from .checks import Checks
from .device import DeviceGuard
from .events import Emitter, End, Start
from .offer import offer_more
from .sentences import Sentences, answer_words
from .settings import SessionSettings
from .states import STEPS, Ended, Reask, State, Tracker, state_of

CHILD_BELOW = 16
"""Ages below this are a child's (docs/protocol.md, Age): a parent may be answering, and "my son
has a fever" is then about the person asked about (`Question.about_child`)."""


class Session(Answering):
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
        self.checks = Checks(self.channel, grammar, self.sentences, self.settings, self.triage, self.tracker)
        self._silent_turns = 0

    def line(self, key: str, index: int | None = None, **values: object) -> str:
        """A dialog line, filled (the kiosk greets with its own welcome)."""
        return self.sentences.line(key, index, **values)

    def say(self, text: str) -> None:
        self.channel.say(text)

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

    def _prompt(self, step: Ask, state: State) -> str:
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

    def ask(self, step: Ask) -> None:
        """Ask one question until it is answered (or a command leaves it), and record the answer."""
        age = self.triage.answers.values.get("age")
        q = replace(step.question, about_child=isinstance(age, int) and age < CHILD_BELOW)
        state = state_of(q.id)
        self.tracker.enter(state)
        prompt = self._prompt(step, state)
        self.channel.ask(ask_record(q, prompt))
        value, given_up = self._answer(q, state, prompt)
        self.triage.answer(q.id, value)
        if value == YES and len(q.findings) > 1 and self._said is not None and self._said.text:
            # "Yes, I had a fall": the signs named are taken, the others asked together.
            self.triage.name(q.id, self.grammar.named(self._said.text, q))
        if (state is State.READBACK_CONFIRM and value == NO) or (
                state is State.READBACK_WHICH and value in {c.id for c in q.choices}):
            self._correct_in_same_words()
        thanks = STEPS[state].thanks_line
        if thanks and value != NO and not given_up:
            self.say(self.line(thanks))

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
        offer_more(said, self.channel, self.sentences, self.tracker)
        self.say(self.line("goodbye"))
