"""The session's voice and ears: speaks, listens, and sends the dialog's events in protocol order.

A question's `ask` event waits for the question's first sentence, so it follows the `heard` of the
answer before it; a `heard` event waits for the reply to it, so it carries the latency from the
end of the person's speech to the reply's first sample.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from ..errors import InputError
from ..ports import Listener, Speaker, Utterance
from ..triage.conditions import YES
from ..triage.model import Question
from ..understanding import Grammar, Interpretation
from .device import DeviceGuard
from .events import Ask, Emitter, Error, Heard, Record, Say
from .sentences import Sentences

_LOG = logging.getLogger(__name__)


def heard(question_id: str, utt: Utterance, meaning: Interpretation | None) -> Heard:
    """The `heard` event of an utterance and what it meant (None: not understood)."""
    return Heard(question_id, utt.text, meaning.answer if meaning else None,
                 meaning.command if meaning else None, utt.confidence, speech_end=utt.speech_end)


def ask_record(question: Question, text: str, **extra: object) -> Ask:
    """The `ask` event of a question said as `text`."""
    return Ask(question.id, list(question.findings), question.kind.value,
               [c.id for c in question.choices], text, **extra)


class Channel:
    """Speaking and listening for one session, with the audio device guarded."""

    def __init__(self, listener: Listener, speaker: Speaker, grammar: Grammar, events: Emitter,
                 sentences: Sentences, guard: DeviceGuard, barge_in: bool):
        self.listener = listener
        self.speaker = speaker
        self.grammar = grammar
        self.events = events
        self.sentences = sentences
        self.guard = guard
        self.barge_in = barge_in
        """Listen while speaking and stop speaking when the person talks."""
        self._heard: Heard | None = None
        self._ask: Ask | None = None

    def send(self, record: Record) -> dict:
        return record.send(self.events)

    def say(self, text: str) -> None:
        """Speak; the pending `heard` event is sent with the latency to this reply's first sample."""
        if not text:
            return
        started = self.guard(lambda: self.speaker.say(text))
        if self._heard is not None:
            heard, self._heard = self._heard, None
            self.send(heard.replied(started))
        self.flush_ask()
        self.send(Say(text))

    def ask(self, record: Ask) -> None:
        """The `ask` event goes out with the question's first sentence, after the last `heard`."""
        self.flush_ask()
        self._ask = record

    def flush_ask(self) -> None:
        if self._ask is not None:
            record, self._ask = self._ask, None
            self.send(record)

    def heard(self, record: Heard) -> None:
        """Hold a `heard` event until the reply to it (or `flush_heard`)."""
        self._heard = record

    def flush_heard(self) -> None:
        """Send the held `heard` event now, without a latency."""
        if self._heard is not None:
            heard, self._heard = self._heard, None
            self.send(heard)

    def cue(self, name: str) -> None:
        self.speaker.cue(name)

    def wait(self) -> None:
        """Wait (guarded) until everything said has been played."""
        self.guard(self.speaker.wait)

    def turn(self, question: Question, text: str,
             red_flag: bool = False) -> tuple[Utterance, Interpretation | None]:
        """One turn: say `text`, listen for the answer to `question` and understand it. The `heard`
        event is held until the reply; on silence (text None) there is none, and no meaning."""
        self.say(text)
        utt = self.listen(question, red_flag)
        if utt.text is None:
            self.flush_heard()
            return utt, None
        meaning = self.grammar.understand(utt.text, question) if utt.text else None
        self.heard(heard(question.id, utt, meaning))
        return utt, meaning

    def listen(self, question: Question | None, red_flag: bool) -> Utterance:
        """Listen for an answer to `question` (None: the wake phrase). A red-flag question's grammar
        guards its yes. Scripted audio that cannot be read is reported and the question stays open."""
        expect = self.grammar.expectation(question, guard=YES if red_flag else None)
        if self.barge_in:
            on_speech: Callable[[], None] | None = self.speaker.stop
        else:
            self.wait()
            self.guard(lambda: self.speaker.cue("listening"))
            on_speech = None
        while True:
            try:
                return self.guard(lambda: self.listener.listen(expect, on_speech))
            except InputError as err:
                self.flush_heard()
                _LOG.warning("%s", err)
                self.send(Error(str(err), question.id if question else None, err.where))
                s = self.sentences
                again = [s.line("audio_unreadable")]
                if question:
                    again.append(s.question(question, question.rephrase))
                self.say(" ".join(again))
                if not self.barge_in:
                    self.wait()
