"""A typed session run inside this process, driven as `bench.driver.SessionProcess` drives the command.

`python -m voice --text --jsonl` costs about 1.3 s of start-up per session (the interpreter, the
imports, the content and grammar). The test suite runs every test patient, so it builds the same
session the command builds for `--text --jsonl` (the command line's own parser, settings file and
defaults; the real `Session`, `TextListener` and `Events` stream) in a thread of this process, with
the content and grammar loaded once per folder. The patient talks to it through the same calls as to
the subprocess: `next_event`, `write`, `close_input`, `exit_code`, `stderr_tail`, `finish`.

One difference makes it faster still: the subprocess's driver can only guess that the session waits
on the same question again (its stream stays quiet for a while); here the listener says when it
waits for a line, so `next_event` answers `queue.Empty` at once when no event is left and the
session waits.
"""

from __future__ import annotations

import dataclasses
import io
import logging
import queue
import threading
import time
import traceback
from collections import deque
from functools import lru_cache
from pathlib import Path

from voice.app.cli import build_parser
from voice.app.config import load_config
from voice.app.settings import resolve
from voice.app.text_io import TextListener, TranscriptSpeaker
from voice.dialog.events import Events, Record
from voice.dialog.session import Session
from voice.triage.loader import load_content
from voice.understanding import Grammar

from .driver import STDERR_TAIL, BadLine, read_event


@lru_cache(maxsize=4)
def _loaded(content_dir: str | None, grammar_dir: str | None, wake: tuple[str, ...]):
    """Content and grammar of a folder, loaded once (the session only reads them)."""
    return load_content(content_dir), Grammar.load(grammar_dir, extra_wake=list(wake))


def text_settings(content_dir: Path | str | None = None):
    """The settings `python -m voice --text --jsonl [--content DIR]` runs with."""
    argv = ["--text", "--jsonl"] + (["--content", str(content_dir)] if content_dir is not None else [])
    args = build_parser().parse_args(argv)
    return resolve(args, load_config(args.config))


class _Wire:
    """Both ends between the driver and the session thread, under one condition."""

    def __init__(self):
        self.cond = threading.Condition()
        self.events: deque[tuple[float, Record | BadLine | None]] = deque()
        self.lines: deque[str] = deque()
        self.closed = False
        """The driver closed the session's input (EOF)."""
        self.waiting = False
        """The session waits for a line that is not there yet."""

    def put_event(self, item: tuple[float, Record | BadLine | None]) -> None:
        with self.cond:
            self.events.append(item)
            self.cond.notify_all()


class _EventStream(io.TextIOBase):
    """Where the session's `Events` write: each JSON line goes to the driver as it is flushed."""

    def __init__(self, wire: _Wire):
        self.wire = wire
        self.buffer = ""

    def writable(self) -> bool:
        return True

    def write(self, text: str) -> int:
        self.buffer += text
        *lines, self.buffer = self.buffer.split("\n")
        for line in lines:
            if line.strip():
                self.wire.put_event((time.monotonic(), read_event(line.strip())))
        return len(text)


class _LineStream(io.TextIOBase):
    """What the session's `TextListener` reads: the lines the driver writes; '' (EOF) once closed."""

    def __init__(self, wire: _Wire):
        self.wire = wire

    def readable(self) -> bool:
        return True

    def readline(self, size: int = -1) -> str:
        wire = self.wire
        with wire.cond:
            wire.waiting = True
            wire.cond.notify_all()
            wire.cond.wait_for(lambda: wire.lines or wire.closed)
            wire.waiting = False
            return wire.lines.popleft() + "\n" if wire.lines else ""


class _TailHandler(logging.Handler):
    """Keeps the log lines of the session's thread, as the command's stderr would show them."""

    def __init__(self, tail: deque[str], thread_id: int):
        super().__init__(logging.WARNING)
        self.tail = tail
        self.thread_id = thread_id
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if record.thread == self.thread_id:
            self.tail.append(self.format(record))


class InProcessSession:
    """The session of `python -m voice --text --jsonl [--content DIR]`, run in a thread of this process."""

    def __init__(self, content_dir: Path | str | None = None):
        self.started = time.monotonic()
        settings = text_settings(content_dir)
        content, grammar = _loaded(
            None if settings.content is None else str(settings.content),
            None if settings.grammar is None else str(settings.grammar),
            tuple(settings.wake_phrases or ()),
        )
        self.stderr: deque[str] = deque(maxlen=STDERR_TAIL)
        self.peak_kb = 0
        self._wire = _Wire()
        self._code: int | None = None
        session = Session(content, grammar, TextListener(_LineStream(self._wire)), TranscriptSpeaker(None),
                          Events(_EventStream(self._wire)), settings.region_of(content),
                          dataclasses.replace(settings.session, speech_basic=False))
        self._thread = threading.Thread(target=self._run, args=(session,), daemon=True)
        self._thread.start()

    def _run(self, session: Session) -> None:
        handler = _TailHandler(self.stderr, threading.get_ident())
        logging.getLogger().addHandler(handler)
        try:
            session.run()
            self._code = 0
        except Exception:  # what the command would print on stderr before exiting
            self.stderr.extend(traceback.format_exc().splitlines())
            self._code = 1
        finally:
            logging.getLogger().removeHandler(handler)
            self._wire.put_event((time.monotonic(), None))

    def next_event(self, timeout: float) -> tuple[float, Record | BadLine | None]:
        """The next `(time, event)`; `(time, None)` once the session ended; queue.Empty after
        `timeout`, or at once when no event is left and the session waits for a line."""
        wire = self._wire
        with wire.cond:
            if not wire.cond.wait_for(lambda: wire.events or (wire.waiting and not wire.lines), timeout):
                raise queue.Empty
            if not wire.events:
                raise queue.Empty
            return wire.events.popleft()

    def write(self, line: str) -> bool:
        """Give the session one typed line; False once its input is closed or it has ended."""
        wire = self._wire
        with wire.cond:
            if wire.closed or not self._thread.is_alive():
                return False
            wire.lines.append(line)
            wire.cond.notify_all()
        return True

    def close_input(self) -> None:
        """End of input, as EOF on stdin ends a session."""
        with self._wire.cond:
            self._wire.closed = True
            self._wire.cond.notify_all()

    def exit_code(self, timeout: float = 5.0) -> int | None:
        """Wait up to `timeout` seconds for the session to end: 0, 1 after an exception, None if it runs."""
        self._thread.join(timeout)
        return None if self._thread.is_alive() else self._code

    def stderr_tail(self, lines: int = STDERR_TAIL) -> list[str]:
        return list(self.stderr)[-lines:]

    def finish(self, timeout: float = 10.0) -> None:
        """Close the input and wait up to `timeout` seconds for the session's thread to end."""
        self.close_input()
        self._thread.join(timeout)
