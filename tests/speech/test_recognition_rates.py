"""How much of a set of answers PocketSphinx with the answer grammars understands: synthesized
answers by three voices, clean and in 10 dB babble, and people saying digits.

The floors asserted here are the figures measured on these sets, with margins, not the product
targets: they catch regressions of the grammar compilation, the rejection and the audio path.
`.venv/bin/python -m bench.listening` prints the full figures.
"""

from __future__ import annotations

import pytest
from helpers import understood_as

from bench import testaudio as ta
from voice.ports import CONFIRM_BELOW

pytestmark = pytest.mark.speech

ANSWERS = [
    ("ces_screen", "not sure", "unsure"), ("ces_screen", "no i don't", "no"),
    ("ces_screen", "i don't know", "unsure"),
    ("ces_screen", "yeah it does", "yes"), ("ces_screen", "say that again", "repeat"),
    ("ces_screen", "i need help now", "help_now"), ("age", "sixty seven", 67), ("age", "i'm forty two", 42),
    ("duration", "about three weeks", None), ("pain_score", "about five", 5),
    ("ces_screen", "slower", "slower"),
]
VOICES = ta.VOICES[:3]


def _expected(grammar, q, text, want):
    if want is None:  # a duration: whatever the grammar makes of the words
        return understood_as(grammar, q, text)
    return want


@pytest.mark.slow
@pytest.mark.parametrize("snr", [None, 10.0], ids=["clean", "babble10dB"])
def test_answers_are_understood(setup, snr):
    grammar, content, rec = setup
    right = confident_wrong = total = 0
    for i, voice in enumerate(VOICES):
        for qid, text, want in ANSWERS:
            q = content.questions[qid]
            speech = ta.speak(text, voice)
            noise = None if snr is None else ta.babble(len(speech) / 16000 + 1.0, seed=i)
            pcm = ta.mix_snr(speech, noise, snr, 0.3, 0.3)
            hyp = rec.decode(pcm, grammar.expectation(q))
            got = understood_as(grammar, q, hyp.text)
            total += 1
            if got == _expected(grammar, q, text, want):
                right += 1
            elif got is not None and hyp.confidence >= CONFIRM_BELOW:
                confident_wrong += 1
    if snr is None:
        assert right / total >= 0.6, (right, total)
        assert confident_wrong / total <= 0.15
    else:
        assert right / total >= 0.1, (right, total)
        assert confident_wrong / total <= 0.15


REAL_TAKES = ("0", "1")
"""The takes of the recorded digits the test hears: two of the five of every digit by every speaker."""


@pytest.mark.slow
def test_real_voices_saying_digits(setup, tmp_path):
    # People, not espeak-ng: 60 recorded digits (3 speakers, 2 takes of each digit, 8 kHz) as answers
    # to the pain score question, through the listener as the benchmark hears them. The floors are
    # below what was measured on these 60 (50.0% right, 7 wrong but confident; by speaker 35%, 75%
    # and 40%) and on all 150 (45.3% right, 25 wrong but confident); the product targets are far above.
    from bench.real_voices import DIGITS_DIR, measure_real_voices

    grammar, content, _ = setup
    chosen = tmp_path / "digits"
    chosen.mkdir()
    for path in sorted(DIGITS_DIR.glob("*.wav")):
        if path.stem.split("_")[2] in REAL_TAKES:
            (chosen / path.name).symlink_to(path)
    real = measure_real_voices(content, grammar, tmp_path / "padded", folder=chosen, naive=False)
    assert real is not None and real["clips"] == 60 and len(real["speakers"]) == 3
    assert sorted({r["expected"] for r in real["rows"]}) == [str(d) for d in range(10)]
    ours = real["ours"]
    assert ours["accuracy"] >= 38.0, ours
    assert ours["wrong_confident"] <= 14, ours
    assert real["by_speaker"].keys() == {"george", "jackson", "nicolas"}
    assert all(c["accuracy"] >= 20.0 for c in real["by_speaker"].values()), real["by_speaker"]
