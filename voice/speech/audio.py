"""Audio utilities: read any PCM/float WAV, resample to 16 kHz mono int16, cut into frames.

numpy only (no scipy). The resampler is a windowed-sinc polyphase filter (Kaiser window, 16
zero crossings), usable on a whole signal (`resample`) or on a stream (`Resampler`).
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from voice.errors import InputError

RATE = 16000
"""Sample rate the recognizers and the endpointer work at."""
FRAME_MS = 10
"""The listening frame: the microphone, the endpointer and the recognizers take 10 ms at a time."""
FRAMES_PER_SECOND = 1000 // FRAME_MS
FRAME_SAMPLES = RATE // FRAMES_PER_SECOND
"""Samples in one listening frame (160 at 16 kHz)."""
FRAME_LENGTHS_MS = (10, 20, 30)
"""Frame lengths `frames` accepts."""

_WAVE_FORMAT_PCM = 1
_WAVE_FORMAT_FLOAT = 3
_WAVE_FORMAT_EXTENSIBLE = 0xFFFE


@dataclass(frozen=True)
class WavInfo:
    """What a WAV file held before conversion."""

    rate: int
    """Sample rate in Hz."""
    channels: int
    """Number of channels."""
    bits: int
    """Bits per sample."""
    float: bool
    """True for IEEE float samples."""
    frames: int
    """Number of sample frames (per channel)."""


def read_wav_raw(path_or_file) -> tuple[np.ndarray, WavInfo]:
    """Read a WAV file as float32 in -1..1, shape (frames, channels).

    Handles PCM 8 (unsigned), 16, 24 and 32-bit, IEEE float 32/64 and WAVE_FORMAT_EXTENSIBLE.
    Raises InputError naming the file when it is missing or not a usable WAV.
    """
    where = os.fspath(path_or_file) if isinstance(path_or_file, (str, os.PathLike)) else None
    try:
        if where is not None:
            with open(where, "rb") as f:
                data = f.read()
        else:
            data = path_or_file.read()
    except OSError as exc:
        raise InputError(
            f"cannot read the WAV file: {exc.strerror or exc}",
            where=where,
            fix="give the path of an existing, readable WAV file (one per line)",
        ) from exc
    try:
        return _parse_wav(data)
    except (ValueError, struct.error) as exc:
        raise InputError(
            f"not a usable WAV file: {exc}",
            where=where,
            fix="use a RIFF/WAVE file with PCM (8/16/24/32-bit) or float samples",
        ) from exc


def _parse_wav(data: bytes) -> tuple[np.ndarray, WavInfo]:
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise ValueError("no RIFF/WAVE header")
    pos = 12
    fmt = None
    pcm = None
    while pos + 8 <= len(data):
        cid = data[pos : pos + 4]
        size = struct.unpack_from("<I", data, pos + 4)[0]
        body = data[pos + 8 : pos + 8 + size]
        if cid == b"fmt ":
            fmt = body
        elif cid == b"data":
            pcm = body  # a truncated data chunk (size larger than the file) is read as far as it goes
            if fmt is not None:
                break
        pos += 8 + size + (size & 1)
    if fmt is None or len(fmt) < 16:
        raise ValueError("no 'fmt ' chunk")
    if pcm is None:
        raise ValueError("no 'data' chunk")
    tag, channels, rate, _, block, bits = struct.unpack_from("<HHIIHH", fmt)
    if tag == _WAVE_FORMAT_EXTENSIBLE and len(fmt) >= 26:
        tag = struct.unpack_from("<H", fmt, 24)[0]
    if channels < 1 or rate < 1000 or bits not in (8, 16, 24, 32, 64):
        raise ValueError(f"unsupported layout: {channels} channels, {rate} Hz, {bits} bits")
    width = bits // 8
    n = len(pcm) // (width * channels)
    pcm = pcm[: n * width * channels]
    if tag == _WAVE_FORMAT_FLOAT:
        if bits not in (32, 64):
            raise ValueError(f"unsupported float width {bits}")
        x = np.frombuffer(pcm, dtype="<f4" if bits == 32 else "<f8").astype(np.float32)
    elif tag == _WAVE_FORMAT_PCM:
        if bits == 8:
            x = (np.frombuffer(pcm, dtype=np.uint8).astype(np.float32) - 128.0) / 128.0
        elif bits == 16:
            x = np.frombuffer(pcm, dtype="<i2").astype(np.float32) / 32768.0
        elif bits == 24:
            b = np.frombuffer(pcm, dtype=np.uint8).reshape(-1, 3).astype(np.int32)
            v = b[:, 0] | (b[:, 1] << 8) | (b[:, 2] << 16)
            v = np.where(v >= 1 << 23, v - (1 << 24), v)
            x = v.astype(np.float32) / float(1 << 23)
        elif bits == 32:
            x = (np.frombuffer(pcm, dtype="<i4").astype(np.float64) / 2147483648.0).astype(np.float32)
        else:
            raise ValueError(f"unsupported PCM width {bits}")
    else:
        raise ValueError(f"unsupported sample format {tag} (only PCM and IEEE float)")
    x = x.reshape(-1, channels)
    return x, WavInfo(rate=rate, channels=channels, bits=bits, float=tag == _WAVE_FORMAT_FLOAT, frames=n)


def to_mono(x: np.ndarray) -> np.ndarray:
    """Average the channels of a (frames, channels) array; 1-D input is returned as is."""
    return x.mean(axis=1) if x.ndim == 2 else x


def float_to_int16(x: np.ndarray) -> np.ndarray:
    """Convert float samples in -1..1 to int16 with clipping."""
    return np.clip(np.rint(x * 32768.0), -32768, 32767).astype(np.int16)


def int16_to_float(x: np.ndarray) -> np.ndarray:
    """Convert int16 samples to float32 in -1..1."""
    return np.asarray(x, dtype=np.float32) / 32768.0


def read_wav(path_or_file, rate: int = RATE) -> np.ndarray:
    """Read any WAV (any rate, mono or stereo, 8/16/24/32-bit or float) as mono int16 at `rate`."""
    x, info = read_wav_raw(path_or_file)
    y = to_mono(x)
    if info.rate != rate:
        y = resample(y, info.rate, rate)
    return float_to_int16(y)


def write_wav(path_or_file, pcm: np.ndarray, rate: int = RATE) -> None:
    """Write mono int16 samples as a 16-bit PCM WAV file."""
    pcm = np.asarray(pcm)
    if pcm.dtype != np.int16:
        pcm = float_to_int16(pcm)
    raw = pcm.astype("<i2").tobytes()
    header = b"RIFF" + struct.pack("<I", 36 + len(raw)) + b"WAVE"
    header += b"fmt " + struct.pack("<IHHIIHH", 16, _WAVE_FORMAT_PCM, 1, rate, rate * 2, 2, 16)
    header += b"data" + struct.pack("<I", len(raw))
    if isinstance(path_or_file, (str, os.PathLike)):
        tmp = os.fspath(path_or_file) + ".part"
        with open(tmp, "wb") as f:
            f.write(header + raw)
        os.replace(tmp, path_or_file)
    else:
        path_or_file.write(header + raw)


# --- resampling -------------------------------------------------------------------------------

_ZEROS = 16
"""Zero crossings of the sinc on each side (at the lower of the two rates)."""
_ROLLOFF = 0.94
"""Cutoff as a fraction of the lower Nyquist frequency."""
_BETA = 8.6
"""Kaiser window shape (about 80 dB stop band)."""


@lru_cache(maxsize=32)
def _polyphase(up: int, down: int) -> tuple[np.ndarray, int]:
    """Filter table h[phase, tap] for output position frac = phase/up between input samples.

    Output n sits at input position n*down/up = base + phase/up; it is
    sum_j x[base + j - half + 1] * h[phase, j].
    """
    c = min(1.0, up / down) * _ROLLOFF
    half = int(math.ceil(_ZEROS / c))
    j = np.arange(-half + 1, half + 1, dtype=np.float64)
    frac = np.arange(up, dtype=np.float64)[:, None] / up
    t = j[None, :] - frac  # input sample offset relative to the output position
    w = np.i0(_BETA * np.sqrt(np.clip(1.0 - (t / half) ** 2, 0.0, 1.0))) / np.i0(_BETA)
    h = c * np.sinc(c * t) * w
    h /= h.sum(axis=1, keepdims=True)
    return h.astype(np.float32), half


class Resampler:
    """Streaming windowed-sinc resampler between two integer rates (float32 in, float32 out)."""

    def __init__(self, rate_in: int, rate_out: int):
        if rate_in <= 0 or rate_out <= 0:
            raise ValueError(f"sample rates must be positive, not {rate_in} -> {rate_out}")
        g = math.gcd(rate_in, rate_out)
        self.up = rate_out // g
        self.down = rate_in // g
        self.rate_in = rate_in
        self.rate_out = rate_out
        self._h, self._half = _polyphase(self.up, self.down)
        self._buf = np.zeros(self._half, dtype=np.float32)  # history: zeros before the start
        self._buf_start = -self._half  # absolute input index of _buf[0]
        self._n = 0  # next output index
        self._consumed = 0  # input samples received

    def _emit(self, limit_in: int) -> np.ndarray:
        """Produce every output whose filter support ends before absolute input index `limit_in`."""
        up, down, half = self.up, self.down, self._half
        # output n is ready when base_n + half < limit_in, base_n = n*down // up
        last_base = limit_in - half - 1
        if last_base < 0:
            return np.zeros(0, dtype=np.float32)
        n_end = (last_base * up) // down + 1  # first n with base_n > last_base
        if n_end <= self._n:
            return np.zeros(0, dtype=np.float32)
        n = np.arange(self._n, n_end, dtype=np.int64)
        pos = n * down
        base = pos // up
        phase = pos % up
        idx = (base - self._buf_start - half + 1)[:, None] + np.arange(2 * half)[None, :]
        y = np.einsum("ij,ij->i", self._buf[idx], self._h[phase])
        self._n = n_end
        keep_from = (n_end * down) // up - half + 1  # first input index still needed
        drop = keep_from - self._buf_start
        if drop > 0:
            self._buf = self._buf[drop:]
            self._buf_start += drop
        return y.astype(np.float32)

    def process(self, x: np.ndarray) -> np.ndarray:
        """Feed input samples, get the output samples that are ready."""
        x = np.asarray(x, dtype=np.float32).ravel()
        if self.up == self.down:
            return x.copy()
        self._buf = np.concatenate([self._buf, x])
        self._consumed += len(x)
        return self._emit(self._buf_start + len(self._buf))

    def flush(self) -> np.ndarray:
        """Return the remaining output (the input is padded with zeros)."""
        if self.up == self.down:
            return np.zeros(0, dtype=np.float32)
        total_out = -(-self._consumed * self.up // self.down)  # ceil
        self._buf = np.concatenate([self._buf, np.zeros(self._half + 1, dtype=np.float32)])
        y = self._emit(self._buf_start + len(self._buf))
        keep = max(0, total_out - (self._n - len(y)))
        return y[:keep]


def resample(x: np.ndarray, rate_in: int, rate_out: int) -> np.ndarray:
    """Resample a whole float signal from `rate_in` to `rate_out` (windowed-sinc polyphase)."""
    if rate_in == rate_out:
        return np.asarray(x, dtype=np.float32)
    r = Resampler(rate_in, rate_out)
    return np.concatenate([r.process(x), r.flush()])


# --- frames and levels ------------------------------------------------------------------------


def frame_samples(ms: int, rate: int = RATE) -> int:
    """Samples in a frame of `ms` milliseconds (10, 20 or 30)."""
    if ms not in FRAME_LENGTHS_MS:
        raise ValueError(f"frame length must be one of {FRAME_LENGTHS_MS} ms, not {ms}")
    return rate * ms // 1000


def frames(pcm: np.ndarray, ms: int = FRAME_MS, rate: int = RATE, pad: bool = True) -> Iterator[np.ndarray]:
    """Cut int16 samples into frames of `ms` ms; the last partial frame is zero-padded (or dropped)."""
    n = frame_samples(ms, rate)
    pcm = np.asarray(pcm)
    full = len(pcm) // n
    for i in range(full):
        yield pcm[i * n : (i + 1) * n]
    rest = len(pcm) - full * n
    if rest and pad:
        last = np.zeros(n, dtype=pcm.dtype)
        last[:rest] = pcm[full * n :]
        yield last


def level_db(frame: np.ndarray) -> float:
    """RMS level of int16 samples in dB relative to full scale (-100 for digital silence)."""
    x = np.asarray(frame, dtype=np.float64)
    if x.size == 0:
        return -100.0
    ms = float(np.mean(x * x)) / (32768.0 * 32768.0)
    return 10.0 * math.log10(ms) if ms > 1e-10 else -100.0
