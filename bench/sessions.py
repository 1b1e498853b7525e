"""Spoken sessions through the real command line: reply latency, start-up time, peak memory.

`python -m voice --audio-in - --audio-out DIR --jsonl` is started as a subprocess (bench.driver),
as a user would run it. For latency it is fed one WAV path per `ask` event at real-time pace (no
`--fast`), with the answers of a simulated test patient spoken by espeak-ng, and the `heard`
events' `latency_ms` are collected. For start-up it is timed from process start to its first `say`
event and to its first WAV file. Peak resident memory is VmHWM from /proc/<pid>/status, sampled
while the process runs.
"""

from __future__ import annotations

import queue
import random
import time
from dataclasses import dataclass, field
from pathlib import Path

from voice.dialog.events import Ask, End, Heard, NoInput, NoMatch, Outcome, Say

from .driver import BadLine, SessionProcess, audio_command
from .evaluation.patient import SimulatedPatient, load_phrasings
from .evaluation.vignettes import Vignette
from .testaudio import VOICES, answer_file

RETRY_AFTER_QUIET = 0.75
"""Seconds of quiet after the session took in an answer, with no new `ask` and no outcome, after
which it is listening again on the same question (a no-match, a "no" to "did you say ...?", a
repeat or help command all re-ask without an `ask` event): the patient answers it again."""


@dataclass
class SessionLatency:
    """One real-time spoken session."""

    vignette: str
    voice: str = ""
    latency_ms: list[float] = field(default_factory=list)
    """`heard.latency_ms` of every understood turn (a no-match has no reply latency)."""
    heard: list[Heard] = field(default_factory=list)
    turns: int = 0
    """Answers spoken into the session (retries included)."""
    retries: int = 0
    """Answers spoken again to a question that was re-asked without a new `ask` event."""
    disposition: str | None = None
    peak_rss_mb: float | None = None
    seconds: float = 0.0
    error: str | None = None


def run_latency_session(
    vignette: Vignette,
    workdir: Path,
    engine: str,
    model: str | None = None,
    seed: int = 0,
    content: Path | None = None,
    max_turns: int = 40,
    timeout: float = 150.0,
) -> SessionLatency:
    """One session of the vignette's patient at real-time pace; never raises for a bad session.

    Every `ask` is answered with a WAV of the patient's words. The session reads one answer per
    listening turn and reports each turn as one `heard` or `noinput` event, so the driver knows
    when all it wrote has been taken in; quiet after that, with no new `ask`, means the same
    question is waiting again, and it is answered again.
    """
    rng = random.Random(f"latency:{seed}:{vignette.id}")
    patient = SimulatedPatient(vignette, load_phrasings(), rng)
    voice = VOICES[rng.randrange(len(VOICES))]
    out_dir = workdir / f"out-{vignette.id}"
    answers_dir = workdir / "answers"
    out = SessionLatency(vignette.id, voice=voice.label)
    proc = SessionProcess(audio_command(out_dir, engine, model, content), watch_memory=True)
    deadline = proc.started + timeout
    last_ask: Ask | None = None
    written = taken = 0  # answers written, listening turns reported (heard / noinput)

    def answer(ask: Ask) -> bool:
        nonlocal written
        text = patient.answer(ask)
        path = answer_file(answers_dir, text, voice, seed=seed, before=0.4, after=0.4)
        out.turns += 1
        written += 1
        return proc.write(str(path))

    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                out.error = f"no outcome within {timeout:.0f} s"
                break
            idle = written == taken and last_ask is not None
            try:
                _, event = proc.next_event(min(left, RETRY_AFTER_QUIET) if idle else min(left, 1.0))
            except queue.Empty:
                if idle:
                    if out.turns >= max_turns:
                        break
                    out.retries += 1
                    if not answer(last_ask):
                        out.error = "input closed"
                        break
                continue
            if event is None:
                out.error = f"the session exited (code {proc.proc.poll()}): {' | '.join(proc.stderr_tail(3))}"
                break
            match event:
                case Ask():
                    last_ask = event
                    if out.turns >= max_turns:
                        break  # enough turns measured
                    if not answer(event):
                        out.error = "input closed"
                        break
                case Heard(latency_ms=latency_ms):
                    taken += 1
                    patient.hear(event)
                    out.heard.append(event)
                    if latency_ms is not None:
                        out.latency_ms.append(float(latency_ms))
                case NoInput():
                    taken += 1
                case Outcome(disposition=disposition):
                    out.disposition = disposition
                    break
                case End(reason=reason):
                    out.error = f"ended ({reason}) before an outcome"
                    break
                case BadLine(line=line, problem=problem):
                    out.error = f"stdout line is not an event ({problem}): {line[:120]!r}"
                    break
    finally:
        proc.finish()
        out.peak_rss_mb = round(proc.peak_kb / 1024, 1) if proc.peak_kb else None
        out.seconds = round(time.monotonic() - proc.started, 2)
    return out


@dataclass
class Startup:
    """One start of the assistant, to its first spoken word."""

    engine: str
    first_say_s: float | None = None
    """Process start to its first `say` event."""
    first_wav_s: float | None = None
    """Process start to its first WAV file (the first spoken word exists as audio)."""
    peak_rss_mb: float | None = None
    error: str | None = None


def measure_startup(
    workdir: Path,
    engine: str,
    model: str | None = None,
    content: Path | None = None,
    answer_wav: Path | None = None,
    timeout: float = 60.0,
) -> Startup:
    """Start the assistant, wait for its first `say` and first WAV; optionally answer once (to load
    and use the recognizer, so the peak memory covers decoding), then close its input."""
    out_dir = workdir / f"startup-{engine}-{time.monotonic_ns()}"
    result = Startup(engine)
    proc = SessionProcess(audio_command(out_dir, engine, model, content), watch_memory=True)
    first_wav = out_dir / "001.wav"
    deadline = proc.started + timeout
    answered = False
    try:
        while time.monotonic() < deadline:
            if result.first_wav_s is None and first_wav.exists():
                result.first_wav_s = round(time.monotonic() - proc.started, 3)
            try:
                when, event = proc.next_event(0.005)
            except queue.Empty:
                continue
            if event is None:
                if result.first_say_s is None:
                    result.error = f"exited before speaking: {' | '.join(proc.stderr_tail(3))}"
                break
            if isinstance(event, Say) and result.first_say_s is None:
                result.first_say_s = round(when - proc.started, 3)
            if isinstance(event, Ask):
                if answer_wav is not None and not answered:
                    answered = proc.write(str(answer_wav))
                    continue
                break
            if isinstance(event, (Heard, NoMatch, NoInput)) and answered:
                break
        while result.first_wav_s is None and time.monotonic() < deadline and proc.proc.poll() is None:
            if first_wav.exists():
                result.first_wav_s = round(time.monotonic() - proc.started, 3)
            time.sleep(0.005)
        if result.first_say_s is None and result.error is None:
            result.error = f"no `say` within {timeout:.0f} s"
    finally:
        proc.finish()
        result.peak_rss_mb = round(proc.peak_kb / 1024, 1) if proc.peak_kb else None
    return result
