"""A real kiosk process with its page: `voice-triage --kiosk --web --text --jsonl`, typed answers
(or WAV paths, with `--audio-in -`) on stdin, its events read from stdout."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


class KioskProcess:
    """Starts the kiosk (port 0: any free port) and waits until its page is served."""

    def __init__(self, config: Path, port: int = 0, extra: tuple[str, ...] = ("--text",)):
        """`extra`: how answers come (typed by default; e.g. `--audio-in - --fast ...` for speech)."""
        self.events: list[dict] = []
        self.stderr: list[str] = []
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "voice", "--kiosk", "--web", "--jsonl", "--config", str(config),
             "--web-port", str(port), *extra],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
            env={**os.environ, "PYTHONUNBUFFERED": "1"})
        self._readers = [threading.Thread(target=self._read_events, daemon=True),
                         threading.Thread(target=self._read_stderr, daemon=True)]
        for reader in self._readers:
            reader.start()
        self.url = self._wait_url()
        self.port = int(self.url.rsplit(":", 1)[1].split("/")[0])

    def _read_events(self) -> None:
        for line in self.proc.stdout:
            self.events.append(json.loads(line))

    def _read_stderr(self) -> None:
        for line in self.proc.stderr:
            self.stderr.append(line)

    def _wait_url(self, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.stderr):
                if "kiosk page at " in line:
                    return line.split("kiosk page at ", 1)[1].strip()
            if self.proc.poll() is not None:
                break
            time.sleep(0.02)
        raise RuntimeError("the kiosk did not serve its page: " + "".join(self.stderr))

    def type(self, line: str) -> None:
        """A typed answer, or a WAV file's path with `--audio-in -` (an empty line is silence)."""
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()

    def next(self, kinds: tuple[str, ...], start: int, timeout: float = 15.0) -> tuple[int, dict]:
        """The first event of one of `kinds` at or after index `start`, waiting for it."""
        deadline = time.monotonic() + timeout
        while True:
            for i in range(start, len(self.events)):
                if self.events[i]["event"] in kinds:
                    return i, self.events[i]
            if time.monotonic() > deadline or self.proc.poll() is not None and start >= len(self.events):
                raise AssertionError(f"no {kinds} event after #{start}: {self.events[start:][-5:]}")
            time.sleep(0.02)

    def stop(self, timeout: float = 10.0) -> int:
        """End the kiosk as at closing time (EOF on stdin); returns its exit status."""
        try:
            self.proc.stdin.close()
        except OSError:
            pass
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return self.proc.wait()

    def kill(self) -> None:
        """The process dies at once (a crash, a power cut of the kiosk computer)."""
        self.proc.kill()
        self.proc.wait()
