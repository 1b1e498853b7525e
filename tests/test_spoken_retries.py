"""Spoken sessions that do not go as planned, through `--audio-in - --fast`: a person who says nothing
at all, and one whose numbers never come through (asked again as yes or no). Whole sessions by voice
that go as typed are in tests/test_spoken_sessions.py."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import speak_session

from bench import testaudio
from bench.evaluation.patient import load_phrasings, run_session
from bench.evaluation.vignettes import load_vignettes

pytestmark = [pytest.mark.speech, pytest.mark.slow]


@pytest.fixture(scope="module")
def phrasings():
    return load_phrasings()


def test_a_person_says_nothing_at_all(tmp_path):
    """Silence on every turn: the session asks again, checks the person is there, then ends cleanly."""
    result = subprocess.run([sys.executable, "-m", "voice", "--audio-in", "-", "--fast", "--audio-out",
                             str(tmp_path / "said"), "--jsonl"], input="\n" * 12, capture_output=True,
                            text=True, timeout=120)
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
    # 58 years old: over 50, 56 and under 60
    vignette = next(v for v in load_vignettes() if v.id == "older_new_back_pain_gardening")
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
