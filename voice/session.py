"""The loop that joins the triage engine, understanding, a Listener and a Speaker for one person."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from . import __version__
from .errors import AudioDeviceError, EndOfInput, InputError
from .events import Events
from .ports import CONFIRM_BELOW, Listener, Speaker, Utterance
from .summary import answer_words
from .triage.conditions import NO, UNSURE, YES, NumberRange
from .triage.engine import READBACK_CONFIRM, READBACK_WHICH, Ask, Outcome, Triage
from .triage.model import Content, Disposition, Kind, Question, Region
from .understanding import Grammar, Interpretation
from .understanding.yes_no import CHECK as CONFIRM

_LOG = logging.getLogger(__name__)

CHECKED_COMMANDS = frozenset({"back", "restart", "stop", "help_now", "slower", "faster", "louder", "quieter"})
"""Commands confirmed when heard with low confidence (repeat and help cost nothing if misheard)."""
SPOKEN_CHECKED_COMMANDS = frozenset({"stop", "restart"})
"""Commands that throw the person's answers away: checked whenever they are heard by a recognizer,
however confident it is. Real recorded voices saying "five" were heard confidently as "bye" (stop)
to the pain score question, which ended the session with no advice. Typed, they are taken as is."""
STILL_THERE = "still_there"
NUMBER_AT_LEAST = "number_at_least"


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


class _Ended(Exception):
    def __init__(self, reason: str):
        self.reason = reason


class _Restart(Exception):
    pass


class _Reask(Exception):
    """Back or restart: leave this question and ask the engine again."""


class _Format(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Session:
    """One person's spoken (or typed) triage, from the first question to the outcome."""

    def __init__(self, content: Content, grammar: Grammar, listener: Listener, speaker: Speaker,
                 events: Events, region: Region | None = None, settings: SessionSettings | None = None,
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
        self._pending_heard: dict | None = None
        self._pending_ask: dict | None = None
        self._silent_turns = 0
        self._last_said = ""

    # ---------------------------------------------------------------- text

    def fmt(self, text: str, **values: object) -> str:
        mapping = _Format(emergency_number=self.region.emergency_number, urgent_line=self.region.urgent_line,
                          emergency_place=self.region.emergency_place, **values)
        return text.format_map(mapping)

    def line(self, key: str, index: int | None = None, **values: object) -> str:
        return self.fmt(self.content.say(key, index), **values)

    # ---------------------------------------------------------------- speaking and listening

    def say(self, text: str) -> None:
        """Speak; the pending `heard` event is emitted with the latency to this reply's first sample."""
        if not text:
            return
        started = self._with_device(lambda: self.speaker.say(text))
        if self._pending_heard is not None:
            heard = self._pending_heard
            self._pending_heard = None
            end = heard.pop("_speech_end", None)
            if started is not None and end is not None:
                heard["latency_ms"] = round(max(0.0, started - end) * 1000)
            self.events.emit("heard", **heard)
        self._flush_ask()
        self.events.emit("say", text=text)
        self._last_said = text

    def _queue_ask(self, **fields: object) -> None:
        """The `ask` event goes out with the question's first sentence, after the last `heard`."""
        self._flush_ask()
        self._pending_ask = fields

    def _flush_ask(self) -> None:
        if self._pending_ask is not None:
            fields, self._pending_ask = self._pending_ask, None
            self.events.emit("ask", **fields)

    def _flush_heard(self) -> None:
        if self._pending_heard is not None:
            heard = self._pending_heard
            self._pending_heard = None
            heard.pop("_speech_end", None)
            self.events.emit("heard", **heard)

    def listen(self, question: Question | None) -> Utterance:
        red_flag = question is not None and self.triage.is_red_flag_question(question)
        expect = self.grammar.expectation(question, guard=YES if red_flag else None)
        if self.settings.barge_in:
            on_speech: Callable[[], None] | None = self.speaker.stop
        else:
            self._with_device(self.speaker.wait)
            self._with_device(lambda: self.speaker.cue("listening"))
            on_speech = None
        while True:
            try:
                return self._with_device(lambda: self.listener.listen(expect, on_speech))
            except InputError as err:  # scripted audio that cannot be read: say so, the question stays open
                self._flush_heard()
                _LOG.warning("%s", err)
                self.events.emit("error", message=str(err), question=question.id if question else None,
                                 input=err.where)
                again = [self.line("audio_unreadable")] + ([self.qfmt(question, question.rephrase)] if question else [])
                self.say(" ".join(again))
                if not self.settings.barge_in:
                    self._with_device(self.speaker.wait)

    def _with_device(self, action: Callable[[], object]):
        """Run an audio action; if the device is lost, say so, keep every answer, and wait for it."""
        try:
            return action()
        except AudioDeviceError as err:
            _LOG.warning("audio device lost: %s", err)
            self.events.emit("device", status="lost", message=str(err))
            deadline = time.monotonic() + self.settings.device_wait
            while time.monotonic() < deadline:
                time.sleep(1.0)
                try:
                    result = action()
                except AudioDeviceError:
                    continue
                self.events.emit("device", status="back")
                return result
            raise _Ended("error") from None

    # ---------------------------------------------------------------- the dialog

    def run(self) -> str:
        """Run the dialog to its end; returns the `end` reason."""
        self.events.emit("start", version=__version__, engine=self.engine_name, language="en",
                         model=self.model, region=self.region.id)
        reason = "complete"
        try:
            if self.settings.welcome:
                self.say(" ".join([self.line("welcome"), self.line("disclaimer"), self.line("how_to_answer")]))
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
                except _Reask:
                    continue
        except _Ended as ended:
            reason = ended.reason
        except (EndOfInput, KeyboardInterrupt):
            # The input ended (Ctrl-D, the end of a script), Ctrl-C or SIGTERM before the advice:
            # the closing safety line, then the end.
            reason = "stopped"
            try:
                self.say(self.line("stopped"))
            except (AudioDeviceError, EndOfInput, KeyboardInterrupt):
                pass
        self._flush_heard()
        try:
            self.speaker.wait()
        except (AudioDeviceError, KeyboardInterrupt):
            pass
        self.events.emit("end", reason=reason)
        return reason

    def _answers_phrase(self, question: Question) -> str:
        if question.kind is Kind.YES_NO:
            return self.line("answers_yes_no")
        if question.kind is Kind.NUMBER:
            example = (question.minimum or 0) + ((question.maximum or 10) - (question.minimum or 0)) // 2
            return self.line("answers_number", example=example)
        return self.line("answers_choice", choices=self._choices_phrase(question))

    def _choices_phrase(self, question: Question) -> str:
        """The question's choices as said: "a, b or c" (empty for a question without choices)."""
        labels = [c.label for c in question.choices]
        if len(labels) > 1:
            return ", ".join(labels[:-1]) + f" {self.content.say('or_word')} " + labels[-1]
        return labels[0] if labels else ""

    def qfmt(self, question: Question, text: str) -> str:
        """One of the question's own texts (text, rephrase, help, why) with its placeholders filled:
        the read-back's "You can say {choices}" names the answers read back, whenever it is said."""
        return self.fmt(text, choices=self._choices_phrase(question))

    def _prompt(self, step: Ask) -> str:
        q = step.question
        if q.id == READBACK_CONFIRM:
            items = [self.line("readback_item", label=qq.readback, answer=answer_words(self.content, qq, v))
                     for qq, v in step.readback_items]
            denied = [self.fmt(qq.readback[:1].lower() + qq.readback[1:])
                      for qq in self.triage.readback_denied()]
            if denied:
                items.append(self.line("readback_none", items="; ".join(denied)))
            return " ".join([self.line("readback_intro"), *items, self.qfmt(q, q.text)])
        return self.qfmt(q, q.text)

    def ask(self, step: Ask) -> None:
        """Ask one question until it is answered (or a command leaves it), and record the answer."""
        q = step.question
        prompt = self._prompt(step)
        self._queue_ask(question=q.id, findings=list(q.findings), kind=q.kind.value,
                        choices=[c.id for c in q.choices], text=prompt)
        value, given_up = self._answer(q, prompt)
        self.triage.answer(q.id, value)
        if q.id == READBACK_CONFIRM and value != NO and not given_up:
            self.say(self.line("readback_thanks"))

    def _answer(self, q: Question, prompt: str, extra: dict[str, object] | None = None) -> tuple[object, bool]:
        """Listen until `q` is answered: the answer, and whether it was given up on (three tries
        with nothing understood). `extra`: more fields of the question's `ask` event."""
        extra = extra or {}
        noinput = nomatch = denied = 0
        text = prompt
        while True:
            self.say(text)
            utt = self.listen(q)
            if utt.text is None:
                self._flush_heard()
                noinput += 1
                self._silent_turns += 1
                self.events.emit("noinput", question=q.id, count=noinput)
                if self._silent_turns >= self.settings.walkaway_after:
                    self._check_still_there()
                    noinput = 0
                    text = self.qfmt(q, q.rephrase)
                    continue
                if noinput >= self.settings.max_tries:
                    return self._give_up(q), True
                text = self.line("noinput", noinput - 1, rephrase=self.qfmt(q, q.rephrase), answers=self._answers_phrase(q))
                continue
            self._silent_turns = 0
            meaning = self.grammar.understand(utt.text, q) if utt.text else None
            self._pending_heard = {
                "question": q.id, "text": utt.text,
                "answer": meaning.answer if meaning else None,
                "command": meaning.command if meaning else None,
                "confidence": utt.confidence, "latency_ms": None, "_speech_end": utt.speech_end,
            }
            if meaning is None or meaning.out_of_range or (meaning.answer is None and meaning.command is None):
                nomatch += 1
                self._flush_heard()
                self.events.emit("nomatch", question=q.id, count=nomatch)
                self.speaker.cue("nomatch")
                if self._by_yes_no_due(q, nomatch + denied):
                    return self._number_by_yes_no(q), False
                if nomatch >= self.settings.max_tries:
                    return self._give_up(q), True
                key = "out_of_range" if meaning is not None and meaning.out_of_range else "nomatch"
                text = self.line(key, nomatch - 1, rephrase=self.qfmt(q, q.rephrase), answers=self._answers_phrase(q))
                continue
            if meaning.command:
                spoken = utt.confidence is not None
                checked = (self.settings.unsure(utt) and meaning.command in CHECKED_COMMANDS) or (
                    spoken and meaning.command in SPOKEN_CHECKED_COMMANDS)
                if checked and not self._confirm_command(meaning.command):
                    text = self._ask_again(q, self.line("confirm_again", rephrase=self.qfmt(q, q.rephrase)), extra)
                    continue
                text = self._command(meaning.command, q, prompt)
                continue
            if self.settings.unsure(utt) or self._spoken_unsure_red_flag(q, utt, meaning):
                confirmed = self._confirm(q, meaning)
                if confirmed is None:
                    denied += 1
                    if self._by_yes_no_due(q, nomatch + denied):
                        return self._number_by_yes_no(q), False
                    text = self._ask_again(q, self.line("confirm_again", rephrase=self.qfmt(q, q.rephrase)), extra)
                    continue
                meaning = confirmed
            if q.id == READBACK_WHICH and meaning.answer not in {c.id for c in q.choices}:
                if meaning.answer == NO:
                    # "No", "nothing", "none": nothing to change, so the answers stand.
                    self.say(self.line("readback_keep"))
                    return None, False
                # Yes, not sure, a number: no answer named, so not understood here.
                nomatch += 1
                self._flush_heard()
                self.events.emit("nomatch", question=q.id, count=nomatch)
                self.speaker.cue("nomatch")
                if nomatch >= self.settings.max_tries:
                    return self._give_up(q), True
                text = self.line("nomatch", nomatch - 1, rephrase=self.fmt(prompt), answers=self._answers_phrase(q))
                continue
            return meaning.answer, False

    def _spoken_unsure_red_flag(self, q: Question, utt: Utterance, meaning: Interpretation) -> bool:
        """True for a spoken "not sure" to a warning-sign question, however clearly it was heard: it
        makes the advice urgent. A clear "no" spoken as the first answer of a session was heard as
        "dunno" (not sure) with full confidence; checked, the person can say it again."""
        return utt.confidence is not None and meaning.answer == UNSURE and self.triage.is_red_flag_question(q)

    def _by_yes_no_due(self, q: Question, misses: int) -> bool:
        """True when a number question has missed often enough to be asked as yes or no instead."""
        after = self.settings.number_by_yes_no_after
        return (q.kind is Kind.NUMBER and after > 0 and misses >= after
                and bool(self.triage.number_thresholds(q)))

    def _number_by_yes_no(self, q: Question) -> object:
        """Find which stretch between the thresholds that matter the number lies in, by asking
        "Is it {value} or more?" (halving the stretches each time). The answer is a NumberRange, or
        "not sure" when a step is answered not sure or given up on."""
        bounds = self.triage.number_thresholds(q)
        low, high = 0, len(bounds)  # the stretches still possible, by index: 0 is below bounds[0]
        intro = self.line("number_ladder")
        wording = q.at_least or self.content.say("number_at_least")
        while low < high:
            mid = (low + high + 1) // 2
            value = bounds[mid - 1]
            text = self.fmt(wording, value=value)
            step = Question(NUMBER_AT_LEAST, Kind.YES_NO, (), text, text, "", "", "")
            extra = {"of": q.id, "at_least": value}
            spoken = f"{intro} {text}" if intro else text
            intro = ""
            self._queue_ask(question=NUMBER_AT_LEAST, findings=[], kind="yes_no", choices=[], text=spoken, **extra)
            answer, _ = self._answer(step, spoken, extra)
            if answer == YES:
                low = mid
            elif answer == NO:
                high = mid - 1
            else:
                return UNSURE
        bottom = bounds[low - 1] if low > 0 else (q.minimum or 0)
        return NumberRange(bottom, bounds[low] if low < len(bounds) else None)

    def _give_up(self, q: Question) -> object:
        """The safe path after too many tries: never a silent no. Returns the answer to record."""
        if q.id == READBACK_WHICH:
            self.say(self.line("readback_keep"))
            return None
        self.say(self.line("give_up"))
        if q.id == READBACK_CONFIRM:
            return YES
        return UNSURE

    def _check_still_there(self) -> None:
        question = Question(STILL_THERE, Kind.YES_NO, (), self.line("still_there"), self.line("still_there"),
                            self.line("still_there"), "", "")
        self._queue_ask(question=STILL_THERE, findings=[], kind="yes_no", choices=[], text=question.text)
        self.say(question.text)
        utt = self.listen(question)
        if utt.text is None:
            self.events.emit("noinput", question=STILL_THERE, count=1)
            self.say(self.line("timeout_end"))
            raise _Ended("timeout")
        self._silent_turns = 0
        meaning = self.grammar.understand(utt.text, question)
        self._pending_heard = {"question": STILL_THERE, "text": utt.text,
                               "answer": meaning.answer if meaning else None,
                               "command": meaning.command if meaning else None,
                               "confidence": utt.confidence, "latency_ms": None, "_speech_end": utt.speech_end}
        if meaning and meaning.command == "stop":
            self.say(self.line("stopped"))
            raise _Ended("stopped")

    def _ask_again(self, q: Question, text: str, extra: dict[str, object] | None = None) -> str:
        """After a check that came to nothing the question is asked anew: a new `ask` event."""
        self._queue_ask(question=q.id, findings=list(q.findings), kind=q.kind.value,
                        choices=[c.id for c in q.choices], text=text, **(extra or {}))
        return text

    def _check(self, text: str) -> tuple[Interpretation | None, bool]:
        """Ask "I heard ... Is that right?" once; the reply (None when there was none) and whether
        the reply itself was heard unsure."""
        question = Question(CONFIRM, Kind.YES_NO, (), text, "", "", "", "")
        self._queue_ask(question=CONFIRM, findings=[], kind="yes_no", choices=[], text=question.text)
        self.say(question.text)
        utt = self.listen(question)
        reply = self.grammar.understand(utt.text, question) if utt.text else None
        self._pending_heard = {"question": CONFIRM, "text": utt.text,
                               "answer": reply.answer if reply else None,
                               "command": reply.command if reply else None,
                               "confidence": utt.confidence, "latency_ms": None, "_speech_end": utt.speech_end}
        if utt.text is None:
            self._flush_heard()
        return reply, self.settings.unsure(utt)

    def _confirm_command(self, command: str) -> bool:
        """Check a command heard with low confidence before carrying it out.

        An unclear reply about "I need help now" counts as yes: the more urgent reading wins.
        """
        reply, _ = self._check(self.line("confirm_heard", heard=self.line(f"heard_{command}")))
        if reply is not None and reply.answer == YES:
            return True
        if reply is not None and reply.answer == NO:
            return False
        if command == "help_now":
            return True
        return reply is not None and reply.command == command

    def _confirm(self, q: Question, meaning: Interpretation) -> Interpretation | None:
        """Check a low-confidence answer. Returns the answer to keep, or None to ask again."""
        heard = answer_words(self.content, q, meaning.answer)
        reply, reply_unsure = self._check(self.line("confirm_heard", heard=heard))
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

    def _command(self, command: str, q: Question, prompt: str) -> str:
        """Carry out a command; returns what to say next on this question."""
        if command == "repeat":
            return prompt
        if command == "help":
            if q.help:
                return self.line("help_reply", help=self.qfmt(q, q.help), why=self.qfmt(q, q.why)) + " " + prompt
            return prompt
        if command == "back":
            if self.triage.back():
                self.say(self.line("back_done"))
                raise _Reask()
            return self.line("back_nothing") + " " + prompt
        if command == "restart":
            self.triage.restart()
            self.say(self.line("restart"))
            raise _Reask()
        if command == "stop":
            self.say(self.line("stopped"))
            raise _Ended("stopped")
        if command == "help_now":
            self.deliver_help_now()
            raise _Ended("complete")
        if command in ("slower", "faster", "louder", "quieter"):
            ok = self.speaker.adjust(command)
            return (self.line(command) if ok else self.line("at_limit")) + " " + prompt
        return prompt

    # ---------------------------------------------------------------- the outcome

    def deliver_help_now(self) -> None:
        """"I need help now": the help_now line is the one action (call, unlock the door, stay where
        you are), so the emergency level's "or go straight to A and E" is not said beside it."""
        text = self.line("help_now")
        self.speaker.cue("emergency")
        self.outcome = Outcome(Disposition.EMERGENCY, (), (), (), True)
        self.say(text)
        self.events.emit("outcome", disposition="emergency", red_flags=[], causes=[], text=text,
                         because_of="help_now", questions=len(self.triage.asked))

    def outcome_action(self, outcome: Outcome) -> str:
        """The one action said first: the level's own advice, or the `action` of the first rule that
        holds (not through a "not sure") at the outcome's level and has one."""
        for rule, applied in outcome.rules:
            if rule.action and applied is outcome.disposition and rule.when.evaluate(self.triage.answers) is True:
                return self.fmt(rule.action)
        return self.fmt(self.content.dispositions[outcome.disposition].advice)

    def outcome_parts(self, outcome: Outcome) -> list[str]:
        """The outcome as spoken, in order: the one action, why, causes, self-care, when to see a
        doctor, the safety-net, and that it is not a diagnosis.

        One action and one time frame: every piece of advice is kept only where it agrees with the
        disposition. Red-flag and escalation advice is said when its rule applies at the outcome's
        level (a lower rule's "see a doctor today" is never said after "call 999 now"); a rule that
        holds only through "not sure" answers gives its conditional line instead. A self-care tip
        is said at the levels it lists and only when its `when` holds; `see_doctor` only for the
        outcome's level.
        """
        c = self.content
        level = outcome.disposition
        answers = self.triage.answers
        parts = [self.outcome_action(outcome)]
        advice_said: list[str] = []
        unsure_emergency = False
        for rule, applied in outcome.rules:
            if applied is not level:
                continue
            if rule.when.evaluate(answers) is not True:
                # It holds only if a "not sure" were yes: the causes' reasons say so; an emergency
                # rule adds what to do if the person finds they do have the sign.
                unsure_emergency = unsure_emergency or rule.level is Disposition.EMERGENCY
                continue
            if rule.advice not in advice_said and len(advice_said) < 2:
                advice_said.append(rule.advice)
        parts += [self.line("outcome_red_flag", advice=self.fmt(advice)) for advice in advice_said]
        if unsure_emergency and level is not Disposition.EMERGENCY:
            parts.append(self.line("outcome_unsure_emergency"))
        if outcome.causes:
            items = []
            said_reasons: tuple[str, ...] = ()
            for rc in outcome.causes:
                if rc.because and tuple(rc.because[:2]) == said_reasons:
                    items.append(self.line("cause_same_reasons", name=rc.cause.name))
                elif rc.because:
                    reasons = f" {c.say('reason_join')} ".join(rc.because[:2])
                    items.append(self.line("cause_with_reasons", name=rc.cause.name, reasons=reasons))
                else:
                    items.append(self.line("cause_plain", name=rc.cause.name))
                said_reasons = tuple(rc.because[:2])
            if len(items) > 1:
                items = [self.line("cause_numbered", i, what=item) for i, item in enumerate(items)]
            key = "outcome_causes_one" if len(items) == 1 else "outcome_causes_many"
            parts.append(self.line(key, items=" ".join(items)))
            top = outcome.causes[0].cause
            tips = [t for t in top.self_care
                    if t.fits(level) and (t.when is None or t.when.evaluate(answers) is True)]
            tips = tips[: 2 if level is Disposition.EMERGENCY else 3]
            if tips:
                intro = {Disposition.EMERGENCY: "self_care_intro_emergency",
                         Disposition.URGENT: "self_care_intro_urgent"}.get(level, "self_care_intro")
                parts.append(" ".join([self.line(intro), *(self.fmt(t.say) for t in tips)]))
            if level in top.see_doctor:
                parts.append(self.fmt(top.see_doctor[level]))
        if level is not Disposition.EMERGENCY:
            parts.append(self.line("safety_net"))
        parts.append(self.line("not_diagnosis"))
        return parts

    def deliver(self, outcome: Outcome) -> None:
        self.outcome = outcome
        parts = self.outcome_parts(outcome)
        if outcome.disposition is Disposition.EMERGENCY:
            self.speaker.cue("emergency")
        # The first sentence goes out before the event, so `heard` keeps its place and its latency.
        self.say(parts[0])
        self.events.emit(
            "outcome", disposition=outcome.disposition.value, red_flags=list(outcome.red_flags),
            causes=[{"id": rc.cause.id, "name": rc.cause.name, "because": list(rc.because)} for rc in outcome.causes],
            text=" ".join(parts),
            questions=len(self.triage.asked),
        )
        for part in parts[1:]:
            self.say(part)
        self.say(self.line("goodbye"))
