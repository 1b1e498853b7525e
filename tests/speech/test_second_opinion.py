"""When the second engine is asked and what its answer does (voice/speech/second_opinion.py): the
policy, with two tiny recognizers that hear what they are told to, so it holds on any CPU."""

from __future__ import annotations

import numpy as np
import pytest

from voice.ports import CONFIRM_BELOW
from voice.speech.recognizers import Hypothesis, _StreamMixin
from voice.speech.second_opinion import AGREE_ABOVE, SecondOpinionRecognizer
from voice.triage.model import Kind, Question
from voice.understanding.yes_no import CHECK


class Hears(_StreamMixin):
    """A recognizer that hears `text` at `confidence` in any audio, and counts the times it was asked."""

    engine = "hears"
    model = None

    def __init__(self, text: str, confidence: float, guessed: bool = False):
        self.text, self.confidence, self.asked, self.guessed = text, confidence, 0, guessed

    def start(self, expect):
        self.asked += 1

    def feed(self, frame):
        pass

    def finish(self):
        return Hypothesis(self.text, self.confidence, guessed=self.guessed)

    def close(self):
        pass


def hear(first, second, expect):
    rec = SecondOpinionRecognizer(first, second)
    return rec.decode(np.ones(1600, dtype=np.int16), expect), rec


@pytest.mark.parametrize("qid, first, second", [
    ("age", "fifty", "fifteen"), ("age", "five", ""), ("pain_score", "about five", "about nine"),
    ("fever", "yes", "no")], ids=["teen-ty", "babble-five", "five-nine", "yes-no"])
def test_an_answer_the_second_engine_did_not_hear_the_same_is_checked(grammar, questions, qid, first, second):
    """A clean "fifteen" written "fifty" at 0.81, or babble alone written "five" at 0.57: taken
    without a check only if the second engine heard the same answer."""
    confidence = 0.9 if grammar.expectation(questions[qid]).kind == "number" else AGREE_ABOVE - 0.05
    hyp, rec = hear(Hears(first, confidence), Hears(second, 0.9), grammar.expectation(questions[qid]))
    assert hyp.text == first and hyp.confidence < CONFIRM_BELOW and hyp.second_heard == second
    assert rec.consulted["asked"] and rec.consulted["agree"] is False


@pytest.mark.parametrize("qid, first, second, confidence", [
    ("age", "fifty", "about fifty", 0.9), ("fever", "yeah", "yes", 0.6)])
def test_an_answer_both_engines_heard_is_taken(grammar, questions, qid, first, second, confidence):
    hyp, rec = hear(Hears(first, confidence), Hears(second, 0.45), grammar.expectation(questions[qid]))
    assert (hyp.text, hyp.confidence) == (first, confidence) and rec.consulted["agree"] is True
    assert hyp.second_heard is None


def test_an_answer_unsure_on_the_first_engines_own_evidence_gets_no_second_ear(grammar, questions):
    """Only an answer the first engine was sure of carries what the second heard otherwise (the dialog
    weighs such a number's other readings; an unsure one is checked as it was)."""
    hyp, rec = hear(Hears("forty five", 0.5), Hears("fifty", 0.9), grammar.expectation(questions["age"]))
    assert hyp.confidence == 0.5 and hyp.second_heard is None and rec.consulted == {"asked": False}


def test_a_clear_answer_to_a_yes_no_question_needs_no_second_ear(grammar, questions):
    second = Hears("no", 0.9)
    hyp, rec = hear(Hears("yes", AGREE_ABOVE), second, grammar.expectation(questions["fever"]))
    assert hyp.confidence == AGREE_ABOVE and second.asked == 0 and rec.consulted == {"asked": False}


def test_a_reply_to_a_check_and_an_unsure_answer_get_no_second_ear(grammar):
    """A check's reply is heard, never second-guessed (a disagreeing ear would keep asking); an answer
    already to be checked gains nothing from one."""
    check = grammar.expectation(Question(CHECK, Kind.YES_NO, (), "I heard 8. Is that right?", "", "", "", ""))
    second = Hears("no", 0.9)
    hyp, _ = hear(Hears("yes", 0.6), second, check)
    assert hyp.confidence == 0.6 and second.asked == 0


def test_an_answer_the_first_engine_could_not_place_is_the_second_engines_guess_checked(grammar, questions):
    fever = grammar.expectation(questions["fever"])
    hyp, rec = hear(Hears("you happy cheese", 0.8), Hears("yes", 0.9), fever)
    assert hyp.text == "yes" and hyp.confidence < CONFIRM_BELOW and rec.consulted["second"] == "yes"


@pytest.mark.parametrize("second, want", [("no", "no"), ("", "yes")], ids=["second-picks", "second-has-none"])
def test_the_first_engines_closed_set_guess_stands_only_where_the_second_engine_picks_nothing(
        grammar, questions, second, want):
    """Whisper's guess from the question's closed set (`guessed`) is not what it wrote: the second
    engine is still asked, its pick comes first (it measured better: docs/speech-measurements.md), and
    the closed set's guess stands where it picks nothing; a guess either way, checked."""
    fever = grammar.expectation(questions["fever"])
    hyp, rec = hear(Hears("yes", 0.3, guessed=True), Hears(second, 0.9), fever)
    assert rec.consulted["asked"] and hyp.text == want and hyp.confidence < CONFIRM_BELOW
    assert hyp.guessed is (want == "yes")
