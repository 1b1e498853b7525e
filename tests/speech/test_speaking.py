"""The speaking side: synthesizer, cues, WAV-folder speaker, and the sound-device speaker on PulseAudio."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import numpy as np
import pytest

from tests.speech.pulse import REPO, Pulse, missing_reason, recognize, segments
from voice.errors import AudioDeviceError
from voice.speech.audio import (
    RATE,
    float_to_int16,
    int16_to_float,
    level_db,
    read_wav,
    read_wav_raw,
    resample,
)
from voice.speech.cues import CUE_RATE, CUES, FREQUENCIES, cue_samples
from voice.speech.rate_volume import RATE_LIMITS, VOLUME_LIMITS, VOLUME_STEP_DB, SpeechSettings
from voice.speech.speaking import WavDirSpeaker
from voice.speech.tts import Synthesizer
from voice.triage.loader import load_content

MINI = REPO / "tests" / "fixtures" / "mini"
# Prompts from the fixture content; the first four are what the tests say, the others are distractors.
PROMPTS = {q.id: q.text for q in load_content(MINI).questions.values()}
SAID = [PROMPTS["fever"], PROMPTS["immune_risk"], PROMPTS["lifting_start"], PROMPTS["age"]]
CANDIDATES = list(PROMPTS.values())


def to16k(speech) -> np.ndarray:
    return float_to_int16(resample(int16_to_float(speech.samples), speech.rate, RATE))


def peak_frequency(x: np.ndarray, rate: int) -> float:
    spectrum = np.abs(np.fft.rfft(x * np.hanning(len(x))))
    return float(np.fft.rfftfreq(len(x), 1.0 / rate)[np.argmax(spectrum)])


@pytest.fixture(scope="module")
def synth() -> Synthesizer:
    s = Synthesizer()
    yield s
    s.close()


# ---------------------------------------------------------------------- synthesizer


@pytest.mark.speech
def test_synthesizer_caches_and_forgets(synth):
    first = synth.synthesize(SAID[0])
    misses, hits = synth.misses, synth.hits
    again = synth.synthesize(SAID[0])
    assert again is first and synth.hits == hits + 1 and synth.misses == misses
    assert synth.cached(SAID[0])
    synth.forget()
    assert not synth.cached(SAID[0])
    fresh = synth.synthesize(SAID[0])
    assert synth.misses == misses + 1 and fresh is not first
    assert np.array_equal(fresh.samples, first.samples) or abs(len(fresh.samples) - len(first.samples)) < 2000


def espeak_reference(text: str, rate: int) -> tuple[np.ndarray, int]:
    """The same sentence from the espeak-ng command (the engine behind the Synthesizer), and its rate.

    The command's output is the same to the byte on every run; the Synthesizer's (one long-lived
    espeak-ng that has said other sentences before) differs by a few samples from run to run, and a
    recognizer's verdict on a short sentence can flip on that ("does the" was once heard for "Do you
    have a fever?").
    """
    import io

    from voice.speech.audio import to_mono

    wav = subprocess.run(["espeak-ng", "-s", str(rate), "--stdout", text], capture_output=True, check=True,
                         timeout=30).stdout
    x, info = read_wav_raw(io.BytesIO(wav))
    return float_to_int16(to_mono(x)), info.rate


def _voiced(samples: np.ndarray) -> np.ndarray:
    nonzero = np.nonzero(samples)[0]
    return samples[nonzero[0]:nonzero[-1] + 1]


def _envelope(samples: np.ndarray, rate: int) -> np.ndarray:
    """Loudness in 50 ms steps: coarse enough that a few samples of jitter do not move it."""
    step = rate // 20
    return np.array([level_db(samples[i:i + step]) for i in range(0, len(samples) - step + 1, step)])


@pytest.mark.speech
def test_synthesizer_speaks_the_words(synth):
    """The Synthesizer's audio is espeak-ng's for the sentence, whole (same length and sounds, to
    within a few samples), and that audio is heard as the sentence by the real recognizer.

    Deterministic: the recognizer gets the byte-identical espeak-ng output every run, and the
    comparison of the Synthesizer's audio with it has wide margins over the run-to-run jitter.
    """
    for text in SAID:
        speech = synth.synthesize(text)
        reference, rate = espeak_reference(text, synth.rate)
        assert np.array_equal(reference, espeak_reference(text, synth.rate)[0])  # the same every time
        assert rate == speech.rate
        ours, theirs = _voiced(speech.samples), _voiced(reference)
        assert abs(len(ours) - len(theirs)) < 0.01 * len(theirs), (text, len(ours), len(theirs))
        a, b = _envelope(ours, rate), _envelope(theirs, rate)
        n = min(len(a), len(b))
        assert np.corrcoef(a[:n], b[:n])[0, 1] > 0.9, text  # measured: 0.999+; other sentences: 0.39 at most
        heard = recognize(float_to_int16(resample(int16_to_float(reference), rate, RATE)), CANDIDATES)
        assert heard == text


@pytest.mark.speech
def test_the_comparison_tells_a_cut_short_or_other_sentence_apart(synth):
    ours = _voiced(synth.synthesize(SAID[1]).samples)
    theirs = _voiced(espeak_reference(SAID[1], synth.rate)[0])
    other = _voiced(espeak_reference(SAID[2], synth.rate)[0])
    half = ours[: len(ours) // 2]
    assert abs(len(half) - len(theirs)) > 0.01 * len(theirs)
    a, b = _envelope(ours, synth.synthesize(SAID[1]).rate), _envelope(other, 22050)
    n = min(len(a), len(b))
    assert np.corrcoef(a[:n], b[:n])[0, 1] < 0.9


@pytest.mark.speech
def test_rate_changes_duration(synth):
    slow = synth.synthesize(SAID[3], rate=100)
    fast = synth.synthesize(SAID[3], rate=200)
    assert slow.rate == fast.rate == 22050
    assert slow.seconds > 1.4 * fast.seconds
    # Different rates are different cache entries; the same rate is one.
    assert synth.synthesize(SAID[3], rate=100) is slow


@pytest.mark.speech
def test_nothing_reaches_stdout():
    """Starting espeak-ng and synthesizing write nothing to stdout: in --jsonl mode it carries only
    JSON events."""
    code = textwrap.dedent("""
        from voice.speech.tts import Synthesizer
        s = Synthesizer()
        for text in ("Hello there.", "How old are you?"):
            assert len(s.synthesize(text).samples) > 1000
        import sys
        print("done", file=sys.stderr)
    """)
    done = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert "done" in done.stderr


# ---------------------------------------------------------------------- settings


def test_adjustments_are_exactly_reversible():
    s = SpeechSettings(rate=150, volume=0.7)
    start = (s.rate, s.volume)
    for cmd, undo in (("slower", "faster"), ("faster", "slower"), ("louder", "quieter"),
                      ("quieter", "louder")):
        done = []
        while s.adjust(cmd):
            done.append(cmd)
            assert len(done) < 50
        assert done, cmd
        for _ in done:
            assert s.adjust(undo)
        assert (s.rate, s.volume) == start
    lo, hi = RATE_LIMITS
    while s.adjust("slower"):
        pass
    assert lo <= s.rate < lo + 20
    while s.adjust("quieter"):
        pass
    assert VOLUME_LIMITS[0] <= s.volume
    assert not s.adjust("quieter") and not s.adjust("slower")
    with pytest.raises(ValueError, match="slower, faster, louder or quieter"):
        s.adjust("shout")


# ---------------------------------------------------------------------- cues


@pytest.mark.parametrize("name", CUES)
def test_cues_are_short_faded_tones(name):
    x = cue_samples(name)
    assert 0.05 < len(x) / CUE_RATE <= 0.6
    assert abs(x[0]) < 1e-3 and abs(x[-1]) < 1e-3  # faded in and out: no click
    assert np.max(np.abs(np.diff(x))) < 0.2  # no jumps anywhere
    main = peak_frequency(x, CUE_RATE)
    lo, hi = min(FREQUENCIES[name]), max(FREQUENCIES[name])
    assert lo - 30 <= main <= hi + 30, main


def test_cues_differ_and_unknown_is_refused():
    peaks = {name: peak_frequency(cue_samples(name), CUE_RATE) for name in CUES}
    assert peaks["nomatch"] < peaks["listening"] < peaks["emergency"]
    with pytest.raises(ValueError, match="listening"):
        cue_samples("ding")


# ---------------------------------------------------------------------- WAV folder


@pytest.mark.speech
def test_wav_dir_speaker_numbers_files(tmp_path, synth):
    out = tmp_path / "new" / "folder"
    speaker = WavDirSpeaker(out, synth)
    assert out.is_dir()
    for text in SAID[:3]:
        assert speaker.say(text) is not None
        speaker.cue("listening")  # tones are not utterances
    speaker.wait()
    speaker.stop()
    files = sorted(p.name for p in out.iterdir())
    assert files == ["001.wav", "002.wav", "003.wav"]
    for name, text in zip(files, SAID, strict=False):  # only SAID[:3] was said
        x, info = read_wav_raw(out / name)
        assert info.channels == 1 and info.bits == 16 and not info.float
        assert recognize(read_wav(out / name), CANDIDATES) == text


@pytest.mark.speech
def test_wav_dir_speaker_volume_and_rate(tmp_path, synth):
    speaker = WavDirSpeaker(tmp_path, synth, volume=0.5)
    speaker.say(SAID[3])
    assert speaker.adjust("louder")
    speaker.say(SAID[3])
    assert speaker.adjust("quieter") and speaker.adjust("slower")
    speaker.say(SAID[3])
    a, b, c = (read_wav(tmp_path / f"00{i}.wav") for i in (1, 2, 3))
    gain = level_db(b) - level_db(a)
    assert abs(gain - VOLUME_STEP_DB) < 0.5, gain
    assert len(c) > 1.05 * len(a)  # slower: longer
    assert abs(level_db(c) - level_db(a)) < 0.5


def test_wav_dir_speaker_unwritable(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(AudioDeviceError, match="cannot create the output folder") as err:
        WavDirSpeaker(blocker / "out", Synthesizer())
    assert err.value.fix and "--audio-out" in err.value.fix


# ---------------------------------------------------------------------- the sound device (PulseAudio)

_PLAY = textwrap.dedent("""
    import json, sys, time
    from voice.speech.speaking import build_speaker
    said = json.loads(sys.argv[1])
    speaker = build_speaker(output_device="pulse", volume=0.5)
    marks = {"opened": time.monotonic()}
    time.sleep(2.0)  # the first stream of a process on PulseAudio's ALSA plugin can take 1.5 s to start
    for i, text in enumerate(said):
        marks[f"say{i}"] = speaker.say(text)
        speaker.wait()
        marks[f"played{i}"] = time.monotonic()
        marks[f"seconds{i}"] = speaker.synthesizer.synthesize(text, speaker.rate).seconds
        time.sleep(0.4)
    for name in ("listening", "nomatch", "emergency"):
        marks[name] = time.monotonic()
        speaker.cue(name)
        time.sleep(0.4)
    marks["quiet"] = speaker.say(said[0])
    speaker.wait()
    time.sleep(0.3)
    assert speaker.adjust("louder") and speaker.adjust("louder")
    marks["loud"] = speaker.say(said[0])
    speaker.wait()
    time.sleep(0.3)
    print(json.dumps({"marks": marks, "delays": list(speaker.first_sample_delays), "now": time.monotonic()}))
    speaker.close()
""")


@pytest.fixture(scope="module")
def room_recording():
    """One child process plays prompts, cues, and a quiet and a loud prompt into the 'room' sink."""
    reason = missing_reason()
    if reason:
        pytest.skip(reason)
    with Pulse() as pulse:
        rec = pulse.record()
        child = pulse.python(_PLAY, json.dumps(SAID[:2]), stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
        out, err = child.communicate(timeout=90)
        audio = rec.stop()
        assert child.returncode == 0, err
        report = json.loads(out)
        yield audio, report


def _sounds(room_recording):
    audio, report = room_recording
    found = segments(audio)
    names = ["say0", "say1", "listening", "nomatch", "emergency", "quiet", "loud"]
    assert len(found) == len(names), ([round(len(f) / RATE, 2) for f in found],
                                      {k: v for k, v in report["marks"].items() if "seconds" in k})
    return dict(zip(names, found, strict=True)), report


@pytest.mark.audio
@pytest.mark.speech
@pytest.mark.slow
def test_speaker_plays_the_right_sentences(room_recording):
    sounds, report = _sounds(room_recording)
    for i, text in enumerate(SAID[:2]):
        assert recognize(sounds[f"say{i}"], CANDIDATES) == text
    assert recognize(sounds["quiet"], CANDIDATES) == SAID[0]
    assert all(d < 0.5 for d in report["delays"][1:]), report["delays"]


@pytest.mark.audio
@pytest.mark.slow
def test_cues_are_heard_at_their_frequencies(room_recording):
    sounds, _ = _sounds(room_recording)
    for name in ("listening", "nomatch", "emergency"):
        tone = sounds[name].astype(np.float64)
        assert len(tone) / RATE <= 0.7, name
        main = peak_frequency(tone, RATE)
        assert min(FREQUENCIES[name]) - 40 <= main <= max(FREQUENCIES[name]) + 40, (name, main)


@pytest.mark.audio
@pytest.mark.slow
def test_louder_is_louder_in_the_room(room_recording):
    sounds, _ = _sounds(room_recording)
    gain = level_db(sounds["loud"]) - level_db(sounds["quiet"])
    assert abs(gain - 2 * VOLUME_STEP_DB) < 1.0, gain
