"""Whole turns decoded one after another by PocketSphinx, as the second opinion does (its `decode`
streams a turn of several seconds in one call): pocketsphinx 5.1.1 crashed the process with SIGSEGV
in its live cepstral mean normalisation (cmn_live) when one process_raw call held a whole turn, on the
third of these three turns. `feed` now hands it at most FEED_BYTES at a time. Run in a child
process, so that a crash fails this test instead of ending the test run."""

from __future__ import annotations

import subprocess
import sys

TURNS = (85419, 41299, 137838)
"""Samples in each turn (5.3, 2.6 and 8.6 s at 16 kHz): the lengths that crashed it."""

SCRIPT = f"""
import numpy as np
from voice.speech.pocketsphinx import PocketSphinxRecognizer
from voice.triage.loader import load_content
from voice.understanding import Grammar

grammar, content = Grammar.load(), load_content()
expect = grammar.expectation(content.questions["ces_screen"], guard="yes")
recognizer = PocketSphinxRecognizer()
rng = np.random.default_rng(0)
for n in {TURNS!r}:
    hypothesis = recognizer.decode(rng.normal(0, 3000, n).astype(np.int16), expect)
    print(n, hypothesis.text in ("",) + tuple(expect.phrases), flush=True)
"""


def test_turns_of_several_seconds_decoded_one_after_another_do_not_crash_pocketsphinx():
    run = subprocess.run([sys.executable, "-X", "faulthandler", "-c", SCRIPT], capture_output=True, text=True,
                         timeout=300)
    assert run.returncode == 0, f"exit {run.returncode}\n{run.stderr[-3000:]}"
    # Every turn decoded, each to nothing or one of the question's own sentences.
    assert run.stdout.split() == [w for n in TURNS for w in (str(n), "True")]
