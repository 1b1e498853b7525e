"""Endpointing: where an answer starts and ends in a stream of 10 ms frames.

Decisions (the figures they were measured with: docs/speech-measurements.md; `python -m
bench.listening` measures the listener again):

- Noise suppression: WebRTC noise suppression (`webrtc_noise_gain`) is available but off by
  default (NOISE_SUPPRESSION = 0). Over a session it adapts to the babble between answers and then
  suppresses the answers too: fewer answers were understood with it, clean and in babble.
- Voice activity: the frame's level (dB full scale) against an adaptive noise floor. The floor
  follows quieter frames quickly (within ~100 ms) and louder ones slowly (3 dB a second) and is
  frozen during speech, so steady background and babble raise it but an answer does not. A frame
  is speech when it is SPEECH_DB above the floor and above ABSOLUTE_DB.
- Each turn re-measures the floor on its first frame when that frame is louder than the floor:
  the room may have got louder while the prompt played (a scripted turn even starts from digital
  silence), and nobody answers within 10 ms of the question's end. Without it, babble that began
  between turns counted as speech from its first frame, and the answer was judged with the babble
  around it. Barge-in turns (listening during the prompt) skip it.
- Start: START_FRAMES speech frames out of the last START_WINDOW (60 of 100 ms). The PREROLL_MS
  (300 ms) before the detected start are kept, so soft onsets ("f" of "four") are not clipped.
- End: HANGOVER_MS (700 ms) of non-speech ends the utterance; EARLY_HANGOVER_MS (300 ms) is enough
  when the recognizer's partial result is already a complete allowed sentence (the listener
  checks that), HELD_HANGOVER_MS (500 ms) when more may follow it (`Expectation.held`: a red-flag
  question's no or not sure, which a "but" may take back, a screen's yes, which may name its
  sign). A recognizer that decodes whole segments (Whisper) is told at PAUSE_MS (100 ms) into
  each pause, so that it can decode during the rest of the short hangover. The hangover counts
  against the reply latency target (median from the end of speech to the reply's first sample),
  so answers that are complete sentences end early.
- Limits: no speech within the no-input timeout (default 10 s: people in pain are slow) is a
  no-input; an utterance is cut at the maximum length (default 10 s).
"""

from __future__ import annotations

import logging
from collections import deque
from enum import StrEnum

import numpy as np

from .audio import FRAME_MS, FRAME_SAMPLES, level_db

_LOG = logging.getLogger(__name__)

PREROLL_MS = 300
START_WINDOW = 10
START_FRAMES = 6
HANGOVER_MS = 700
EARLY_HANGOVER_MS = 300
HELD_HANGOVER_MS = 500
"""The pause that ends a complete answer that more may follow (`Expectation.held`): a red-flag
question's "no" or "not sure" ("no, but my inner thighs are numb"), a screen's "yes" ("yes, I had a
fall"). At the short hangover the "but" after a spoken comma was cut off and the screen taken as
no; the full hangover on every such answer took the reply latency median from 490 to 709 ms
(bench.reply_latency)."""
PAUSE_MS = 100
"""A pause this long is where a recognizer that decodes whole segments (Whisper) may start on what
it has heard, so that its transcript is ready, or nearly, at the short hangover."""
SPEECH_DB = 9.0
"""How far above the noise floor a frame must be to count as speech."""
ABSOLUTE_DB = -50.0
"""Frames quieter than this are never speech (about the level of a quiet room through a mic)."""
FLOOR_RISE_DB = 0.03
"""Noise floor rise per frame (3 dB per second) while no speech is going on."""
FLOOR_FALL = 0.3
"""Fraction of the way the floor moves down to a quieter frame."""
NOISE_SUPPRESSION = 0
"""WebRTC noise suppression level 0..4 (0 = off, the default; see the module docstring)."""


class State(StrEnum):
    """Where the endpointer is in one turn."""

    WAITING = "waiting"
    SPEECH = "speech"
    ENDED = "ended"


class NoiseSuppressor:
    """WebRTC noise suppression on 10 ms int16 frames; passes audio through if the library is missing."""

    def __init__(self, level: int = NOISE_SUPPRESSION):
        self.level = level
        self._proc = None
        if level > 0:
            try:
                from webrtc_noise_gain import AudioProcessor
            except ImportError:
                _LOG.info("webrtc_noise_gain is not installed: no noise suppression")
            else:
                self._proc = AudioProcessor(0, level)

    @property
    def active(self) -> bool:
        return self._proc is not None

    def __call__(self, frame: np.ndarray) -> np.ndarray:
        if self._proc is None or len(frame) != FRAME_SAMPLES:
            return frame
        out = self._proc.Process10ms(np.asarray(frame, dtype=np.int16).tobytes()).audio
        return np.frombuffer(out, dtype=np.int16)


class Endpointer:
    """Finds the start and end of one utterance in 10 ms frames (call `push` for each frame)."""

    def __init__(self, hangover_ms: int = HANGOVER_MS, early_hangover_ms: int = EARLY_HANGOVER_MS,
                 preroll_ms: int = PREROLL_MS, speech_db: float = SPEECH_DB, absolute_db: float = ABSOLUTE_DB,
                 pause_ms: int = PAUSE_MS, held_hangover_ms: int = HELD_HANGOVER_MS):
        self.hangover = hangover_ms // FRAME_MS
        self.early_hangover = early_hangover_ms // FRAME_MS
        self.held_hangover = max(self.early_hangover, min(held_hangover_ms // FRAME_MS, self.hangover))
        self.pause = min(pause_ms, early_hangover_ms) // FRAME_MS
        self.preroll = preroll_ms // FRAME_MS
        self.speech_db = speech_db
        self.absolute_db = absolute_db
        self.floor: float | None = None
        self.reset()

    def reset(self, remeasure: bool = True) -> None:
        """Start a new turn. The noise floor is kept, but with `remeasure` a louder first frame
        raises it at once (see the module docstring); barge-in turns, whose first frame may be the
        person already talking, keep it as it is."""
        self._remeasure = remeasure
        self.state = State.WAITING
        self.frames_seen = 0
        self.speech_frames = 0
        self.silence_run = 0
        self._recent: deque[tuple[np.ndarray, bool]] = deque(maxlen=self.preroll + START_WINDOW)
        self.start_frame: int | None = None
        self.last_speech_frame: int | None = None

    def is_speech(self, frame: np.ndarray) -> bool:
        """Frame-level decision; also updates the noise floor outside speech."""
        level = level_db(frame)
        if self.floor is None or (self._remeasure and level > self.floor):
            self.floor = level
        self._remeasure = False
        speech = level > self.floor + self.speech_db and level > self.absolute_db
        if self.state is not State.SPEECH:
            if level < self.floor:
                self.floor += (level - self.floor) * FLOOR_FALL
            elif not speech:
                self.floor += FLOOR_RISE_DB
        return speech

    def push(self, frame: np.ndarray) -> list[np.ndarray]:
        """Take one frame; returns the frames that belong to the utterance now (may be empty).

        On the frame where speech starts, that is the pre-roll plus the start window; during speech,
        the frame itself. Check `state` afterwards.
        """
        index = self.frames_seen
        self.frames_seen += 1
        speech = self.is_speech(frame)
        if self.state is State.WAITING:
            self._recent.append((frame, speech))
            window = list(self._recent)[-START_WINDOW:]
            if sum(s for _, s in window) >= START_FRAMES:
                self.state = State.SPEECH
                first = next(i for i, (_, s) in enumerate(window) if s)
                self.start_frame = index - len(window) + 1 + first
                self.last_speech_frame = index
                self.speech_frames = len(window) - first
                out = [f for f, _ in self._recent]
                self._recent.clear()
                return out
            return []
        if self.state is State.SPEECH:
            self.speech_frames += 1
            if speech:
                self.silence_run = 0
                self.last_speech_frame = index
            else:
                self.silence_run += 1
                if self.silence_run >= self.hangover:
                    self.state = State.ENDED
            return [frame]
        return []

    @property
    def pause_began(self) -> bool:
        """True exactly when a pause reaches PAUSE_MS (a whole-segment recognizer may start then)."""
        return self.state is State.SPEECH and self.silence_run == self.pause

    @property
    def paused_early(self) -> bool:
        """True exactly when the pause reaches the short hangover (ask the recognizer then)."""
        return self.state is State.SPEECH and self.silence_run == self.early_hangover

    @property
    def paused_held(self) -> bool:
        """True exactly when the pause reaches the held hangover (an answer that may be taken back)."""
        return self.state is State.SPEECH and self.silence_run == self.held_hangover

    def end(self) -> None:
        """End the utterance now (complete sentence, maximum length, or end of input)."""
        if self.state is State.SPEECH:
            self.state = State.ENDED
