"""Scripted audio for `--audio-in -`: each stdin line names a WAV file holding one turn's answer.

The audio goes through the same path as a microphone's (resampling, endpointing, recognition).
Frames come at real-time pace unless `fast=True`.
"""

from __future__ import annotations

import time
from typing import TextIO

import numpy as np

from voice.errors import EndOfInput

from .audio import FRAME_SAMPLES, RATE, read_wav

FRAME = FRAME_SAMPLES
"""Samples in a 10 ms frame."""
TRAILING_SILENCE = 1.5
"""Seconds of digital silence after each file (and the whole of a silent turn)."""


class ScriptedAudioSource:
    """Reads one WAV path per turn from a text stream and serves it as 10 ms frames."""

    def __init__(self, lines: TextIO, fast: bool = False, trailing_silence: float = TRAILING_SILENCE):
        self.lines = lines
        self.fast = fast
        self.trailing = int(round(trailing_silence * RATE))
        self._pcm = np.zeros(0, dtype=np.int16)
        self._pos = 0
        self._turn_start = 0.0
        self._frame_index = 0
        self.path: str | None = None
        """The file of the current turn ("" for a silent turn)."""

    def begin_turn(self, keep_recent: bool = False) -> None:
        """Read the next line: a WAV path, or an empty line for silence. EOF raises EndOfInput."""
        line = self.lines.readline()
        if not line:
            raise EndOfInput()
        path = line.strip()
        self.path = path
        speech = np.zeros(0, dtype=np.int16)
        if path:
            # A file that cannot be read (missing, not a WAV, empty, a folder) raises InputError: the
            # session reports it as an `error` event and asks again.
            speech = read_wav(path, RATE)
        self._pcm = np.concatenate([speech, np.zeros(self.trailing, dtype=np.int16)])
        self._pos = 0
        self._frame_index = 0
        self._turn_start = time.monotonic()

    def read(self) -> np.ndarray | None:
        """The next 10 ms frame, or None once the file and its trailing silence are used up."""
        if self._pos >= len(self._pcm):
            return None
        frame = self._pcm[self._pos : self._pos + FRAME]
        if len(frame) < FRAME:
            frame = np.concatenate([frame, np.zeros(FRAME - len(frame), dtype=np.int16)])
        self._pos += FRAME
        if not self.fast:
            due = self._turn_start + self._frame_index * 0.01
            wait = due - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        self._frame_index += 1
        return frame

    def forget(self) -> None:
        """Drop what is left of this turn's audio."""
        self._pcm = np.zeros(0, dtype=np.int16)
        self._pos = 0

    def close(self) -> None:
        """Nothing to release (the stream belongs to the caller)."""
        self.forget()
