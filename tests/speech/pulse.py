"""A private PulseAudio daemon with two null sinks, for tests that need real audio devices.

- "mouth": test answers are played into it with paplay; its monitor ("mouth.monitor") is the
  assistant's microphone.
- "room": the assistant's speaker; its monitor ("room.monitor") is recorded with parec.

PortAudio reads its device list when sounddevice is imported, so the code under test runs in a
child process with `Pulse.env()` (PULSE_SERVER, XDG_RUNTIME_DIR, PULSE_SINK=room,
PULSE_SOURCE=mouth.monitor), never by re-initializing PortAudio inside the test process.
"""

from __future__ import annotations

import functools
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from voice.speech.audio import RATE, read_wav, write_wav

REPO = Path(__file__).resolve().parents[2]
MOUTH = "mouth"
ROOM = "room"


def missing_reason() -> str | None:
    """Why the PulseAudio tests cannot run here, or None when they can."""
    for tool in ("pulseaudio", "pactl", "paplay", "parec"):
        if shutil.which(tool) is None:
            return f"{tool} is not installed (sudo apt-get install pulseaudio pulseaudio-utils)"
    return None


class Pulse:
    """A private pulseaudio (`--daemonize=no`, a child process) with the null sinks mouth and room."""

    def __init__(self, sinks: tuple[str, ...] = (MOUTH, ROOM)):
        self.sinks = sinks
        self.tmp = Path(tempfile.mkdtemp(prefix="voice-pulse-"))
        self.runtime = self.tmp / "xdg"
        self.runtime.mkdir(mode=0o700)
        self.proc: subprocess.Popen | None = None
        self.log = self.tmp / "pulseaudio.log"
        self._keepers: list[subprocess.Popen] = []

    # ------------------------------------------------------------------ life

    def start(self, timeout: float = 10.0) -> Pulse:
        """Start the daemon and wait until it answers (RuntimeError with its log otherwise)."""
        args = ["pulseaudio", "--daemonize=no", "-n", "--exit-idle-time=-1", "--use-pid-file=no",
                "--disallow-exit", "--log-target=stderr", "--load=module-native-protocol-unix"]
        args += [f"--load=module-null-sink sink_name={name} rate={RATE} channels=1" for name in self.sinks]
        with open(self.log, "ab") as log:
            self.proc = subprocess.Popen(args, env=self._daemon_env(), stdout=subprocess.DEVNULL, stderr=log,
                                         start_new_session=True)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                break
            if self.pactl("info", check=False).returncode == 0:
                self.pactl("set-default-sink", ROOM if ROOM in self.sinks else self.sinks[0], check=False)
                if MOUTH in self.sinks:
                    self.pactl("set-default-source", f"{MOUTH}.monitor", check=False)
                self._keep_running()
                return self
            time.sleep(0.1)
        log = self.log.read_text(errors="replace")[-2000:]
        self.stop()
        raise RuntimeError(f"pulseaudio did not start:\n{log}")

    def _keep_running(self) -> None:
        """Keep a low-latency reader on every monitor.

        An idle null sink renders in blocks of up to 2 s, so the first stream to join it waits up
        to 2 s for its first callback. A 10 ms reader that is always there keeps blocks short, as
        real hardware does.
        """
        for name in self.sinks:
            self._keepers.append(subprocess.Popen(
                ["parec", "-d", f"{name}.monitor", "--latency-msec=10", "--rate=16000", "--channels=1"],
                env=self.env(None, None), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        time.sleep(0.3)

    def stop(self) -> None:
        """Stop the daemon (SIGTERM, then SIGKILL) and remove its folder."""
        self.kill()
        shutil.rmtree(self.tmp, ignore_errors=True)

    def kill(self) -> None:
        """Stop the daemon but keep its folder (a device lost mid-session); `start()` brings it back."""
        for keeper in self._keepers:
            if keeper.poll() is None:
                keeper.terminate()
            keeper.wait(5)
        self._keepers.clear()
        proc, self.proc = self.proc, None
        if proc is not None and proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(5)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)

    def __enter__(self) -> Pulse:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

    # ------------------------------------------------------------------ environment

    def _daemon_env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(XDG_RUNTIME_DIR=str(self.runtime), HOME=str(self.tmp))
        for key in ("PULSE_SERVER", "PULSE_SINK", "PULSE_SOURCE"):
            env.pop(key, None)
        return env

    @property
    def server(self) -> str:
        return f"unix:{self.runtime / 'pulse' / 'native'}"

    def env(self, sink: str | None = ROOM, source: str | None = f"{MOUTH}.monitor") -> dict[str, str]:
        """Environment for a client of this daemon (the assistant, paplay, parec)."""
        env = self._daemon_env()
        env["PULSE_SERVER"] = self.server
        env["PYTHONPATH"] = str(REPO) + os.pathsep + env.get("PYTHONPATH", "")
        if sink:
            env["PULSE_SINK"] = sink
        if source:
            env["PULSE_SOURCE"] = source
        return env

    def pactl(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return subprocess.run(["pactl", *args], env=self.env(None, None), capture_output=True, text=True,
                              check=check, timeout=10)

    # ------------------------------------------------------------------ sound in and out

    def play(self, pcm: np.ndarray, sink: str = MOUTH, wait: bool = True) -> subprocess.Popen:
        """Play 16 kHz int16 samples into `sink` with paplay (waits for the end unless wait=False)."""
        path = Path(tempfile.mkstemp(suffix=".wav", dir=self.tmp)[1])
        write_wav(path, pcm, RATE)
        proc = subprocess.Popen(["paplay", "-d", sink, str(path)], env=self.env(None, None))
        if wait:
            proc.wait(60)
        return proc

    def record(self, sink: str = ROOM) -> Recording:
        """Start recording the monitor of `sink` (16 kHz mono int16); stop() returns the samples."""
        return Recording(self, f"{sink}.monitor")

    def python(self, code: str, *args: str, **popen) -> subprocess.Popen:
        """Run Python `code` in a child process that sees this daemon's devices."""
        return subprocess.Popen([sys.executable, "-c", code, *args], env=self.env(), cwd=REPO, **popen)


class Recording:
    """parec on a monitor source; `stop()` returns the samples and `started` the time it began."""

    def __init__(self, pulse: Pulse, source: str):
        self.path = Path(tempfile.mkstemp(suffix=".raw", dir=pulse.tmp)[1])
        self._file = open(self.path, "wb")  # noqa: SIM115 - closed in stop()
        self.proc = subprocess.Popen(["parec", "-d", source, f"--rate={RATE}", "--channels=1",
                                      "--format=s16le", "--latency-msec=20"],
                                     env=pulse.env(None, None), stdout=self._file)
        self.started = time.monotonic()

    def samples(self) -> np.ndarray:
        """What has been recorded so far."""
        if not self._file.closed:
            self._file.flush()
        data = self.path.read_bytes()
        return np.frombuffer(data[: len(data) // 2 * 2], dtype=np.int16)

    def level_since(self, since: float) -> list[float]:
        """The level (dB) of each 10 ms frame recorded since the monotonic time `since` (the
        recording's own latency, tens of ms, is not taken off)."""
        from voice.speech.audio import frames, level_db

        start = max(0, int((since - self.started) * RATE))
        return [level_db(f) for f in frames(self.samples()[start:], 10)]

    def wait_for_sound(self, since: float, timeout: float = 30.0, threshold_db: float = -45.0) -> float:
        """Poll until something louder than `threshold_db` was recorded after `since`; the time it
        was seen. AssertionError after `timeout` seconds."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if any(level > threshold_db for level in self.level_since(since)):
                return time.monotonic()
            time.sleep(0.02)
        raise AssertionError(f"no sound recorded within {timeout} s")

    def wait_for_quiet(self, since: float, quiet: float = 0.6, timeout: float = 60.0,
                       threshold_db: float = -45.0) -> float:
        """Poll until a sound recorded after `since` has been followed by `quiet` seconds of silence
        (a prompt has finished playing); the time it was seen. AssertionError after `timeout`."""
        deadline = time.monotonic() + timeout
        frames_quiet = int(quiet * 100)
        while time.monotonic() < deadline:
            levels = self.level_since(since)
            loud = [i for i, level in enumerate(levels) if level > threshold_db]
            if loud and len(levels) - 1 - loud[-1] >= frames_quiet:
                return time.monotonic()
            time.sleep(0.02)
        raise AssertionError(f"no sound followed by {quiet} s of quiet within {timeout} s")

    def stop(self) -> np.ndarray:
        """Stop recording; the whole recording."""
        if self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(5)
        self._file.close()
        return self.samples()


def load_wav16(path) -> np.ndarray:
    """A WAV as 16 kHz mono int16."""
    return read_wav(path, RATE)


def _words(sentence: str) -> str:
    return " ".join("".join(ch for ch in w.lower() if ch.isalpha() or ch == "'")
                    for w in sentence.split()).strip()


@functools.lru_cache(maxsize=4)
def _decoder(sentences: tuple[str, ...]):
    """A PocketSphinx decoder of a JSGF grammar of `sentences` (their words), made once per set: loading
    the acoustic model costs about a second."""
    from pocketsphinx import Decoder

    alternatives = " | ".join(_words(s) for s in sentences)
    decoder = Decoder(samprate=RATE, loglevel="FATAL")
    decoder.add_jsgf_string("candidates",
                            f"#JSGF V1.0;\ngrammar candidates;\npublic <s> = {alternatives} ;\n")
    decoder.activate_search("candidates")
    return decoder


def recognize(pcm: np.ndarray, sentences: list[str]) -> str | None:
    """Which of `sentences` PocketSphinx hears in 16 kHz int16 `pcm` (a JSGF grammar of them), or None.

    Returns the matching sentence as given (punctuation kept), None when nothing was recognized.
    """
    words = {_words(s): s for s in sentences}
    decoder = _decoder(tuple(sentences))
    pad = np.zeros(RATE // 2, dtype=np.int16)
    audio = np.concatenate([pad, np.asarray(pcm, dtype=np.int16), pad])
    decoder.start_utt()
    for i in range(0, len(audio), RATE // 10):  # in 100 ms blocks: one whole-utterance call loses the end
        decoder.process_raw(audio[i : i + RATE // 10].tobytes())
    decoder.end_utt()
    hyp = decoder.hyp()
    if hyp is None or not hyp.hypstr:
        return None
    return words.get(hyp.hypstr.strip(), hyp.hypstr)


def speech_span(pcm: np.ndarray, threshold_db: float = -45.0) -> tuple[float, float] | None:
    """(start, end) in seconds of the part of `pcm` louder than `threshold_db` (10 ms frames)."""
    from voice.speech.audio import frames, level_db

    loud = [i for i, f in enumerate(frames(pcm, 10)) if level_db(f) > threshold_db]
    if not loud:
        return None
    return loud[0] / 100.0, (loud[-1] + 1) / 100.0


def segments(pcm: np.ndarray, min_gap: float = 0.3, threshold_db: float = -45.0) -> list[np.ndarray]:
    """The sounds in `pcm`, in order: loud stretches separated by at least `min_gap` s of quiet."""
    from voice.speech.audio import frames, level_db

    loud = [level_db(f) > threshold_db for f in frames(pcm, 10)]
    found, start, quiet = [], None, 0
    for i, is_loud in enumerate(loud + [False] * int(min_gap * 100 + 1)):
        if is_loud:
            start = i if start is None else start
            quiet = 0
        elif start is not None:
            quiet += 1
            if quiet >= min_gap * 100:
                end = i - quiet + 1
                found.append(pcm[start * 160 : end * 160])
                start, quiet = None, 0
    return found
