"""What one Whisper decode of a turn comes to: the words, and whether they may be acted on unchecked.

The decode's own figures are the evidence (`Decoded`): the transcript, its mean token
log-probability, Whisper's no-speech probability and the fraction of the turn's audio the voice gate
kept as speech. `judge` turns them into a `Hypothesis` for the turn's `Expectation`; it is pure (no
model, no audio), so the policy is tested with chosen figures and holds on any CPU.

- Rejected: a log-probability below MIN_LOGPROB, or a loop ("four four four four"): no answer ("").
- Confidence: exp(log-probability) x (1 - no-speech probability), in 0..1; the session checks
  anything below its `confirm_below` ("I heard 42. Is that right?").
- A yes or no (a reply to a check, "I heard 15. Is that right?", or the answer to a yes/no
  question that begins with a yes or no word): when the one-word yes and no answers, scored by
  Whisper as its first word, give the answer's own meaning SURE_REPLY_SHARE of their probability
  and the no-speech probability is at most SURE_NO_SPEECH, it is sure whatever its log-probability
  (at least SCORED_CONFIDENCE: the scoring is the second reading, so no second ear is needed);
  when they give the other meaning that share, it is never sure. In 10 dB babble a clear "no" was
  heard at 0.45 and checked in most sessions ("I heard no. Is that right?": bench.babble_sessions).
- Taken unchecked only on more evidence than that one score: the log-probability at least
  SURE_LOGPROB, the no-speech probability at most SURE_NO_SPEECH, and on a number question one
  number said once (babble alone was written "five five" at 0.56). Short of that the confidence is
  kept below `confirm_below` (UNSURE_CONFIDENCE), so the answer is checked, not lost.
- One word that is no answer on a number question ("file" for a real person's "five"): the number
  word Whisper finds likeliest first (`likeliest`, one decoder step over the same encoding) takes
  its place, always checked (FAINT).
- A transcript this close to one of the turn's sentences (SNAP_SIMILARITY) is that sentence.
- Nothing understood (rejected, or words the question does not place): the question's own closed
  set of answers scored on the same encoding (voice/speech/closed_set.py); the likeliest, when its
  meaning has CLOSED_SHARE of the probability of the answers scored and the no-speech probability is
  at most CLOSED_NO_SPEECH, is a guess the person is asked to confirm (`closed_guess`: FAINT).

Whether the second engine agrees is the last piece of evidence: voice/speech/second_opinion.py.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from voice.ports import CONFIRM_BELOW, Expectation

from .recognizers import FAINT, UNSURE_CONFIDENCE, Hypothesis, closest_phrase
from .second_opinion import AGREE_ABOVE

MIN_LOGPROB = -1.0
"""Mean token log-probability below which a transcript is not taken (Whisper's own default
threshold for a failed decode); answers, clean or in babble, score well above it, babble alone
heard as words below it (docs/speech-measurements.md)."""
SURE_LOGPROB = -0.45
"""Mean token log-probability an answer needs to be taken without a check. Clean answers score
-0.2 to -0.5; babble alone heard as words -0.5 to -1.3 (bench.babble_alone); between the two the
answer is kept and checked."""
SURE_NO_SPEECH = 0.4
"""Highest no-speech probability of an answer taken without a check (a quiet "yes" Whisper thinks
is probably silence is kept, and checked)."""
SURE_REPLY_SHARE = 0.95
"""A reply to "I heard ... Is that right?" is sure when its meaning (yes or no) has at least this share
of the probability Whisper gives the one-word yes and no replies as its first word (closed-set scoring
of the two replies): a real "yeah" in babble, heard at 0.40, left a warning sign "not sure"."""
SCORED_CONFIDENCE = AGREE_ABOVE
"""The confidence of a yes or no that the closed-set scoring made sure: high enough to be taken
without the second engine's agreement (voice/speech/second_opinion.py), which in babble missed half
of real people's yes and no."""
SNAP_SIMILARITY = 92.0
"""A transcript this close (rapidfuzz ratio) to one of the turn's sentences is taken as that
sentence ("yes." / "yess"); further off it is passed on as written for the understanding."""
CLOSED_SHARE = 0.8
"""Share of the scored answers' probability that the likeliest answer's meaning needs to be offered
as a guess (the answers' forms of one meaning, "no", "nope" and "nah", pooled)."""
CLOSED_NO_SPEECH = 0.3
"""Highest no-speech probability of a turn whose closed-set guess is offered."""
CLOSED_MIN_LOGPROB = -8.0
"""Lowest log-probability of the whole transcript being the likeliest answer: under it Whisper
heard none of them, whatever their shares."""
LOOP_WORDS = 4
"""A word this many times in a row is a decoding loop ("four four four four ..."), not an answer."""


@dataclass(frozen=True)
class Decoded:
    """The figures of one decode, as Whisper gave them."""

    text: str
    """The transcript, normalized (lower case, no punctuation)."""
    avg_logprob: float
    """Mean token log-probability."""
    no_speech_prob: float
    """Whisper's probability that the window holds no speech."""
    speech_fraction: float = 1.0
    """Fraction of the turn's audio the voice gate kept as speech."""
    reply_share: float | None = None
    """On a turn that checks what was heard: the share of the reply's meaning (yes or no) in the
    probability Whisper gives the one-word yes and no replies (closed-set scoring); None elsewhere."""


_YES_NO_WORDS: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}


def yes_no_words(expect: Expectation) -> tuple[str, ...]:
    """The turn's one-word yes and no answers ("yes", "yeah", "no", "nope", "correct", ...), worked
    out once per question and sentences."""
    meaning = expect.meaning
    if meaning is None:
        return ()
    key = (expect.question, expect.phrases)
    words = _YES_NO_WORDS.get(key)
    if words is None:
        words = tuple(p for p in expect.phrases if " " not in p and meaning(p) in ("yes", "no"))
        _YES_NO_WORDS[key] = words
    return words


def scorable(text: str, expect: Expectation) -> bool:
    """Whether a transcript's yes or no can be weighed by scoring the one-word yes and no answers
    as its first word: on a yes/no turn, a transcript that means yes or no and, on a question (not
    a check, whose replies are that closed set), begins with one of those words ("i don't think so"
    does not: their share would say nothing of what was heard)."""
    if expect.kind != "yes_no" or not text or expect.meaning is None:
        return False
    if expect.meaning(text) not in ("yes", "no"):
        return False
    return expect.checking or text.split()[0] in yes_no_words(expect)


def repeats(text: str) -> bool:
    """True when a word comes twice in a row ("five five")."""
    words = text.split()
    return any(a == b for a, b in zip(words, words[1:], strict=False))


def looping(text: str) -> bool:
    """True when one word comes LOOP_WORDS times in a row: Whisper's decoder stuck in a loop."""
    words = text.split()
    return any(len(set(words[i:i + LOOP_WORDS])) == 1 for i in range(len(words) - LOOP_WORDS + 1))


def rejected(text: str, logprob: float) -> bool:
    """A failed decode (mean log-probability below MIN_LOGPROB) or a loop. A high no-speech
    probability does not reject on its own (Whisper's own rule calls a window silence only when the
    log-probability is low too): it lowers the confidence, so the answer is checked."""
    return logprob < MIN_LOGPROB or looping(text)


def sure(decoded: Decoded, expect: Expectation | None) -> bool:
    """Whether the decode's figures allow taking its answer without a check (besides its score)."""
    share = decoded.reply_share
    if share is not None and share >= SURE_REPLY_SHARE and decoded.no_speech_prob <= SURE_NO_SPEECH:
        return True
    if share is not None and share < 1.0 - SURE_REPLY_SHARE:
        return False  # the other reply scored far likelier: "yes not right" for a spoken "yes, that's right"
    if decoded.avg_logprob < SURE_LOGPROB or decoded.no_speech_prob > SURE_NO_SPEECH:
        return False
    return not (expect is not None and expect.kind == "number" and repeats(decoded.text))


def judge(decoded: Decoded, expect: Expectation | None,
          likeliest: Callable[[tuple[str, ...]], str | None] | None = None) -> tuple[Hypothesis, str | None]:
    """The turn's hypothesis from a decode's figures, and the word a number word replaced (or None).

    `likeliest(words)`: of `words`, the one the recognizer finds likeliest as the transcript's
    first word, or None if none is likely enough."""
    text = decoded.text
    if not text or rejected(text, decoded.avg_logprob):
        return Hypothesis("", 0.0), None
    confidence = max(0.0, min(1.0, math.exp(decoded.avg_logprob) * (1.0 - decoded.no_speech_prob)))
    if sure(decoded, expect) and decoded.reply_share is not None:
        # The two answers scored: this one, clearly. A check's reply gets no second ear anyway.
        scored = CONFIRM_BELOW if expect is not None and expect.checking else SCORED_CONFIDENCE
        confidence = max(confidence, scored)
    if not sure(decoded, expect):
        confidence = min(confidence, UNSURE_CONFIDENCE if confidence >= CONFIRM_BELOW else confidence)
        if expect is not None and expect.kind == "number" and repeats(text):
            confidence = min(confidence, FAINT)
    if expect is None or text in expect.phrases:
        return Hypothesis(text, confidence), None
    phrase, similarity = closest_phrase(text, expect.phrases)
    if phrase is not None and similarity >= SNAP_SIMILARITY:
        return Hypothesis(phrase, confidence), None
    if (expect.single_words and likeliest is not None and len(text.split()) == 1 and not text.isdigit()
            and not (expect.understood is not None and expect.understood(text))):
        word = likeliest(expect.single_words)
        if word is not None:
            # A word that is no answer ("file"): the answer Whisper found likeliest, checked.
            return Hypothesis(word, min(confidence, FAINT)), text
    return Hypothesis(text, confidence), None


def closed_guess(scored: list[tuple[str, object, float]], no_speech_prob: float) -> str | None:
    """The answer to offer as a guess from the closed set's scores, (answer, meaning,
    log-probability of the whole transcript) each, or None: the likeliest form of the meaning with
    the most probability, if that meaning has CLOSED_SHARE of the probability of all scored, the form
    at least CLOSED_MIN_LOGPROB, and the turn's no-speech probability is at most CLOSED_NO_SPEECH."""
    if not scored or no_speech_prob > CLOSED_NO_SPEECH:
        return None
    mass: dict[object, float] = {}
    for _text, meaning, logprob in scored:
        mass[meaning] = mass.get(meaning, 0.0) + math.exp(logprob)
    meaning = max(mass, key=mass.__getitem__)  # the meaning, then its likeliest form
    text, _meaning, logprob = max((s for s in scored if s[1] == meaning), key=lambda s: s[2])
    total = sum(mass.values())
    if logprob < CLOSED_MIN_LOGPROB or total <= 0 or mass[meaning] / total < CLOSED_SHARE:
        return None
    return text


__all__ = ["Decoded", "closed_guess", "judge", "rejected", "repeats", "looping", "scorable", "sure",
           "yes_no_words"]
