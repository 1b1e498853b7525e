"""Test speech: answers spoken by espeak-ng, and waiting-room babble from real recordings.

Used by the tests, the benchmark and demos to talk to the assistant through `--audio-in -`.
Everything is deterministic: the same text, voice and seed give the same samples.

- `speak(text, voice)`: espeak-ng's own synthesis (`--stdout`, 22050 Hz), resampled to 16 kHz.
- `babble(seconds, seed)`: several read-speech recordings from Debian's pocketsphinx-testdata
  (librivox and the "cards" set), each a different talker stream with random offsets, summed.
- `mix_snr(speech, noise, snr_db)`: the answer in babble at a signal-to-noise ratio, with babble
  before and after it too, as in a waiting room (the endpointer has to find the answer).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from voice.errors import InputError
from voice.speech.audio import RATE, read_wav, write_wav

BABBLE_DIR = Path(os.environ.get("VOICE_BABBLE_DIR", "/usr/share/pocketsphinx/test/data"))
"""Where the read-speech recordings are (Debian package pocketsphinx-testdata)."""


@dataclass(frozen=True)
class Voice:
    """An espeak-ng voice (`-v`), speed in words per minute (`-s`) and pitch 0..99 (`-p`)."""

    name: str
    speed: int = 150
    pitch: int = 50

    @property
    def label(self) -> str:
        return f"{self.name}/s{self.speed}/p{self.pitch}"


VOICES: tuple[Voice, ...] = (
    Voice("en-us", 150, 50),
    Voice("en-gb", 140, 40),
    Voice("en-us+f3", 160, 60),
    Voice("en-gb-scotland", 130, 45),
    Voice("en-029", 150, 55),
    Voice("en-gb-x-rp+m3", 170, 35),
    Voice("en-us+f2", 125, 70),
    Voice("en-gb-x-gbclan+m2", 145, 50),
)
"""Voices and variants of several accents, speeds and pitches, male and female."""


def _espeak() -> str:
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise InputError("espeak-ng is not installed", fix="sudo apt-get install espeak-ng")
    return exe


FESTIVAL = "festival:"
"""A Voice name starting with this is a Festival voice (`festival:ked_diphone`, Debian
festvox-kdlpc16k), spoken with `text2wave`; its speed stretches durations, its pitch is not used."""

HELD_OUT_VOICES: tuple[Voice, ...] = (
    Voice("festival:ked_diphone", 150, 50),
    Voice("festival:ked_diphone", 125, 50),
    Voice("en-us+m7", 140, 45),
    Voice("en-gb-x-rp+f4", 155, 65),
)
"""Voices no test tunes on (tests/ use VOICES): a second synthesizer (Festival) and two espeak-ng
variants outside VOICES, for benchmarks that must not measure on what was tuned."""


def _festival(text: str, name: str, speed: int) -> bytes:
    exe = shutil.which("text2wave")
    if exe is None:
        raise InputError("Festival is not installed", fix="sudo apt-get install festival festvox-kdlpc16k")
    import tempfile

    with tempfile.TemporaryDirectory(prefix="festival-") as tmp:
        src, out = Path(tmp) / "text.txt", Path(tmp) / "out.wav"
        src.write_text(text + "\n", encoding="utf-8")
        stretch = 150.0 / max(60, speed)
        done = subprocess.run([exe, "-o", str(out), "-eval", f"(voice_{name})",
                               "-eval", f"(Parameter.set 'Duration_Stretch {stretch:.2f})", str(src)],
                              capture_output=True, check=False)
        if done.returncode != 0 or not out.is_file():
            err = done.stderr.decode("utf-8", "replace").strip()
            raise InputError(f"Festival could not say {text!r} with voice {name!r}: {err}",
                             fix="sudo apt-get install festvox-kdlpc16k")
        return read_wav(out, RATE).tobytes()


@lru_cache(maxsize=512)
def _speak_cached(text: str, name: str, speed: int, pitch: int) -> bytes:
    if name.startswith(FESTIVAL):
        return _festival(text, name.removeprefix(FESTIVAL), speed)
    done = subprocess.run([_espeak(), "-v", name, "-s", str(speed), "-p", str(pitch), "--stdout", text],
                          capture_output=True, check=False)
    if done.returncode != 0 or not done.stdout:
        err = done.stderr.decode("utf-8", "replace").strip()
        raise InputError(f"espeak-ng could not say {text!r} with voice {name!r}: {err}",
                         fix="check the voice with: espeak-ng --voices=en")
    return read_wav(_BytesFile(done.stdout), RATE).tobytes()


class _BytesFile:
    """A minimal file object over bytes (read_wav accepts paths or files)."""

    def __init__(self, data: bytes):
        import io

        self._io = io.BytesIO(data)

    def read(self, n: int = -1) -> bytes:
        return self._io.read(n)


def speak(text: str, voice: Voice | str = "en-us", speed: int | None = None,
          pitch: int | None = None) -> np.ndarray:
    """`text` spoken by espeak-ng (or Festival, see FESTIVAL): int16 samples, 16 kHz mono, with the
    leading and trailing silence trimmed."""
    if isinstance(voice, str):
        voice = Voice(voice)
    pcm = np.frombuffer(_speak_cached(text, voice.name, speed or voice.speed, pitch or voice.pitch),
                        dtype=np.int16)
    return _trim(pcm)


def forget() -> None:
    """Drop the espeak-ng syntheses kept in memory (a long run that writes its answers to files,
    such as the kiosk soak, keeps none: the memory it measures must be the assistant's own)."""
    _speak_cached.cache_clear()


def _trim(pcm: np.ndarray, threshold: int = 200) -> np.ndarray:
    loud = np.flatnonzero(np.abs(pcm.astype(np.int32)) > threshold)
    if loud.size == 0:
        return pcm.copy()
    return pcm[loud[0] : loud[-1] + 1].copy()


def silence(seconds: float) -> np.ndarray:
    """Digital silence of `seconds`."""
    return np.zeros(int(round(seconds * RATE)), dtype=np.int16)


def write_wav_file(path: str | os.PathLike, pcm: np.ndarray, rate: int = RATE) -> Path:
    """Write int16 samples as a WAV file; returns the path."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    write_wav(path, pcm, rate)
    return path


@lru_cache(maxsize=1)
def _recordings() -> tuple[np.ndarray, ...]:
    files = sorted(BABBLE_DIR.glob("librivox/*.wav")) + sorted(BABBLE_DIR.glob("cards/*.wav"))
    if not files:
        raise InputError(f"no read-speech recordings for babble in {BABBLE_DIR}",
                         fix="sudo apt-get install pocketsphinx-testdata (or set VOICE_BABBLE_DIR)")
    out = []
    for f in files:
        x = read_wav(f, RATE).astype(np.float32)
        rms = float(np.sqrt(np.mean(x * x))) or 1.0
        out.append(x / rms)  # every recording at the same loudness
    return tuple(out)


def babble(seconds: float, seed: int, talkers: int = 5) -> np.ndarray:
    """Waiting-room babble: `talkers` streams of real read speech, randomly cut and summed (int16)."""
    rng = np.random.default_rng(seed)
    clips = _recordings()
    n = int(round(seconds * RATE))
    total = np.zeros(n, dtype=np.float32)
    for _ in range(talkers):
        stream = []
        have = 0
        while have < n:
            clip = clips[int(rng.integers(len(clips)))]
            start = int(rng.integers(0, max(1, len(clip) // 2)))
            piece = clip[start:] * float(rng.uniform(0.6, 1.4))
            stream.append(piece)
            have += len(piece)
        total += np.concatenate(stream)[:n]
    peak = float(np.max(np.abs(total))) or 1.0
    return (total / peak * 12000).astype(np.int16)


def _rms(x: np.ndarray) -> float:
    x = x.astype(np.float64)
    return float(np.sqrt(np.mean(x * x))) if x.size else 0.0


def mix_snr(speech: np.ndarray, noise: np.ndarray | None, snr_db: float | None,
            before: float = 0.6, after: float = 0.8) -> np.ndarray:
    """The answer with `before`/`after` seconds around it, in `noise` at `snr_db` (None: clean).

    The SNR is the speech's RMS over the babble's RMS, both measured where the speech is. The
    noise runs through the padding too. The result is scaled down if it would clip.
    """
    pad_a, pad_b = silence(before), silence(after)
    clean = np.concatenate([pad_a, speech, pad_b]).astype(np.float64)
    if noise is None or snr_db is None:
        return clean.astype(np.int16)
    n = len(clean)
    if len(noise) < n:
        noise = np.tile(noise, n // max(1, len(noise)) + 1)
    noise = noise[:n].astype(np.float64)
    gain = _rms(speech) / (max(_rms(noise), 1e-9) * 10 ** (snr_db / 20))
    mixed = clean + noise * gain
    peak = float(np.max(np.abs(mixed)))
    if peak > 32000:
        mixed *= 32000 / peak
    return mixed.astype(np.int16)


def answer_file(folder: str | os.PathLike, text: str, voice: Voice | str = "en-us",
                snr_db: float | None = None, seed: int = 0, before: float = 0.6, after: float = 0.8) -> Path:
    """Write one spoken answer (optionally in babble) as a WAV in `folder`; returns its path.

    The name is derived from its inputs, so the same answer is written once per folder.
    """
    voice = Voice(voice) if isinstance(voice, str) else voice
    import hashlib

    key = hashlib.sha1(f"{text}|{voice.label}|{snr_db}|{seed}|{before}|{after}".encode()).hexdigest()[:16]
    path = Path(folder) / f"{key}.wav"
    if not path.exists():
        speech = speak(text, voice)
        noise = None if snr_db is None else babble(len(speech) / RATE + before + after + 0.1, seed)
        write_wav_file(path, mix_snr(speech, noise, snr_db, before, after))
    return path
