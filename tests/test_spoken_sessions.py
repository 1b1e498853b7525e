"""Whole triage sessions by voice: the test patients speak their answers (espeak-ng, several
voices, speeds and pitches, some in waiting-room babble) through `--audio-in - --fast` on
PocketSphinx, and the outcome must be the outcome of the same patient typing."""

from __future__ import annotations

import sys
import wave
from pathlib import Path

import pytest

from bench import testaudio
from bench.evaluation.patient import load_phrasings, run_session
from bench.evaluation.vignettes import load_vignettes

pytestmark = [pytest.mark.speech, pytest.mark.slow]

# (vignette, voice, babble SNR in dB or None): yes/no, numbers, durations, "not sure", an
# emergency, a choice question, a look-alike; voices of several accents, speeds and pitches.
CASES = [
    ("disc_after_lifting", testaudio.VOICES[0], None),
    ("hip_arthritis_socks", testaudio.VOICES[1], None),
    pytest.param("unsure_fever", testaudio.VOICES[2], None, marks=pytest.mark.xfail(
        strict=False, reason="PocketSphinx hears this voice's '36' as 56 since the tree asks more "
        "questions (issue 11): the older age takes other questions; Whisper, the default, is tested apart")),
    ("ces_saddle_numbness", testaudio.VOICES[3], 20),
    ("piriformis_runner", testaudio.VOICES[5], None),
    ("older_new_back_pain_gardening", testaudio.VOICES[6], None),
]

VIGNETTES = {v.id: v for v in load_vignettes()}


@pytest.fixture(scope="module")
def phrasings():
    return load_phrasings()


def speak_session(vignette, phrasings, speak, said: Path):
    """The vignette's patient through `--audio-in - --fast` on PocketSphinx, saying what `speak`
    makes of each line; the result (checked to have run) and its transcript."""
    command = [sys.executable, "-m", "voice", "--audio-in", "-", "--fast", "--audio-out", str(said),
               "--jsonl", "--engine", "pocketsphinx"]
    spoken = run_session(vignette, seed=1, phrasings=phrasings, command=command, speak=speak, timeout=240)
    transcript = "\n".join(f"  {t.get('question')}: said {t.get('said')!r}, heard {t.get('heard')!r}"
                           for t in spoken.turns)
    assert spoken.error is None, f"{spoken.error}\n{spoken.stderr_tail}\n{transcript}"
    return spoken, transcript


@pytest.mark.parametrize("vignette_id, voice, snr", CASES,
                         ids=[c.values[0] if hasattr(c, "values") else c[0] for c in CASES])
def test_spoken_outcome_equals_typed_outcome(vignette_id, voice, snr, phrasings, tmp_path):
    vignette = VIGNETTES[vignette_id]
    typed = run_session(vignette, seed=1, phrasings=phrasings, in_process=True)
    assert typed.error is None and typed.disposition is not None

    answers, said = tmp_path / "answers", tmp_path / "said"
    spoken_lines: list[str] = []

    def speak(text: str) -> str:
        spoken_lines.append(text)
        return str(testaudio.answer_file(answers, text, voice, snr_db=snr, seed=len(spoken_lines)))

    spoken, transcript = speak_session(vignette, phrasings, speak, said)
    assert spoken.disposition == typed.disposition, transcript
    assert spoken.causes == typed.causes, transcript
    assert spoken.red_flags == typed.red_flags, transcript
    # Everything the assistant said was spoken into numbered WAV files.
    files = sorted(said.glob("*.wav"))
    assert files and files[0].name == "001.wav"
    with wave.open(str(files[-1])) as w:
        assert w.getnframes() > w.getframerate() * 0.3
    assert spoken_lines  # the patient really spoke


def test_a_person_says_nothing_at_all(tmp_path):
    """Silence on every turn: the session asks again, checks the person is there, then ends cleanly."""
    import subprocess

    result = subprocess.run([sys.executable, "-m", "voice", "--audio-in", "-", "--fast", "--audio-out",
                             str(tmp_path / "said"), "--jsonl"], input="\n" * 12, capture_output=True,
                            text=True, timeout=120)
    import json

    events = [json.loads(line) for line in result.stdout.splitlines()]
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    kinds = [e["event"] for e in events]
    assert "noinput" in kinds and kinds[-1] == "end"
    assert any(e["event"] == "ask" and e["question"] == "still_there" for e in events)
    assert events[-1]["reason"] in ("timeout", "stopped")
    assert len(list(Path(tmp_path / "said").glob("*.wav"))) == kinds.count("say")


def test_numbers_never_understood_are_asked_as_yes_or_no(phrasings, tmp_path):
    """A person whose numbers never come through (every age and pain score is mumbled) still gets
    the advice of the same person typing: the numbers are asked as yes or no, by voice."""
    vignette = VIGNETTES["older_new_back_pain_gardening"]  # 58 years old: over 50, 56 and under 60
    voice = testaudio.VOICES[6]
    typed = run_session(vignette, seed=1, phrasings=phrasings, in_process=True)
    numbers = {str(n) for n in vignette.numbers.values()}
    answers, said = tmp_path / "answers", tmp_path / "said"
    mumbled: list[str] = []

    def speak(text: str) -> str:
        if any(n in text.split() for n in numbers) or any(w in text for w in ("fifty", "five")):
            mumbled.append(text)
            text = "mm hmm mm"
        return str(testaudio.answer_file(answers, text, voice, seed=len(mumbled)))

    spoken, transcript = speak_session(vignette, phrasings, speak, said)
    assert len(mumbled) >= 2, transcript  # the numbers really were not said
    steps = [t for t in spoken.turns if t.get("question") == "number_at_least"]
    assert steps, transcript
    assert spoken.disposition == typed.disposition, transcript
    assert spoken.causes == typed.causes, transcript
