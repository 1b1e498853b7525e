"""One driver for `python -m voice` sessions run as a subprocess, as a user would run them.

The triage evaluation (typed sessions), the spoken-session tests and the benchmark (real-time spoken
sessions, start-up) all go through `SessionProcess`: it starts the command from the checkout, puts
every event of its `--jsonl` stdout on a queue, read back into its record (`Record.from_event`),
with the time it arrived, keeps the tail of its stderr and, when asked, samples its peak resident
memory (VmHWM) while it runs.
`text_command` and `audio_command` build the two command lines.
"""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path

from voice.dialog.events import Record

from .machine import peak_rss_kb

REPO_ROOT = Path(__file__).resolve().parents[1]
STDERR_TAIL = 40
"""Lines of stderr kept (what a failed session said last)."""


@dataclass(frozen=True)
class BadLine:
    """A stdout line that is not an event of docs/protocol.md: the line, and what is wrong with it."""

    line: str
    problem: str


def text_command(content_dir: Path | str | None = None) -> list[str]:
    """`python -m voice --text --jsonl [--content DIR]` with this interpreter."""
    cmd = [sys.executable, "-m", "voice", "--text", "--jsonl"]
    if content_dir is not None:
        cmd += ["--content", str(content_dir)]
    return cmd


def audio_command(
    audio_out: Path, engine: str, model: str | None = None, content: Path | None = None, fast: bool = False
) -> list[str]:
    """`python -m voice --audio-in - --audio-out DIR --jsonl --engine E [--model M] [--content C]
    [--fast]` with this interpreter."""
    cmd = [sys.executable, "-m", "voice", "--audio-in", "-", "--audio-out", str(audio_out), "--jsonl",
           "--engine", engine]
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


def read_event(line: str) -> Record | BadLine:
    """The record a stdout line was written from (`Record.from_event`), or the line as a BadLine."""
    try:
        event = json.loads(line)
    except json.JSONDecodeError:
        return BadLine(line, "it is not JSON")
    if not isinstance(event, dict):
        return BadLine(line, "it is not a JSON object")
    try:
        return Record.from_event(event)
    except (TypeError, ValueError) as err:
        return BadLine(line, str(err))


class SessionProcess:
    """A running `python -m voice ...`: its events on a queue, its stderr tail, its peak memory.

    `events` holds `(monotonic time, event)` pairs, one per non-blank stdout line, and `(time, None)`
    once stdout has closed. Raises OSError when the command cannot be started.
    """

    def __init__(self, cmd: list[str], watch_memory: bool = False):
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
        self.stderr: deque[str] = deque(maxlen=STDERR_TAIL)
        self.peak_kb = 0
        """Highest VmHWM seen (kB), with `watch_memory`; 0 when never read."""
        self._watch_memory = watch_memory
        self._done = threading.Event()
        threading.Thread(target=self._pump, daemon=True).start()
        self._stderr_thread = threading.Thread(target=self._drain, daemon=True)
        self._stderr_thread.start()
        if watch_memory:
            threading.Thread(target=self._sample, daemon=True).start()

    def _pump(self) -> None:
        for line in self.proc.stdout:
            if line.strip():
                self.events.put((time.monotonic(), read_event(line.strip())))
        self.events.put((time.monotonic(), None))

    def _drain(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line.rstrip("\n"))

    def _sample(self) -> None:
        while not self._done.is_set() and self.proc.poll() is None:
            self._read_peak()
            time.sleep(0.05)

    def _read_peak(self) -> None:
        kb = peak_rss_kb(self.proc.pid)
        if kb:
            self.peak_kb = max(self.peak_kb, kb)

    def next_event(self, timeout: float) -> tuple[float, Record | BadLine | None]:
        """The next `(time, event)`; `(time, None)` when stdout has closed; queue.Empty after `timeout`."""
        return self.events.get(timeout=timeout)

    def write(self, line: str) -> bool:
        """Send one line to the session's stdin; False when it no longer reads."""
        try:
            self.proc.stdin.write(line + "\n")
            self.proc.stdin.flush()
            return True
        except (BrokenPipeError, OSError, ValueError):
            return False

    def close_input(self) -> None:
        """Close stdin: end of input, as EOF ends a session."""
        try:
            self.proc.stdin.close()
        except (BrokenPipeError, OSError):
            pass

    def exit_code(self, timeout: float = 5.0) -> int | None:
        """Wait up to `timeout` seconds for the process to exit; its exit code, None if it still runs."""
        try:
            return self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stderr_tail(self, lines: int = STDERR_TAIL) -> list[str]:
        """The last `lines` lines of stderr."""
        return list(self.stderr)[-lines:]

    def finish(self, timeout: float = 10.0) -> None:
        """Close stdin, wait up to `timeout` seconds for the exit (else kill it), collect stderr."""
        if self._watch_memory:
            self._read_peak()
        self.close_input()
        if self.exit_code(timeout) is None:
            self.proc.kill()
            self.proc.wait()
        self._done.set()
        self._stderr_thread.join(timeout=1)
