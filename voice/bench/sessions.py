"""Spoken sessions through the real command line: reply latency, start-up time, peak memory.

`python -m voice --audio-in - --audio-out DIR --jsonl` is started as a subprocess, as a user would
run it. For latency it is fed one WAV path per `ask` event at real-time pace (no `--fast`), with
the answers of a simulated test patient spoken by espeak-ng, and the `heard` events'
`latency_ms` are collected. For start-up it is timed from process start to its first `say` event
and to its first WAV file. Peak resident memory is VmHWM from /proc/<pid>/status, sampled while
the process runs.
"""

from __future__ import annotations

import json
import os
import queue
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice.evaluation.patient import SimulatedPatient, load_phrasings
from voice.evaluation.vignettes import Vignette
from voice.speech.testaudio import VOICES, answer_file

REPO_ROOT = Path(__file__).resolve().parents[2]


def voice_command(
    audio_out: Path, engine: str, model: str | None = None, content: Path | None = None, fast: bool = False
) -> list[str]:
    """`python -m voice --audio-in - --audio-out DIR --jsonl --engine E [--model M] [--content C]`."""
    cmd = [
        sys.executable,
        "-m",
        "voice",
        "--audio-in",
        "-",
        "--audio-out",
        str(audio_out),
        "--jsonl",
        "--engine",
        engine,
    ]
    if model:
        cmd += ["--model", str(model)]
    if content is not None:
        cmd += ["--content", str(content)]
    if fast:
        cmd.append("--fast")
    return cmd


def _env() -> dict[str, str]:
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
    return env


def read_vmhwm_kb(pid: int) -> int | None:
    """Peak resident set size (VmHWM, kB) of a running process; None once it has gone."""
    try:
        with open(f"/proc/{pid}/status", encoding="ascii") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except (OSError, ValueError):
        return None
    return None


class _Process:
    """A running `python -m voice`: its events on a queue, its stderr tail, its peak memory."""

    def __init__(self, cmd: list[str]):
        self.started = time.monotonic()
        self.proc = subprocess.Popen(
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            bufsize=1,
            cwd=str(REPO_ROOT),
            env=_env(),
        )
        self.events: queue.Queue = queue.Queue()
        self.stderr: list[str] = []
        self.peak_kb = 0
        self._done = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()
        threading.Thread(target=self._drain, daemon=True).start()
        threading.Thread(target=self._sample, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            now = time.monotonic()
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                event = {"event": "_bad", "line": line}
            self.events.put((now, event))
        self.events.put((time.monotonic(), None))

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))
            del self.stderr[:-40]

    def _sample(self) -> None:
        while not self._done.is_set() and self.proc.poll() is None:
            kb = read_vmhwm_kb(self.proc.pid)
            if kb:
                self.peak_kb = max(self.peak_kb, kb)
            time.sleep(0.05)

    def write(self, line: str) -> bool:
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def finish(self, timeout: float = 10.0) -> None:
        kb = read_vmhwm_kb(self.proc.pid)
        if kb:
            self.peak_kb = max(self.peak_kb, kb)
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._done.set()


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
    heard: list[dict[str, Any]] = field(default_factory=list)
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
    proc = _Process(voice_command(out_dir, engine, model, content))
    deadline = proc.started + timeout
    last_ask: dict[str, Any] | None = None
    written = taken = 0  # answers written, listening turns reported (heard / noinput)

    def answer(ask: dict[str, Any]) -> bool:
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
                _, event = proc.events.get(timeout=min(left, RETRY_AFTER_QUIET) if idle else min(left, 1.0))
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
                out.error = f"the session exited (code {proc.proc.poll()}): {' | '.join(proc.stderr[-3:])}"
                break
            name = event.get("event")
            if name == "ask":
                last_ask = event
                if out.turns >= max_turns:
                    break  # enough turns measured
                if not answer(event):
                    out.error = "input closed"
                    break
            elif name == "heard":
                taken += 1
                patient.hear(event)
                out.heard.append(event)
                if isinstance(event.get("latency_ms"), (int, float)):
                    out.latency_ms.append(float(event["latency_ms"]))
            elif name == "noinput":
                taken += 1
            elif name == "outcome":
                out.disposition = event.get("disposition")
                break
            elif name == "end":
                out.error = f"ended ({event.get('reason')}) before an outcome"
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
    proc = _Process(voice_command(out_dir, engine, model, content))
    first_wav = out_dir / "001.wav"
    deadline = proc.started + timeout
    answered = False
    try:
        while time.monotonic() < deadline:
            if result.first_wav_s is None and first_wav.exists():
                result.first_wav_s = round(time.monotonic() - proc.started, 3)
            try:
                when, event = proc.events.get(timeout=0.005)
            except queue.Empty:
                continue
            if event is None:
                if result.first_say_s is None:
                    result.error = f"exited before speaking: {' | '.join(proc.stderr[-3:])}"
                break
            name = event.get("event")
            if name == "say" and result.first_say_s is None:
                result.first_say_s = round(when - proc.started, 3)
            if name == "ask":
                if answer_wav is not None and not answered:
                    answered = proc.write(str(answer_wav))
                    continue
                break
            if name in ("heard", "nomatch", "noinput") and answered:
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
