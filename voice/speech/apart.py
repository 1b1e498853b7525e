"""PocketSphinx in a process of its own, for the second ear (voice/speech/second_opinion.py).

Why: pocketsphinx's decoding calls keep Python's interpreter lock (measured: a thread asking for a
tick every millisecond got 14 ticks in the 790 ms of one decode). Decoding in a thread beside
Whisper's therefore held up Whisper's own Python between its model calls, and the listener's loop,
so the two decodes took about as long side by side as one after the other. In a process of its own
it runs on the other core.

The child (`python -m voice.speech.apart FD`, with this interpreter: a new interpreter that runs
nothing of the parent's own script) is started when this is made and holds one
PocketSphinxRecognizer; the two talk over a socket pair. Each `decode`
sends it the audio, the turn's Expectation without its callables (PocketSphinx uses only the
sentences) and the state to decode from (the channel estimate, see PocketSphinxRecognizer.state),
and gets back the hypothesis and the state after. The state is kept here, so the same audio and
state give the same answer whatever the child decoded before; the child drops the audio after each
decode (the kiosk keeps nothing of a person). A ModelError in the child is raised here; a child that
has ended is a ModelError too.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import socket
import subprocess
import sys
from multiprocessing.connection import Connection
from pathlib import Path

import numpy as np

from voice.errors import ModelError
from voice.ports import Expectation

from .recognizers import Hypothesis

_LOG = logging.getLogger(__name__)

STOP_WAIT_S = 2.0
"""Seconds the child is given to end after it is asked to, before it is stopped."""


def _serve(conn) -> None:
    """The child: decode each job it is sent until it is sent None or its parent goes."""
    from .pocketsphinx import PocketSphinxRecognizer

    try:
        rec = PocketSphinxRecognizer()
    except ModelError as err:
        conn.send(("error", err.message, err.where, err.fix))
        return
    initial = rec.state()
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            break
        if job is None:
            break
        pcm, expect, state = job
        try:
            rec.restore(state if state is not None else initial)
            hyp = rec.decode(pcm, expect)
            conn.send(("ok", hyp, rec.state()))
        except ModelError as err:
            conn.send(("error", err.message, err.where, err.fix))
        finally:
            rec.forget()
    rec.close()


class PocketSphinxProcess:
    """PocketSphinxRecognizer's `decode`, `state` and `restore`, decoded in a child process."""

    engine = "pocketsphinx"
    model = "pocketsphinx en-us (built in)"

    def __init__(self):
        mine, theirs = socket.socketpair()
        root = str(Path(__file__).resolve().parents[2])  # the folder `voice` is in
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])))
        try:
            fd = theirs.fileno()
            self._process: subprocess.Popen | None = subprocess.Popen(
                [sys.executable, "-m", "voice.speech.apart", str(fd)], pass_fds=[fd],
                stdin=subprocess.DEVNULL, env=env)
        except OSError as err:
            raise ModelError(f"PocketSphinx's process could not be started ({err})",
                             fix="free some memory, or run without the second opinion") from None
        finally:
            theirs.close()
        self._conn = Connection(mine.detach())
        self._state: tuple | None = None
        """The state to decode from (None: the child's own first state)."""

    def prepare(self, expect: Expectation) -> None:
        """The child compiles a turn's sentences on its first decode of them (about 25 ms)."""

    def decode(self, pcm: np.ndarray, expect: Expectation | None) -> Hypothesis:
        lean = dataclasses.replace(expect, understood=None, meaning=None) if expect is not None else None
        try:
            self._conn.send((np.asarray(pcm, dtype=np.int16), lean, self._state))
            reply = self._conn.recv()
        except (EOFError, OSError, BrokenPipeError):
            raise ModelError("PocketSphinx's process has ended", fix="start the assistant again") from None
        if reply[0] == "error":
            raise ModelError(reply[1], where=reply[2], fix=reply[3])
        _, hyp, self._state = reply
        return hyp

    def state(self) -> tuple | None:
        return self._state

    def restore(self, state: tuple | None) -> None:
        self._state = state

    def forget(self) -> None:
        """The child keeps no audio after a decode."""

    def close(self) -> None:
        if self._process is None:
            return
        try:
            self._conn.send(None)
        except (OSError, BrokenPipeError):
            pass
        try:
            self._process.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(STOP_WAIT_S)
        self._conn.close()
        self._process = None


__all__ = ["PocketSphinxProcess"]

if __name__ == "__main__":
    _serve(Connection(int(sys.argv[1])))
