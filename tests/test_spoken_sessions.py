"""Whole triage sessions by voice: the test patients speak their answers (espeak-ng, several
voices, speeds and pitches, some in waiting-room babble) through `--audio-in - --fast` on
PocketSphinx, and the outcome must be the outcome of the same patient typing. A person who says
nothing, or whose numbers never come through, is in tests/test_spoken_retries.py (two files, so
that the two test workers share these sessions)."""

from __future__ import annotations

import wave

import pytest
from helpers import speak_session

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
    # Every warning sign the typed session found; a spoken one may name the whole screen where the
    # typed yes named its sign ("yes, I'm numb down below"): PocketSphinx hears only "yes".
    assert set(typed.red_flags) <= set(spoken.red_flags), transcript
    # Everything the assistant said was spoken into numbered WAV files.
    files = sorted(said.glob("*.wav"))
    assert files and files[0].name == "001.wav"
    with wave.open(str(files[-1])) as w:
        assert w.getnframes() > w.getframerate() * 0.3
    assert spoken_lines  # the patient really spoke
