"""The simulated patient, and one real session driven by it.

`SimulatedPatient.answer(ask_event)` gives the line a patient would type for an `ask` event of
the protocol. `run_session(vignette)` starts `python -m voice --text --jsonl` as a subprocess
(bench.driver), answers every `ask` on stdin, stops at `outcome` and records what came out.
"""

from __future__ import annotations

import queue
import random
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from bench.driver import BadLine, SessionProcess, text_command
from voice.dialog.events import Ask, End, Heard, NoInput, NoMatch, Outcome
from voice.dialog.states import State

from .vignettes import DEFAULT_VIGNETTE_DIR, Vignette, VignetteError, read_yaml

PHRASINGS_FILE = "_phrasings.yaml"
OFFER = State.MORE.value
"""The question id of the offer after the outcome's first part; the patient declines it."""
MAX_TURNS = 60
"""Answers written before the session counts as hung."""
SESSION_TIMEOUT = 60.0
"""Seconds a whole session may take before it counts as hung."""
RETRY_AFTER_QUIET = 0.75
"""After a `nomatch`/`noinput` or a misheard command, when no new `ask` comes and the stream
stays quiet this many seconds, the session is waiting on the same question: answer it again."""
END_TIMEOUT = 5.0
"""Seconds to wait for `end` after stdin is closed."""

_PHRASING_KEYS = ("yes", "no", "unsure", "confirm", "number", "choice", "number_words", "named")


NAMING = 0.5
"""How often a patient who has a sign of an "any of these?" list names it in the yes ("yes, I had a
fall"; `named` in tests/vignettes/_phrasings.yaml) rather than saying a plain yes."""


def load_phrasings(path: Path | str | None = None) -> dict[str, Any]:
    """Load the patient's phrase lists (tests/vignettes/_phrasings.yaml) and check their shape."""
    path = Path(path) if path is not None else DEFAULT_VIGNETTE_DIR / PHRASINGS_FILE
    data = read_yaml(path)
    if not isinstance(data, dict):
        raise VignetteError("the phrasings file must be a mapping", where=str(path))
    unknown = [k for k in data if k not in _PHRASING_KEYS]
    if unknown:
        raise VignetteError(
            f"unknown key {unknown[0]!r}", where=str(path), fix=f"use only {', '.join(_PHRASING_KEYS)}"
        )
    for key in ("yes", "no", "unsure", "confirm"):
        if not _phrase_list(data.get(key)):
            raise VignetteError(f"{key!r} must be a non-empty list of phrases", where=str(path))
    number = data.get("number")
    if not isinstance(number, dict) or not _phrase_list(number.get("default")):
        raise VignetteError("'number' needs a 'default' list of templates", where=str(path))
    for key, templates in number.items():
        if not _phrase_list(templates):
            raise VignetteError(f"number.{key} must be a non-empty list", where=str(path))
    choice = data.get("choice")
    if not isinstance(choice, dict):
        raise VignetteError("'choice' must map a finding to its values' phrases", where=str(path))
    for finding, values in choice.items():
        if not isinstance(values, dict) or not all(_phrase_list(v) for v in values.values()):
            raise VignetteError(f"choice.{finding} must map each value to phrases", where=str(path))
    named = data.get("named", {})
    if not isinstance(named, dict) or not all(_phrase_list(v) for v in named.values()):
        raise VignetteError("'named' must map a finding to a non-empty list of phrases", where=str(path))
    words = data.get("number_words")
    if (
        not isinstance(words, dict)
        or len(words.get("units") or []) != 20
        or len(words.get("tens") or []) != 10
        or not isinstance(words.get("hundred"), str)
        or not isinstance(words.get("and"), str)
    ):
        raise VignetteError(
            "'number_words' needs units (20 words), tens (10), hundred and and", where=str(path)
        )
    return data


def _phrase_list(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(v, str) and v for v in value)


def number_in_words(n: int, words: dict[str, Any]) -> str:
    """67 -> "sixty seven", using the number_words of the phrasings file (0 to 199)."""
    units, tens = words["units"], words["tens"]
    if n < 0 or n > 199:
        return str(n)
    if n >= 100:
        rest = n - 100
        return (
            words["hundred"]
            if rest == 0
            else f"{words['hundred']} {words['and']} {number_in_words(rest, words)}"
        )
    if n < 20:
        return units[n]
    word = tens[n // 10]
    return word if n % 10 == 0 else f"{word} {units[n % 10]}"


class SimulatedPatient:
    """Answers `ask` events as the patient of one vignette, in varied everyday wording."""

    def __init__(self, vignette: Vignette, phrasings: dict[str, Any], rng: random.Random, key: str = ""):
        self.vignette = vignette
        self.phrasings = phrasings
        self.rng = rng
        self.key = key or vignette.id
        """Seeds the choices that must not depend on the turns before (naming a sign in a yes)."""
        self.meant: Any = None
        """What the patient meant by their last answer to a real question."""
        self.heard: Any = None
        """What the session understood of it (the `heard` event's answer)."""

    def hear(self, event: Heard) -> None:
        """Take note of a `heard` event: what the session understood the patient to say."""
        if event.question != "confirm":
            self.heard = event.answer

    def intent(self, ask: Ask) -> Any:
        """What the patient means: "yes" / "no" / "unsure" / an int / a choice value id.

        yes_no: yes if any listed finding is in the vignette's yes list, else unsure if any is
        unsure, else no; a question about no finding (a read-back "is that right?") is yes, but for
        `number_at_least`, which compares the vignette's number with the threshold asked.
        """
        kind = ask.kind
        findings = [f for f in ask.findings if isinstance(f, str)]
        v = self.vignette
        if kind == "number":
            for key in findings or [ask.question]:
                if key in v.numbers:
                    return v.numbers[key]
            return "unsure"
        if kind == "choice":
            choices = ask.choices
            for key in findings or [ask.question]:
                value = v.choices.get(key)
                if value is not None and (not choices or value in choices):
                    return value
            return "unsure"
        if ask.question == "number_at_least":  # a number asked as "Is it {at_least} or more?"
            number = v.numbers.get(str(ask.of))
            if number is None or not isinstance(ask.at_least, (int, float)):
                return "unsure"
            return "yes" if number >= ask.at_least else "no"
        if ask.question == OFFER:  # "Would you like some things that may help at home?"
            return "no"
        if not findings:
            if ask.question == "confirm":  # "I heard ... Is that right?": only if it was heard right
                return "confirm" if self.heard == self.meant or self.meant is None else "no"
            return "confirm"
        if any(f in v.yes for f in findings):
            return "yes"
        if any(f in v.unsure for f in findings):
            return "unsure"
        return "no"

    def answer(self, ask: Ask) -> str:
        """The line the patient types for this `ask` event."""
        meaning = self.intent(ask)
        if ask.findings or ask.kind in ("number", "choice") or ask.question == "number_at_least":
            self.meant, self.heard = meaning, None  # what a later "I heard ... Is that right?" is about
        p = self.phrasings
        findings = [f for f in ask.findings if isinstance(f, str)]
        # On an "any of these?" question the patient speaks of the item their answer is about: a yes
        # in the words of a finding they have, never in the words of one they deny.
        matching = {"yes": self.vignette.yes, "unsure": self.vignette.unsure}.get(str(meaning))
        own = [f for f in findings if f in self.vignette.says and (matching is None or f in matching)]
        if meaning in ("yes", "no", "unsure") and own:
            return self.rng.choice(self.vignette.says[own[0]])
        if meaning == "yes" and len(findings) > 1:
            # Whether the sign is named hangs on the person and the question, not on what was
            # said before: a typed and a spoken session of the same patient name it alike.
            pick = random.Random(f"{self.key}:{ask.question}")
            said = p.get("named", {}) if pick.random() < NAMING else {}
            named = [pick.choice(said[f]) for f in findings if f in self.vignette.yes and f in said]
            if named:
                return " and ".join([named[0], *(n.removeprefix("yes, ") for n in named[1:])])
        if meaning in ("yes", "no", "unsure", "confirm"):
            return self.rng.choice(p[meaning])
        key = findings[0] if findings else ask.question
        if isinstance(meaning, int):
            templates = p["number"].get(key) or p["number"]["default"]
            template = self.rng.choice(templates)
            return template.format(n=meaning, words=number_in_words(meaning, p["number_words"]))
        phrases = (p["choice"].get(key) or {}).get(meaning)
        if phrases:
            return self.rng.choice(phrases)
        return str(meaning).replace("_", " ")


@dataclass
class SessionResult:
    """What one session gave for one vignette."""

    vignette: str
    disposition: str | None = None
    causes: list[str] = field(default_factory=list)
    red_flags: list[str] = field(default_factory=list)
    questions: int = 0
    """Number of `ask` events."""
    retries: int = 0
    """Number of `nomatch` / `noinput` events."""
    turns: list[dict[str, Any]] = field(default_factory=list)
    """Every ask with what the patient said and what the session heard."""
    end_reason: str | None = None
    error: str | None = None
    """Why the session failed (hang, crash, bad output), or None."""
    seconds: float = 0.0
    stderr_tail: str = ""
    outcome_text: str = ""
    """What the outcome said (the `outcome` event's text)."""
    outcome_first: str = ""
    """The part of it said at once (the `outcome` event's `first`)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _said(text: str, speak: Callable[[str], str] | None) -> str:
    return speak(text) if speak is not None else text


def run_session(
    vignette: Vignette,
    content_dir: Path | str | None = None,
    seed: int = 0,
    phrasings: dict[str, Any] | None = None,
    timeout: float = SESSION_TIMEOUT,
    max_turns: int = MAX_TURNS,
    command: list[str] | None = None,
    speak: Callable[[str], str] | None = None,
    in_process: bool = False,
) -> SessionResult:
    """Drive one real session with the vignette's patient; never raises for a bad session.

    By default a text session (`bench.driver.text_command`). For a spoken one, pass the `command`
    (e.g. with `--audio-in - --fast --audio-out DIR`) and `speak`, which turns what the patient says
    into the stdin line (the path of a WAV file holding it). With `in_process`, the same text session
    runs in a thread of this process (`bench.in_process`), without the command's start-up.
    """
    phrasings = phrasings if phrasings is not None else load_phrasings()
    key = f"{seed}:{vignette.id}"
    patient = SimulatedPatient(vignette, phrasings, random.Random(key), key)
    result = SessionResult(vignette=vignette.id)
    started = time.monotonic()
    try:
        if in_process:
            from bench.in_process import InProcessSession

            proc = InProcessSession(content_dir)
        else:
            proc = SessionProcess(command or text_command(content_dir))
    except OSError as err:
        result.error = f"the session could not be started: {err}"
        return result

    deadline = started + timeout
    last_ask: Ask | None = None
    retry_pending = False
    answers = 0
    try:
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                result.error = f"no outcome within {timeout:.0f} s (hang)"
                break
            wait = min(remaining, RETRY_AFTER_QUIET) if retry_pending else remaining
            try:
                _, event = proc.next_event(wait)
            except queue.Empty:
                if retry_pending and last_ask is not None:
                    retry_pending = False
                    if answers >= max_turns:
                        result.error = f"more than {max_turns} turns without an outcome"
                        break
                    said = patient.answer(last_ask)
                    answers += 1
                    result.turns.append({"question": last_ask.question, "said": said, "retry": True})
                    if not proc.write(_said(said, speak)):
                        result.error = "the session closed its input before an outcome"
                        break
                    continue
                result.error = f"no outcome within {timeout:.0f} s (hang)"
                break
            if event is None:
                result.error = f"the session exited (code {proc.exit_code()}) without an outcome"
                break
            match event:
                case BadLine(line=line, problem=problem):
                    result.error = f"stdout line is not an event ({problem}): {line[:120]!r}"
                    break
                case Ask():
                    retry_pending = False
                    result.questions += 1
                    if answers >= max_turns:
                        result.error = f"more than {max_turns} turns without an outcome"
                        break
                    last_ask = event
                    said = patient.answer(event)
                    answers += 1
                    result.turns.append(
                        {"question": event.question, "findings": list(event.findings), "kind": event.kind,
                         "said": said}
                    )
                    if not proc.write(_said(said, speak)):
                        result.error = "the session closed its input before an outcome"
                        break
                case Heard(answer=answer, command=command):
                    patient.hear(event)
                    if result.turns:
                        result.turns[-1]["heard"] = answer
                        if event.confidence is not None:  # spoken: the words and how sure
                            result.turns[-1]["words"] = event.text
                            result.turns[-1]["confidence"] = event.confidence
                        if command:
                            result.turns[-1]["command"] = command
                    if command:
                        # A command the patient never gave (misheard): the question comes again with no
                        # new `ask` (repeat, help, a speed change); answer it again once all is quiet.
                        retry_pending = True
                case NoMatch() | NoInput():
                    result.retries += 1
                    retry_pending = True
                case Outcome():
                    result.disposition = event.disposition
                    result.red_flags = [str(f) for f in event.red_flags]
                    result.outcome_text = event.text
                    result.outcome_first = event.first or ""
                    result.causes = [c.get("id") if isinstance(c, dict) else str(c) for c in event.causes]
                    break
                case End(reason=reason):
                    result.end_reason = reason
                    result.error = f"the session ended ({result.end_reason}) before an outcome"
                    break
        if result.disposition is not None:
            result.end_reason = _end_reason(proc, patient, speak)
    finally:
        proc.finish(timeout=2)
        result.seconds = round(time.monotonic() - started, 3)
        result.stderr_tail = "\n".join(proc.stderr_tail())
    return result


def _end_reason(proc: SessionProcess, patient: SimulatedPatient,
                speak: Callable[[str], str] | None = None) -> str | None:
    """After the outcome: answer the offer of more advice as the patient would ("no"), then close
    the input and wait up to END_TIMEOUT for the `end` event's reason."""
    end_deadline = time.monotonic() + END_TIMEOUT
    while time.monotonic() < end_deadline:
        try:
            _, event = proc.next_event(max(0.01, end_deadline - time.monotonic()))
        except queue.Empty:
            break
        if event is None:
            return None
        if isinstance(event, Ask) and event.question == OFFER:
            proc.write(_said(patient.answer(event), speak))
            proc.close_input()
        if isinstance(event, End):
            return event.reason
    proc.close_input()
    return None
