"""PocketSphinx with the answer grammars: the word graph, the first answer of a session, rejection of
out-of-grammar speech and noise, guarded sentences, the naive peer's open vocabulary. What share of a
set of answers is understood (synthesized, clean and in babble; people's digits) is in
test_recognition_rates.py: two files, so the two test workers share them.

The floors asserted here are the figures measured on this set (see the listening report), not
the product targets: they catch regressions of the grammar compilation, the rejection and the
audio path. `python -m bench.listening` prints the full figures.
"""

from __future__ import annotations

import numpy as np
import pytest
from helpers import understood_as

from bench import testaudio as ta
from voice.ports import CONFIRM_BELOW
from voice.speech.pocketsphinx import PocketSphinxRecognizer
from voice.speech.recognizers import CONFIDENT, closest_phrase
from voice.speech.wordgraph import word_graph

pytestmark = pytest.mark.speech

OUT_OF_GRAMMAR = [("ces_screen", "the weather is lovely today"), ("age", "my dog likes to run"),
                  ("duration", "where is the bathroom"), ("ces_screen", "can you call my sister"),
                  ("pain_score", "i had toast for breakfast")]
VOICES = ta.VOICES[:3]


def test_word_graph_accepts_exactly_the_sentences():
    phrases = ("yes", "yes i do", "yes it does", "no", "no it does", "not sure")
    start, end, transitions = word_graph(phrases)
    out: dict[int, list] = {}
    for t in transitions:
        out.setdefault(t[0], []).append(t)
    accepted = set()

    def walk(state, words):
        if state == end:
            accepted.add(" ".join(words))
            return
        for t in out.get(state, []):
            walk(t[1], words + ([t[3]] if len(t) == 4 else []))

    walk(start, [])
    assert accepted == set(phrases)
    for ts in out.values():
        assert sum(t[2] for t in ts) == pytest.approx(1.0)
    # shared suffixes are merged: "i do"/"it does"/"it does" end in one state
    assert end + 1 < sum(len(p.split()) for p in phrases)


def test_largest_grammar_compiles_small_and_fast(setup):
    grammar, content, rec = setup
    expect = grammar.expectation(content.questions["age"])
    assert len(expect.phrases) > 4000
    _, end, transitions = word_graph(expect.phrases)
    assert end < 300 and len(transitions) < 1500
    rec.prepare(expect)
    assert "age" in rec.compile_ms


FIRST_ANSWERS = [("ces_screen", "no i don't", "no"), ("ces_screen", "yeah it does", "yes"),
                 ("ces_screen", "not sure", "unsure"), ("ces_screen", "stop", "stop"),
                 ("age", "sixty seven", 67),
                 ("ces_screen", "i need help now", "help_now"), ("pain_score", "about five", 5),
                 ("ces_screen", "go back", "back")]


@pytest.mark.slow
def test_the_first_answer_a_recognizer_hears_is_judged_like_later_ones(setup):
    # A new recognizer's cepstral mean is the model's default, not the channel's: without settling
    # it on the answer, 11 of these answers by four voices (32) were confidently understood, against
    # 19 by a recognizer that had heard answers before. The first answer of a session is a red-flag
    # screen. Three voices (24 answers; a new recognizer for each costs a model load): measured 18
    # first and 17 warm on 2026-12-07.
    grammar, content, _ = setup
    warm = PocketSphinxRecognizer()
    first_right = warm_right = 0
    for voice in ta.VOICES[:3]:
        for qid, text, want in FIRST_ANSWERS:
            q = content.questions[qid]
            pcm = ta.mix_snr(ta.speak(text, voice), None, None, 0.3, 0.3)
            first = PocketSphinxRecognizer().decode(pcm, grammar.expectation(q))
            later = warm.decode(pcm, grammar.expectation(q))
            first_right += understood_as(grammar, q, first.text) == want and first.confidence >= CONFIDENT
            warm_right += understood_as(grammar, q, later.text) == want and later.confidence >= CONFIDENT
    assert warm_right >= 12, warm_right
    assert first_right >= warm_right - 2, (first_right, warm_right)


def test_out_of_grammar_speech_and_noise_are_not_confident_answers(setup):
    grammar, content, rec = setup
    confident = 0
    n = 0
    for voice in VOICES:
        for qid, text in OUT_OF_GRAMMAR:
            hyp = rec.decode(ta.mix_snr(ta.speak(text, voice), None, None, 0.3, 0.3),
                             grammar.expectation(content.questions[qid]))
            n += 1
            confident += bool(hyp.text) and hyp.confidence >= CONFIRM_BELOW
    assert confident / n <= 0.2, (confident, n)
    rng = np.random.default_rng(3)
    yes_no = grammar.expectation(content.questions["ces_screen"])
    for pcm in (ta.babble(1.5, seed=9), (rng.normal(0, 3000, 24000)).astype(np.int16), ta.silence(1.0)):
        hyp = rec.decode(pcm, yes_no)
        assert not (hyp.text and hyp.confidence >= CONFIDENT), hyp


def test_empty_audio_is_no_match_and_the_decoder_carries_on(setup):
    grammar, content, rec = setup
    yes_no = grammar.expectation(content.questions["ces_screen"])
    assert rec.decode(np.zeros(0, dtype=np.int16), yes_no).text == ""
    hyp = rec.decode(ta.mix_snr(ta.speak("yes"), None, None, 0.3, 0.3), yes_no)
    assert understood_as(grammar, content.questions["ces_screen"], hyp.text) == "yes"


def test_open_vocabulary_is_the_naive_peer(setup):
    _, _, rec = setup
    hyp = rec.decode(ta.mix_snr(ta.speak("i don't know"), None, None, 0.3, 0.3), None)
    assert isinstance(hyp.text, str) and 0.0 <= hyp.confidence <= 1.0
    assert "know" in hyp.text or "don't" in hyp.text


def test_closest_phrase_maps_recombined_text():
    phrases = ("yes i do", "no i don't", "not sure")
    assert closest_phrase("yes i do", phrases) == ("yes i do", 100.0)
    phrase, score = closest_phrase("no i do", phrases)
    assert phrase in ("no i don't", "yes i do") and 0 < score < 100


def test_a_guarded_sentence_that_fits_too_makes_a_confident_answer_unsure():
    # "yes i do do" is guarded (as a red-flag question's yes sentences are) and fits the audio of
    # "yes i do" almost as well: the confident "yes i do" becomes one the session checks.
    from voice.ports import Expectation

    phrases = ("yes i do", "yes i do do", "no")
    checked = 0
    for voice in ta.VOICES[:4]:
        pcm = ta.mix_snr(ta.speak("yes i do", voice), None, None, 0.3, 0.3)
        plain = PocketSphinxRecognizer().decode(pcm, Expectation("q", "yes_no", phrases))
        guarded = PocketSphinxRecognizer().decode(pcm, Expectation("q", "yes_no", phrases,
                                                                   guarded=("yes i do do",)))
        assert guarded.text == plain.text == "yes i do"
        assert guarded.confidence <= plain.confidence
        checked += plain.confidence >= CONFIDENT and guarded.confidence < CONFIDENT
    assert checked >= 3, checked


def test_red_flag_questions_guard_their_yes(setup):
    grammar, content, _ = setup
    q = content.questions["ces_screen"]
    expect = grammar.expectation(q, guard="yes")
    assert expect.phrases == grammar.expectation(q).phrases
    assert expect.guarded and set(expect.guarded) < set(expect.phrases)
    assert all(understood_as(grammar, q, p) == "yes" for p in expect.guarded)
    assert "yes" in expect.guarded and "no" not in expect.guarded
