"""What a Whisper decode comes to, from its figures alone (voice/speech/evidence.py): the policy,
tested with chosen figures, so it holds whatever a CPU's int8 kernels make of an edge case."""

from __future__ import annotations

import pytest

from voice.ports import CONFIRM_BELOW
from voice.speech.evidence import (
    CLOSED_MIN_LOGPROB,
    CLOSED_NO_SPEECH,
    CLOSED_SHARE,
    MIN_LOGPROB,
    SURE_LOGPROB,
    SURE_NO_SPEECH,
    Decoded,
    closed_guess,
    judge,
    scorable,
    yes_no_words,
)
from voice.speech.second_opinion import AGREE_ABOVE


@pytest.fixture(scope="module")
def expects(grammar):
    from voice.triage.loader import load_content

    questions = load_content().questions
    return {qid: grammar.expectation(questions[qid], guard="yes" if qid == "ces_screen" else None)
            for qid in ("ces_screen", "pain_score", "age")}


CLEAR = dict(avg_logprob=-0.1, no_speech_prob=0.02)


def likeliest_is(word):
    """A recognizer's likeliest first word, as chosen here (None: none likely enough)."""
    seen = []

    def likeliest(words):
        seen.append(words)
        return word if word is None or word in words else None

    likeliest.seen = seen
    return likeliest


def test_a_clear_answer_is_taken_as_heard(expects):
    hyp, instead = judge(Decoded("seven", **CLEAR), expects["pain_score"])
    assert (hyp.text, instead) == ("seven", None) and hyp.confidence >= CONFIRM_BELOW


@pytest.mark.parametrize("word, likeliest, want", [
    ("file", "five", "five"), ("fix", "six", "six"), ("kitchen", None, "kitchen")],
    ids=["file-five", "fix-six", "no-number-likely"])
def test_one_word_that_is_no_number_becomes_the_likeliest_number_to_be_checked(expects, word, likeliest,
                                                                                want):
    """Whisper wrote a real person's "five" as "file": on a number question the number word it finds
    likeliest first takes its place, always checked ("I heard five. Is that right?"), however clearly
    the word itself was heard. With no number word likely enough the word stays (not understood)."""
    pick = likeliest_is(likeliest)
    hyp, instead = judge(Decoded(word, **CLEAR), expects["pain_score"], pick)
    assert hyp.text == want
    assert pick.seen == [expects["pain_score"].single_words]
    if likeliest is not None:
        assert instead == word and hyp.confidence < CONFIRM_BELOW
    else:
        assert instead is None


@pytest.mark.parametrize("word", ["why", "sorry", "4", "about five"])
def test_a_word_the_grammar_understands_digits_and_longer_answers_are_never_replaced(expects, word):
    pick = likeliest_is("five")
    hyp, instead = judge(Decoded(word, **CLEAR), expects["pain_score"], pick)
    assert instead is None and pick.seen == [] and hyp.text == word


def test_only_number_questions_replace_a_word(expects):
    pick = likeliest_is("five")
    hyp, instead = judge(Decoded("file", **CLEAR), expects["ces_screen"], pick)
    assert (hyp.text, instead, pick.seen) == ("file", None, [])


@pytest.mark.parametrize("qid, text", [("age", "five five"), ("pain_score", "five five five"),
                                       ("age", "seven seven")])
def test_a_number_said_twice_is_checked_not_taken(expects, qid, text):
    """Babble alone on a number question was written "five five" and taken as an age. However clear
    the decode's figures, a number word twice in a row is only ever checked."""
    hyp, _ = judge(Decoded(text, avg_logprob=-0.05, no_speech_prob=0.0), expects[qid])
    assert hyp.text == text and hyp.confidence < CONFIRM_BELOW


def test_a_word_twice_on_a_yes_no_question_is_no_number_and_may_be_taken(expects):
    hyp, _ = judge(Decoded("no no", **CLEAR), expects["ces_screen"])
    assert hyp.text == "no no" and hyp.confidence >= CONFIRM_BELOW


@pytest.mark.parametrize("logprob, no_speech", [
    (-0.593, 0.0),  # score 0.552: just over the line on its score alone
    (SURE_LOGPROB - 0.01, 0.0), (-0.3, SURE_NO_SPEECH + 0.01), (-0.02, 0.42)],
    ids=["knife-edge", "logprob-just-short", "probably-silence", "quiet"])
def test_an_answer_is_taken_unchecked_only_on_more_evidence_than_one_score(expects, logprob, no_speech):
    """Babble alone was heard as "five" at 0.552 (over the 0.55 that is checked) and taken as a pain
    score. The score alone decides nothing: a log-probability below SURE_LOGPROB or a no-speech
    probability over SURE_NO_SPEECH keeps the answer, and it is checked."""
    for qid, text in (("pain_score", "five"), ("ces_screen", "yes")):
        hyp, _ = judge(Decoded(text, avg_logprob=logprob, no_speech_prob=no_speech), expects[qid])
        assert hyp.text == text, "kept, to be checked, not thrown away"
        assert hyp.confidence < CONFIRM_BELOW, (qid, hyp)


@pytest.mark.parametrize("text, logprob", [("five", MIN_LOGPROB - 0.01), ("four four four four", -0.1),
                                           ("", 0.0)])
def test_a_failed_decode_or_a_loop_is_no_answer(expects, text, logprob):
    hyp, instead = judge(Decoded(text, avg_logprob=logprob, no_speech_prob=0.0), expects["pain_score"],
                         likeliest_is("five"))
    assert (hyp.text, hyp.confidence, instead) == ("", 0.0, None)


def test_a_transcript_close_to_one_of_the_sentences_is_that_sentence(expects):
    assert "absolutely not" in expects["ces_screen"].phrases
    hyp, _ = judge(Decoded("absolutly not", **CLEAR), expects["ces_screen"])
    assert hyp.text == "absolutely not"


@pytest.fixture(scope="module")
def check(grammar):
    from voice.triage.model import Kind, Question
    from voice.understanding.yes_no import CHECK

    return grammar.expectation(Question(CHECK, Kind.YES_NO, (), "I heard no. Is that right?", "", "", "", ""))


@pytest.mark.parametrize("share, no_speech, sure_reply", [
    (0.97, 0.2, True), (0.9, 0.2, False), (None, 0.2, False), (0.97, SURE_NO_SPEECH + 0.01, False)],
    ids=["clear", "not-clear-enough", "not-scored", "probably-babble"])
def test_a_reply_to_a_check_scored_clearly_over_the_other_reply_is_sure(check, share, no_speech, sure_reply):
    """A real "yeah" in babble to "I heard no. Is that right?" was heard at 0.40 and the warning sign
    stayed "not sure". Scored against the other reply (closed set), a clear yes is sure; babble
    alone written "yes" scored 0.86-0.91 with a no-speech probability over 0.4."""
    hyp, _ = judge(Decoded("yeah", avg_logprob=-0.9, no_speech_prob=no_speech, reply_share=share), check)
    assert hyp.text == "yeah" and (hyp.confidence >= CONFIRM_BELOW) is sure_reply


def test_a_reply_whose_other_meaning_scored_far_likelier_is_never_sure(check):
    """A spoken "yes that's right" written "yes not right" (a no, at 0.83): the two replies scored
    the yes 999 to 1."""
    hyp, _ = judge(Decoded("yes not right", avg_logprob=-0.17, no_speech_prob=0.01, reply_share=0.001), check)
    assert hyp.confidence < CONFIRM_BELOW


def test_a_failed_decode_stays_no_reply_however_the_replies_score(check):
    hyp, _ = judge(Decoded("yes", avg_logprob=MIN_LOGPROB - 0.1, no_speech_prob=0.0, reply_share=1.0), check)
    assert hyp.text == ""


@pytest.mark.parametrize("qid, text, share, no_speech, sure_answer", [
    ("ces_screen", "no", 0.97, 0.2, True), ("fever", "yeah", 0.99, 0.1, True),
    ("ces_screen", "no", 0.9, 0.2, False), ("ces_screen", "no", 0.97, SURE_NO_SPEECH + 0.01, False),
    ("ces_screen", "no", None, 0.2, False)],
    ids=["red-flag-no", "yeah", "not-clear-enough", "probably-babble", "not-scored"])
def test_a_yes_or_no_answer_scored_clearly_over_the_other_is_taken_without_a_second_ear(
        scored, qid, text, share, no_speech, sure_answer):
    """In 10 dB babble a clear "no" was heard at 0.45 and checked in most sessions. Scored against
    the other answer (closed set), a clear one is sure, confidently enough to need no second ear,
    which in babble missed half of real people's yes and no."""
    hyp, _ = judge(Decoded(text, avg_logprob=-0.9, no_speech_prob=no_speech, reply_share=share), scored[qid])
    assert hyp.text == text
    assert (hyp.confidence >= AGREE_ABOVE) is sure_answer
    assert (hyp.confidence >= CONFIRM_BELOW) is sure_answer


def test_a_yes_or_no_whose_other_meaning_scored_likelier_is_never_sure(scored):
    decoded = Decoded("no", avg_logprob=-0.1, no_speech_prob=0.01, reply_share=0.01)
    hyp, _ = judge(decoded, scored["ces_screen"])
    assert hyp.confidence < CONFIRM_BELOW


def test_a_check_reply_scored_sure_is_just_sure(check):
    """A check's reply gets no second ear; its scored confidence is the least that is sure."""
    hyp, _ = judge(Decoded("yeah", avg_logprob=-0.9, no_speech_prob=0.1, reply_share=0.99), check)
    assert CONFIRM_BELOW <= hyp.confidence < AGREE_ABOVE


@pytest.mark.parametrize("qid, text, want", [
    ("ces_screen", "no", True), ("ces_screen", "nope i haven't", True), ("fever", "yes i have", True),
    ("ces_screen", "i don't think so", False), ("ces_screen", "not sure", False), ("ces_screen", "", False),
    ("pain_score", "five", False), ("check", "that's right", True), ("check", "go back", False)])
def test_only_a_yes_or_no_that_begins_with_a_yes_or_no_word_is_scored(scored, check, qid, text, want):
    """The one-word answers scored as the first word say something of what was heard only when the
    transcript begins with one; a check's replies are that closed set (as before)."""
    expect = check if qid == "check" else scored[qid]
    assert scorable(text, expect) is want
    if expect.kind == "yes_no":
        assert {"yes", "yeah", "no", "nope"} <= set(yes_no_words(expect))


@pytest.fixture(scope="module")
def scored(grammar, questions):
    return {qid: grammar.expectation(questions[qid], guard="yes" if qid == "ces_screen" else None)
            for qid in ("ces_screen", "fever", "pain_score")}


# ------------------------------------------------------- the question's closed set, scored (closed_guess)


def test_the_closed_set_offers_the_likeliest_form_of_the_meaning_with_most_probability():
    """The forms of one meaning pool their probability: "yeah" and "yes" together beat a single "no"
    that is likelier than either of them."""
    import math

    yes, no = math.log(0.3), math.log(0.06)
    scored = [("yes", "yes", yes), ("yeah", "yes", yes - 0.1), ("no", "no", math.log(0.35)),
              ("not sure", "unsure", no)]
    assert closed_guess(scored, 0.1) is None  # "yes" has 0.57 of 1.01: not clear enough
    scored = [("yes", "yes", yes), ("yeah", "yes", math.log(0.29)), ("yep", "yes", math.log(0.2)),
              ("no", "no", math.log(0.1)), ("not sure", "unsure", math.log(0.02))]
    assert closed_guess(scored, 0.1) == "yes"


@pytest.mark.parametrize("share, no_speech, best, offered", [
    (CLOSED_SHARE + 0.02, 0.1, -1.0, True),
    (CLOSED_SHARE - 0.02, 0.1, -1.0, False),
    (0.99, CLOSED_NO_SPEECH + 0.05, -1.0, False),
    (0.99, 0.1, CLOSED_MIN_LOGPROB - 0.5, False),
], ids=["clear", "not-clear", "probably-no-speech", "none-likely"])
def test_a_closed_set_guess_needs_a_clear_margin_speech_and_some_likelihood(share, no_speech, best, offered):
    """The guess is offered only when its meaning has CLOSED_SHARE of the scored answers' probability,
    the no-speech probability is at most CLOSED_NO_SPEECH and Whisper gives the whole answer at least
    CLOSED_MIN_LOGPROB."""
    import math

    rest = best + math.log((1 - share) / share)
    scored = [("go back", "back", best), ("no", "no", rest)]
    assert (closed_guess(scored, no_speech) == "go back") is offered
    assert closed_guess([], 0.0) is None


def test_the_closed_set_is_listed_for_each_kind_but_the_kiosk_and_the_checks(grammar, questions):
    """grammar/closed_set.yaml reaches the recognizer in the turn's Expectation, with the commands
    of `all_questions`; the idle kiosk (anything heard would start a session) and the turns that
    check what was heard (a guessed yes would keep what the check is for catching) score none."""
    from voice.speech.closed_set import understood_candidates
    from voice.triage.model import Kind, Question
    from voice.understanding.yes_no import CHECK

    screen = grammar.expectation(questions["ces_screen"], guard="yes")
    assert {"Yes.", "Nope.", "Not sure.", "Go back."} <= set(screen.candidates)
    meanings = {text: m for text, _norm, m in understood_candidates(screen)}
    assert meanings["Yes."] == "yes" and meanings["Nope."] == "no" and meanings["Go back."] == "back"
    pain = {m for *_t, m in understood_candidates(grammar.expectation(questions["pain_score"]))}
    assert set(range(11)) <= pain and 40 not in pain  # out of the pain score's range: not scored
    duration = {m for *_t, m in understood_candidates(grammar.expectation(questions["duration"]))}
    assert {"less_than_week", "one_to_six_weeks", "more_than_six_weeks"} <= duration
    assert grammar.expectation(None).candidates == ()
    check = Question(CHECK, Kind.YES_NO, (), "I heard 45. Is that right?", "", "", "", "")
    assert grammar.expectation(check).candidates == ()


def test_a_malformed_closed_set_file_is_a_content_error_naming_it(tmp_path):
    import shutil

    from voice.errors import ContentError
    from voice.understanding import Grammar
    from voice.understanding.grammar import default_grammar_dir

    shutil.copytree(default_grammar_dir(), tmp_path / "grammar")
    (tmp_path / "grammar" / "closed_set.yaml").write_text("yes_no: Yes.\n")
    with pytest.raises(ContentError, match="closed_set.yaml"):
        Grammar.load(tmp_path / "grammar")
