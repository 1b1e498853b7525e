"""Audio devices on a private PulseAudio: listing, choosing by name, no server, microphone capture."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from bench import testaudio
from tests.speech.pulse import REPO, Pulse, missing_reason, recognize

pytestmark = pytest.mark.audio

ANSWERS = ["yes it does", "no it does not", "about three weeks"]


@pytest.fixture(scope="module")
def pulse():
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with Pulse() as p:
        yield p


def _run(pulse, code: str, *args: str, timeout: float = 60) -> subprocess.CompletedProcess:
    child = pulse.python(textwrap.dedent(code), *args, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    out, err = child.communicate(timeout=timeout)
    return subprocess.CompletedProcess(child.args, child.returncode, out, err)


def test_list_devices_shows_pulse(pulse):
    done = subprocess.run([sys.executable, "-m", "voice", "--list-devices"], env=pulse.env(), cwd=REPO,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "pulse" in done.stdout and "default" in done.stdout
    assert "* input + output" in done.stdout
    assert "Traceback" not in done.stderr


def test_bad_output_device_lists_what_exists(pulse):
    done = _run(pulse, """
        from voice.errors import AudioDeviceError
        from voice.speech.speaking import build_speaker
        try:
            build_speaker(output_device="no such speaker")
        except AudioDeviceError as err:
            print(err)
    """)
    assert done.returncode == 0, done.stderr
    assert "no output device matches 'no such speaker'" in done.stdout
    assert "'pulse'" in done.stdout and "--list-devices" in done.stdout


def test_device_by_index_and_substring(pulse):
    done = _run(pulse, """
        from voice.speech.devices import resolve
        print(resolve("PUL", "output").name, resolve(0, "input").name, resolve(None, "output").name)
    """)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["pulse", "pulse", "default"]


def test_no_server_no_card_is_a_clear_error(tmp_path):
    """Without PulseAudio and without a sound card, build_speaker raises AudioDeviceError with a fix."""
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "XDG_RUNTIME_DIR": str(tmp_path),
           "PYTHONPATH": str(REPO), "PULSE_SERVER": f"unix:{tmp_path}/none"}
    code = textwrap.dedent("""
        from voice.errors import AudioDeviceError
        from voice.speech.speaking import build_speaker
        from voice.speech.microphone import MicrophoneSource
        for make in (lambda: build_speaker(), lambda: MicrophoneSource().begin_turn()):
            try:
                make()
                print("no error")
            except AudioDeviceError as err:
                print("ERROR", err.message, "|", err.fix)
    """)
    done = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 2 and all(line.startswith("ERROR") for line in lines), done.stdout
    assert "no speaker found" in lines[0] and "no microphone found" in lines[1]
    assert "--text" in lines[0]
    # --list-devices says so plainly too
    listed = subprocess.run([sys.executable, "-m", "voice", "--list-devices"], env=env, cwd=REPO,
                            capture_output=True, text=True, timeout=60)
    assert listed.returncode == 0 and "No audio devices found" in listed.stdout
    assert "Traceback" not in listed.stderr


@pytest.mark.speech
@pytest.mark.slow
def test_microphone_captures_what_the_mouth_says(pulse):
    """MicrophoneSource on 'pulse' (PULSE_SOURCE=mouth.monitor) records paplay'd speech as 10 ms frames."""
    code = """
        import sys, time, numpy as np
        from voice.speech.microphone import MicrophoneSource
        mic = MicrophoneSource("pulse")
        mic.begin_turn()
        frames = [mic.read()]  # the stream delivers (the first stream of a process can take 1.5 s)
        print("ready", flush=True)
        frames += [mic.read() for _ in range(int(sys.argv[1]) * 100 - 1)]
        assert all(f.dtype == np.int16 and f.shape == (160,) for f in frames)
        np.concatenate(frames).tofile(sys.argv[2])
        print("rate", mic.device_rate, "dropped", mic.dropped, flush=True)
        mic.close()
    """
    out = pulse.tmp / "mic.raw"
    child = pulse.python(textwrap.dedent(code), "4", str(out), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         text=True)
    assert child.stdout.readline().strip() == "ready"
    pulse.play(testaudio.speak(ANSWERS[2], "en-us"))
    rest, err = child.communicate(timeout=60)
    assert child.returncode == 0, err
    assert "rate 16000" in rest
    import numpy as np

    audio = np.fromfile(out, dtype=np.int16)
    assert len(audio) == 4 * 16000
    assert recognize(audio, ANSWERS) == ANSWERS[2]


@pytest.mark.speech
@pytest.mark.slow
def test_barge_in_stops_playback(pulse):
    """While a long prompt plays into 'room', speech into 'mouth' heard on the microphone stops it."""
    code = """
        import json, sys, time
        from voice.speech.audio import level_db
        from voice.speech.microphone import MicrophoneSource
        from voice.speech.speaking import build_speaker
        from voice.triage.loader import load_content
        content = load_content("tests/fixtures/mini")
        long = " ".join([content.say("welcome"), content.say("welcome"), content.say("welcome")])
        speaker = build_speaker(output_device="pulse")
        mic = MicrophoneSource("pulse")
        mic.begin_turn()
        speaker.synthesizer.synthesize(long, speaker.rate)
        mic.read()  # the microphone's stream delivers
        started = speaker.say(long)
        mic.begin_turn(keep_recent=False)
        print("speaking", flush=True)
        loud = 0
        while True:  # a tiny energy barge-in: 50 ms of speech on the microphone stops the speaker
            frame = mic.read()
            loud = loud + 1 if level_db(frame) > -40 else 0
            if loud >= 5:
                heard = time.monotonic()
                speaker.stop()
                break
        time.sleep(1.5)
        print(json.dumps({"started": started, "heard": heard, "now": time.monotonic()}), flush=True)
        speaker.close(); mic.close()
    """
    rec = pulse.record()
    child = pulse.python(textwrap.dedent(code), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "speaking"
    import time

    rec.wait_for_sound(since=time.monotonic())  # the prompt is playing in the room
    said_at = time.monotonic()
    pulse.play(testaudio.speak("stop", "en-us"))
    out, err = child.communicate(timeout=60)
    audio = rec.stop()
    assert child.returncode == 0, err
    marks = json.loads(out)
    assert 0 < marks["heard"] - said_at < 1.5  # heard within the answer
    from voice.speech.audio import frames, level_db

    levels = [level_db(f) for f in frames(audio, 10)]
    loud = [i for i, v in enumerate(levels) if v > -45]
    assert loud, "nothing was played into the room"
    # The prompt is over 10 s long; after the stop the room is silent for the last second and more.
    assert (len(levels) - loud[-1]) / 100 > 1.0
    assert (loud[-1] - loud[0]) / 100 < 8.0
