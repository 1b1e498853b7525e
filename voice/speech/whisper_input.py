"""What Whisper is given on a turn: the prompt, the speech the voice gate keeps, the encoder's window.

- Prompt: `initial_prompt` is the turn's `Expectation.prompt` (grammar/prompts.yaml: "Yes. No. Not
  sure." or the digits), keeping only those whose words the turn listens for.
- Voice gate: faster-whisper's Silero VAD keeps only the speech of the segment the endpointer cut;
  with none left there is nothing to decode (silence and hum never reach the decoder, which would
  write a word).
- Window: Whisper's log-Mel features of the answer, padded with silence to the encoder's window,
  worked out over the answer only (see `log_mel`).

faster-whisper is imported inside the functions that need it (voice/speech/whisper.py checks it is
installed first).
"""

from __future__ import annotations

import re

import numpy as np

from voice.ports import Expectation

from .audio import FRAME_SAMPLES, FRAMES_PER_SECOND, RATE

TAIL_S = 0.5
"""Silence kept after the speech inside the window (Whisper was trained on padded windows)."""
WINDOWS_S: tuple[float, ...] = ()
"""Shorter encoder windows to try, shortest first (empty: Whisper's own 30 s window). CTranslate2
takes a shorter window than the 30 s Whisper was trained on, and the encoder is most of the cost,
but shorter windows lost answers in babble and make the decoder repeat itself ("no no no no ..."),
so it is off (figures in docs/speech-measurements.md)."""
VAD_SILENCE_MS = 300
VAD_PAD_MS = 200
"""Silero VAD settings: pauses longer than VAD_SILENCE_MS split speech; VAD_PAD_MS kept each side."""
VAD_THRESHOLDS = (0.5, 0.3)
"""Silero's speech probability thresholds, tried in turn while none finds speech: its default first,
then a lower one, since a real person's loud, near-clipping "eight" was no speech at 0.5. Hum, a beep
and white noise are no speech even at 0.15, so the segment still has to sound like a voice."""


def normalize(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation gone, single spaces."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    return " ".join(text.split())


def build_prompt(expect: Expectation | None) -> str | None:
    """The `initial_prompt` for a turn: its kind's prompt answers whose words it listens for."""
    if expect is None:
        return None
    words = {w for p in expect.phrases for w in p.split()}
    items = [p for p in expect.prompt
             if all(w in words or w.isdigit() for w in normalize(p).split())]
    return " ".join(items) or None


def speech_only(audio: np.ndarray) -> np.ndarray:
    """The stretches Silero VAD (in faster-whisper's assets) takes for speech, joined; empty if none."""
    from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

    stamps = []
    for threshold in VAD_THRESHOLDS:
        options = VadOptions(threshold=threshold, min_silence_duration_ms=VAD_SILENCE_MS,
                             speech_pad_ms=VAD_PAD_MS)
        stamps = get_speech_timestamps(audio, options)
        if stamps:
            break
    if not stamps:
        return np.zeros(0, dtype=np.float32)
    chunks, _ = collect_chunks(audio, stamps)
    return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)


def log_mel(features, audio: np.ndarray, frames: int) -> np.ndarray:
    """Whisper's log-Mel features (`features`: faster-whisper's FeatureExtractor) of a window of
    `frames` (10 ms each): the audio, then silence. They are worked out over the audio and TAIL_S of
    silence only, and the rest of the window is filled with a silent frame's value: Whisper floors its
    features at 8 below the loudest frame, so every frame of silence after the audio is the same. The
    same figures (to 1e-6) as over the whole padded window, at a fraction of the cost."""
    short = np.zeros(min(frames * FRAME_SAMPLES, len(audio) + int(TAIL_S * RATE)), dtype=np.float32)
    short[: len(audio)] = audio
    mel = features(short, padding=0)
    done = min(mel.shape[1] - 1, frames)
    out = np.empty((mel.shape[0], frames), dtype=np.float32)
    out[:, :done] = mel[:, :done]
    out[:, done:] = mel[:, -2:-1]
    return out


def window_frames(samples: int, windows_s: tuple[float, ...]) -> int:
    """The encoder's input length in 10 ms frames: the shortest of `windows_s` holding the audio and
    TAIL_S of silence after it (30 s, Whisper's own window, for anything longer)."""
    need = samples / RATE + TAIL_S
    for seconds in (*windows_s, 30.0):
        if need <= seconds:
            return int(seconds * FRAMES_PER_SECOND)
    return 30 * FRAMES_PER_SECOND
