"""The microphone as an audio source: 10 ms frames of 16 kHz mono int16 from a sounddevice stream.

Same interface as ScriptedAudioSource (voice/speech/scripted.py): begin_turn / read / forget /
close. The stream runs at 16 kHz when the device allows it, otherwise at the device's own rate
with voice.speech.audio.Resampler. Frames go into a bounded queue (the oldest are dropped when
nobody reads). A lost device raises AudioDeviceError; the next begin_turn reopens it.
"""

from __future__ import annotations

import collections
import logging
import threading
import time

import numpy as np

from voice.errors import AudioDeviceError

from .audio import FRAME_SAMPLES, FRAMES_PER_SECOND, RATE, Resampler, float_to_int16, int16_to_float
from .devices import NO_DEVICE_FIX, resolve, sounddevice

_LOG = logging.getLogger(__name__)

FRAME = FRAME_SAMPLES
"""Samples in one 10 ms frame at 16 kHz."""
LOST_AFTER = 2.0
"""Seconds without a frame before the microphone counts as lost."""
START_GRACE = 5.0
"""Seconds a freshly opened stream may take to deliver its first frame (PortAudio on PulseAudio's ALSA
plugin can take 1.5 s)."""


class MicrophoneSource:
    """Frames from a microphone: 10 ms, 16 kHz, mono int16, through a bounded queue.

    `input_device` is an index or (part of) a device name, None for the default microphone.
    `buffer_seconds` bounds the queue (audio older than that is dropped when nobody reads).
    """

    def __init__(self, input_device: str | int | None = None, buffer_seconds: float = 5.0):
        self.input_device = input_device
        self.device = None
        self.device_rate: int | None = None
        self._frames: collections.deque[np.ndarray] = collections.deque(
            maxlen=max(1, int(buffer_seconds * FRAMES_PER_SECOND)))
        self._ready = threading.Condition()
        self._stream = None
        self._resampler: Resampler | None = None
        self._pending = np.zeros(0, dtype=np.int16)
        self._failed: str | None = None
        self._last_frame = 0.0
        self.dropped = 0
        """Frames dropped because the queue was full."""

    # ------------------------------------------------------------------ the stream

    def open(self) -> None:
        """Open the input stream if it is not open (AudioDeviceError with a fix when impossible)."""
        if self._stream is not None and self._failed is None:
            return
        self._close_stream()
        sd = sounddevice()
        self.device = resolve(self.input_device, "input")
        rate = RATE
        try:
            sd.check_input_settings(device=self.device.index, samplerate=RATE, channels=1, dtype="int16")
        except (sd.PortAudioError, ValueError):
            rate = int(self.device.rate)
        self._resampler = Resampler(rate, RATE) if rate != RATE else None
        self._pending = np.zeros(0, dtype=np.int16)
        try:
            stream = sd.RawInputStream(device=self.device.index, samplerate=rate, channels=1, dtype="int16",
                                       blocksize=rate // FRAMES_PER_SECOND, latency="low",
                                       callback=self._callback, finished_callback=self._finished)
            stream.start()
        except (sd.PortAudioError, ValueError, OSError) as exc:
            raise AudioDeviceError(f"cannot record from {self.device.name!r} ({exc})",
                                   where=f"input device {self.device.index}", fix=NO_DEVICE_FIX) from exc
        self._failed = None
        self._last_frame = time.monotonic() + START_GRACE - LOST_AFTER
        self._stream = stream
        self.device_rate = rate
        _LOG.debug("input stream open on %s at %d Hz", self.device.name, rate)

    def _callback(self, indata, frames, time_info, status) -> None:
        pcm = np.frombuffer(bytes(indata), dtype=np.int16)
        if self._resampler is not None:
            pcm = float_to_int16(self._resampler.process(int16_to_float(pcm)))
        pending = np.concatenate([self._pending, pcm]) if len(self._pending) else pcm
        full = len(pending) // FRAME
        with self._ready:
            for i in range(full):
                if len(self._frames) == self._frames.maxlen:
                    self.dropped += 1
                self._frames.append(pending[i * FRAME : (i + 1) * FRAME].copy())
            if full:
                self._last_frame = time.monotonic()
                self._ready.notify_all()
        self._pending = pending[full * FRAME :].copy()

    def _finished(self) -> None:
        if self._failed is None:
            self._failed = "the input stream stopped"
        with self._ready:
            self._ready.notify_all()

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        if stream is not None:
            try:
                stream.abort(ignore_errors=True)
                stream.close(ignore_errors=True)
            except Exception as exc:  # a lost device may fail to close; it is gone either way
                _LOG.debug("closing the input stream: %s", exc)

    def _lost(self, why: str) -> AudioDeviceError:
        self._failed = self._failed or why
        self._close_stream()
        name = self.device.name if self.device is not None else self.input_device
        return AudioDeviceError(f"the microphone was lost: {why}", where=f"input device {name!r}",
                                fix="check the microphone or headset is plugged in and the sound server is "
                                    "running")

    # ------------------------------------------------------------------ the audio source interface

    def begin_turn(self, keep_recent: bool = False) -> None:
        """Open the stream if needed; drop audio buffered before now unless `keep_recent` (barge-in)."""
        self.open()
        if not keep_recent:
            self.forget()

    def read(self) -> np.ndarray:
        """The next 10 ms frame (blocks); AudioDeviceError when no frame came for 2 s or the stream failed."""
        why = None
        with self._ready:
            while not self._frames:
                if self._failed is not None or self._stream is None:
                    why = self._failed or "the input stream is closed"
                    break
                if time.monotonic() - self._last_frame > LOST_AFTER:
                    why = f"no audio for {LOST_AFTER:.0f} s"
                    break
                self._ready.wait(0.1)
            else:
                return self._frames.popleft()
        raise self._lost(why)  # outside the lock: closing the stream waits for its callback

    def forget(self) -> None:
        """Drop every buffered frame (kiosk privacy between people)."""
        with self._ready:
            self._frames.clear()

    def close(self) -> None:
        """Close the stream and drop buffered audio."""
        self._close_stream()
        self.forget()
