"""Speakers: play synthesized speech through a sound device, or write it to numbered WAV files.

- SoundDeviceSpeaker: one sounddevice OutputStream on the chosen device, fed by a callback.
  `say()` returns as soon as the first sample of the sentence is handed to the device (with that
  moment's time.monotonic()), `wait()` blocks until it has been played, `stop()` silences it at
  once (barge-in). Volume is applied at playback. Speech never goes through `aplay`.
- WavDirSpeaker (`--audio-out DIR`): each say() writes DIR/001.wav, 002.wav, ... (16-bit mono).

Both share the rate/volume settings (`adjust`, voice/speech/rate_volume.py) and one Synthesizer
(voice/speech/tts.py).
"""

from __future__ import annotations

import collections
import logging
import os
import threading
import time
from pathlib import Path

import numpy as np

from voice.errors import AudioDeviceError

from .audio import float_to_int16, int16_to_float, resample, write_wav
from .cues import CUES, cue_samples
from .devices import NO_DEVICE_FIX, resolve, sounddevice
from .rate_volume import SpeechSettings
from .tts import TTS_RATE, Synthesizer

_LOG = logging.getLogger(__name__)

DELAYS_KEPT = 500
"""Utterances whose start-up delay is kept for measurement (a bounded record: kiosks run for days)."""
LOST_AFTER = 2.0
"""Seconds without a device callback while playing before the device counts as lost."""
OUTPUT_LATENCY = 0.08
"""Seconds of output buffering asked of PortAudio: "low" (9 ms) underruns on PulseAudio and loses
whole sentences; 80 ms is still far below what a person notices when interrupting."""
START_GRACE = 5.0
"""Seconds a freshly opened stream may take to start (PortAudio on PulseAudio's ALSA plugin can take
1.5 s)."""


class _Item:
    """One sound in the playback queue."""

    __slots__ = ("samples", "pos", "started", "first", "done", "scaled")

    def __init__(self, samples: np.ndarray, scaled: bool = True):
        self.samples = samples  # float32, mono, at the stream's rate
        self.pos = 0
        self.started = threading.Event()
        self.first: float | None = None
        self.done = threading.Event()
        self.scaled = scaled  # apply the speaker's volume


class SoundDeviceSpeaker:
    """Plays speech and cues through one sounddevice OutputStream (non-blocking `say`, `stop` for barge-in).

    The stream is opened on the first sound (or by `open()`) and kept open; when the device is
    lost the stream is closed and AudioDeviceError is raised, and the next call reopens it.
    """

    def __init__(self, output_device: str | int | None = None, synthesizer: Synthesizer | None = None,
                 volume: float | None = None, cues: bool = True, rate: int | None = None):
        self.synthesizer = synthesizer or Synthesizer(rate)
        self.settings = SpeechSettings(rate or self.synthesizer.rate, volume)
        self.cues = bool(cues)
        self.output_device = output_device
        self.device = resolve(output_device, "output")
        self.stream_rate: int | None = None
        self._stream = None
        self._lock = threading.Lock()
        self._queue: collections.deque[_Item] = collections.deque()
        self._idle = threading.Event()
        self._idle.set()
        self._last_callback = 0.0
        self._failed: str | None = None
        self.first_sample_delays: collections.deque[float] = collections.deque(maxlen=DELAYS_KEPT)
        """Seconds from say() being called (speech already synthesized) to its first sample going out,
        for the last DELAYS_KEPT utterances (a kiosk says thousands of them a week)."""

    # ------------------------------------------------------------------ the stream

    @property
    def volume(self) -> float:
        """Current playback volume."""
        return self.settings.volume

    @property
    def rate(self) -> int:
        """Current speech rate in words per minute."""
        return self.settings.rate

    def open(self) -> None:
        """Open the output stream now (raises AudioDeviceError with a fix when that is impossible)."""
        if self._stream is not None and self._failed is None and self._stream.active:
            return
        self._close_stream()
        sd = sounddevice()
        self.device = resolve(self.output_device, "output")
        rate = TTS_RATE
        try:
            sd.check_output_settings(device=self.device.index, samplerate=TTS_RATE, channels=1,
                                     dtype="float32")
        except (sd.PortAudioError, ValueError):
            rate = int(self.device.rate)
        try:
            stream = sd.OutputStream(device=self.device.index, samplerate=rate, channels=1, dtype="float32",
                                     latency=OUTPUT_LATENCY, callback=self._callback,
                                     finished_callback=self._finished)
            stream.start()
        except (sd.PortAudioError, ValueError, OSError) as exc:
            raise AudioDeviceError(f"cannot play sound on {self.device.name!r} ({exc})",
                                   where=f"output device {self.device.index}", fix=NO_DEVICE_FIX) from exc
        self._failed = None
        self._last_callback = time.monotonic() + START_GRACE - LOST_AFTER
        self._stream = stream
        self.stream_rate = rate
        _LOG.debug("output stream open on %s at %d Hz, latency %.3f s", self.device.name, rate,
                   stream.latency)

    def _callback(self, outdata, frames, time_info, status) -> None:
        now = time.monotonic()
        self._last_callback = now
        out = outdata[:, 0]
        n = 0
        with self._lock:
            volume = self.settings.volume
            while n < frames and self._queue:
                item = self._queue[0]
                take = min(frames - n, len(item.samples) - item.pos)
                chunk = item.samples[item.pos : item.pos + take]
                out[n : n + take] = chunk * volume if item.scaled else chunk
                if item.pos == 0:
                    item.first = now
                    item.started.set()
                item.pos += take
                n += take
                if item.pos >= len(item.samples):
                    self._queue.popleft()
                    item.started.set()
                    item.done.set()
            if not self._queue:
                self._idle.set()
        if n < frames:
            out[n:] = 0.0

    def _finished(self) -> None:
        if self._failed is None:
            self._failed = "the output stream stopped"

    def _close_stream(self) -> None:
        stream, self._stream = self._stream, None
        self._drop_queue()
        if stream is not None:
            try:
                stream.abort(ignore_errors=True)
                stream.close(ignore_errors=True)
            except Exception as exc:  # a lost device may fail to close; it is gone either way
                _LOG.debug("closing the output stream: %s", exc)

    def _drop_queue(self) -> None:
        with self._lock:
            for item in self._queue:
                item.started.set()
                item.done.set()
            self._queue.clear()
            self._idle.set()

    def _lost(self, why: str) -> AudioDeviceError:
        self._close_stream()
        return AudioDeviceError(f"the speaker was lost: {why}", where=f"output device {self.device.name!r}",
                                fix="check the speaker or headset is plugged in and the sound server is "
                                    "running")

    def _check_alive(self) -> None:
        stream = self._stream
        if self._failed is not None:
            raise self._lost(self._failed)
        if stream is None:
            raise self._lost("the output stream is closed")
        if time.monotonic() - self._last_callback > LOST_AFTER:
            raise self._lost(f"no audio callback for {LOST_AFTER:.0f} s")

    def _play(self, samples: np.ndarray, scaled: bool = True) -> _Item:
        self.open()
        if self.stream_rate != TTS_RATE:
            samples = resample(samples, TTS_RATE, self.stream_rate)
        item = _Item(np.ascontiguousarray(samples, dtype=np.float32), scaled)
        with self._lock:
            self._queue.append(item)
            self._idle.clear()
        return item

    def _await(self, event: threading.Event) -> None:
        while not event.wait(0.1):
            self._check_alive()
        if self._failed is not None:
            raise self._lost(self._failed)

    # ------------------------------------------------------------------ the Speaker port

    def say(self, text: str) -> float | None:
        """Start saying `text`; returns time.monotonic() when its first sample went to the device."""
        speech = self.synthesizer.synthesize(text, self.settings.rate)
        asked = time.monotonic()
        item = self._play(int16_to_float(speech.samples))
        self._await(item.started)
        if item.first is None:  # stopped before it started
            return None
        self.first_sample_delays.append(item.first - asked)
        return item.first

    def wait(self) -> None:
        """Block until everything queued has been played (or stopped)."""
        if self._stream is None:
            return
        if not self._idle.is_set():
            self._await(self._idle)
        stream = self._stream
        if stream is not None and self._failed is None:
            time.sleep(max(0.0, float(stream.latency)))  # what the device still holds

    def stop(self) -> None:
        """Silence playback at once (barge-in): queued speech is dropped."""
        self._drop_queue()

    def adjust(self, command: str) -> bool:
        """`slower`/`faster` (20 wpm steps) or `louder`/`quieter` (3 dB steps); False at a limit."""
        return self.settings.adjust(command)

    def cue(self, name: str) -> None:
        """Play a short tone and wait for it (`listening`, `nomatch`, `emergency`); nothing when cues are
        off."""
        if name not in CUES:
            raise ValueError(f"unknown cue {name!r}: use one of {', '.join(CUES)}")
        if not self.cues:
            return
        item = self._play(cue_samples(name, TTS_RATE))
        self._await(item.done)
        stream = self._stream
        if stream is not None:
            time.sleep(max(0.0, float(stream.latency)))

    def forget(self) -> None:
        """Drop the synthesis cache (the kiosk calls this between people)."""
        self.stop()
        self.synthesizer.forget()

    def close(self) -> None:
        """Stop, close the stream and empty the cache."""
        self._close_stream()
        self.synthesizer.close()


class WavDirSpeaker:
    """Writes each utterance as DIR/001.wav, 002.wav, ... (16-bit mono) instead of playing it.

    Cues are tones, not utterances: they are not written. Rate and volume adjustments apply to
    the files that follow.
    """

    def __init__(self, directory: str | os.PathLike, synthesizer: Synthesizer | None = None,
                 volume: float | None = None, cues: bool = True, rate: int | None = None):
        self.directory = Path(directory)
        self.synthesizer = synthesizer or Synthesizer(rate)
        self.settings = SpeechSettings(rate or self.synthesizer.rate, volume)
        self.cues = bool(cues)
        self.count = 0
        """How many files have been written (the last one is DIR/{count:03d}.wav)."""
        try:
            self.directory.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise AudioDeviceError(f"cannot create the output folder: {exc.strerror or exc}",
                                   where=str(self.directory),
                                   fix="give --audio-out a folder you can write to") from exc
        if not os.access(self.directory, os.W_OK | os.X_OK):
            raise AudioDeviceError("the output folder is not writable", where=str(self.directory),
                                   fix="give --audio-out a folder you can write to (or fix its permissions)")
        old = sorted(self.directory.glob("[0-9][0-9][0-9].wav"))
        if old:
            _LOG.warning("%s already holds %d numbered WAV files; they will be overwritten from 001.wav",
                         self.directory, len(old))

    @property
    def volume(self) -> float:
        return self.settings.volume

    @property
    def rate(self) -> int:
        return self.settings.rate

    def say(self, text: str) -> float | None:
        """Write `text` as the next numbered WAV; returns time.monotonic() once it is written."""
        speech = self.synthesizer.synthesize(text, self.settings.rate)
        self.count += 1
        path = self.directory / f"{self.count:03d}.wav"
        pcm = float_to_int16(int16_to_float(speech.samples) * self.settings.volume)
        try:
            write_wav(path, pcm, speech.rate)
        except OSError as exc:
            raise AudioDeviceError(f"cannot write {path.name}: {exc.strerror or exc}", where=str(path),
                                   fix="free some disk space or give --audio-out another folder") from exc
        return time.monotonic()

    def wait(self) -> None:
        """Files are written at once."""

    def stop(self) -> None:
        """A written file cannot be interrupted."""

    def adjust(self, command: str) -> bool:
        """As SoundDeviceSpeaker.adjust: applies to the files that follow."""
        return self.settings.adjust(command)

    def cue(self, name: str) -> None:
        """Cues are not utterances: nothing is written."""
        if name not in CUES:
            raise ValueError(f"unknown cue {name!r}: use one of {', '.join(CUES)}")

    def forget(self) -> None:
        """Empty the synthesis cache."""
        self.synthesizer.forget()

    def close(self) -> None:
        self.synthesizer.close()


def build_speaker(audio_out: Path | None = None, output_device: str | int | None = None,
                  rate: int | None = None, volume: float | None = None, voice: str | None = None,
                  cues: bool | None = None):
    """The speaker for the command line: WavDirSpeaker with `audio_out`, else SoundDeviceSpeaker.

    Starts espeak-ng and (for a device) opens the output stream now, so a missing espeak-ng,
    PortAudio or speaker is reported before the session starts (AudioDeviceError with a fix).
    """
    if volume is not None and not 0.0 <= volume <= 1.0:
        raise AudioDeviceError(f"volume must be between 0 and 1, not {volume}", where="--volume",
                               fix="e.g. --volume 0.8")
    if rate is not None and rate <= 0:
        raise AudioDeviceError(f"speech rate must be positive, not {rate}", where="--rate",
                               fix="e.g. --rate 150")
    synthesizer = Synthesizer(rate=rate, voice=voice)
    synthesizer.warm_up()
    use_cues = True if cues is None else bool(cues)
    if audio_out is not None:
        return WavDirSpeaker(audio_out, synthesizer, volume=volume, cues=use_cues, rate=rate)
    speaker = SoundDeviceSpeaker(output_device, synthesizer, volume=volume, cues=use_cues, rate=rate)
    speaker.open()
    return speaker

