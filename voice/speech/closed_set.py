"""Closed-set scoring: Whisper's likelihood of each of the question's own answers, on the encoding
its transcript came from.

When Whisper's transcript of a turn is rejected or is nothing the question understands, the turn's
`Expectation.candidates` (grammar/closed_set.yaml: "Yes.", "Nope.", "Not sure.", "Go back.", ...)
are scored on the same encoder output: each candidate's tokens forced after the turn's start tokens
(its prompt, then the start of a transcript), then the end of the transcript. One CTranslate2
`generate` call per candidate, the candidate as the prompt's prefix and `return_logits_vocab`, gives
the decoder's distribution at every forced step; their log-probabilities summed are the
log-probability that the transcript is exactly that answer (the end token included, so "No." is not
the start of "No, it isn't."). Only the KEEP candidates likeliest by their first token (one decoder
step over the same encoding, shared with the number words' scoring) are scored whole: each costs a
decoder pass over its few tokens.

What the scores come to (a guess the person is asked to confirm, or nothing) is decided in
voice/speech/evidence.py `closed_guess`, from the figures alone.
"""

from __future__ import annotations

import math

import numpy as np

from voice.ports import Expectation

from .whisper_input import normalize

KEEP = 6
"""Candidates scored whole: the likeliest by their first token (about 40-90 ms each on 2 busy
cores, tiny.en int8)."""

_MEANINGS: dict[tuple[str, tuple[str, ...]], tuple[tuple[str, str, object], ...]] = {}


def log_softmax(logits) -> np.ndarray:
    """Log-probabilities from a step's logits."""
    values = np.asarray(logits, dtype=np.float64)
    top = values.max()
    return values - top - math.log(np.exp(values - top).sum())


def understood_candidates(expect: Expectation) -> tuple[tuple[str, str, object], ...]:
    """The turn's candidates the question understands: (as written, normalized, meaning), worked
    out once per question and list (a number out of range, a duration on another question, are left
    out)."""
    key = (expect.question, expect.candidates)
    found = _MEANINGS.get(key)
    if found is None:
        meaning = expect.meaning
        found = tuple((c, text, m) for c in expect.candidates
                      if meaning is not None and (m := meaning(text := normalize(c))) is not None)
        _MEANINGS[key] = found
    return found


class ClosedSetScorer:
    """Scores a turn's candidates on a Whisper model's encoder output (`model`: CTranslate2's
    Whisper; `tokenizer`: faster-whisper's)."""

    def __init__(self, model, tokenizer, keep: int = KEEP):
        self.model = model
        self.tokenizer = tokenizer
        self.keep = keep
        self._ids: dict[str, list[int]] = {}

    def ids(self, candidate: str) -> list[int]:
        """The candidate's tokens as a transcript starts with it (after a space)."""
        found = self._ids.get(candidate)
        if found is None:
            found = self._ids[candidate] = self.tokenizer.encode(" " + candidate.strip())
        return found

    def score(self, encoded, start: list[int], expect: Expectation,
              first: np.ndarray) -> list[tuple[str, object, float]]:
        """(normalized answer, its meaning, log-probability of the whole transcript) for the
        likeliest candidates; `first`: the log-probabilities of the transcript's first token."""
        known = understood_candidates(expect)
        ranked = sorted(known, key=lambda c: -first[self.ids(c[0])[0]])[: self.keep]
        return [(text, meaning, self.logprob(encoded, start, self.ids(written)))
                for written, text, meaning in ranked]

    def logprob(self, encoded, start: list[int], ids: list[int]) -> float:
        """Log-probability that the transcript after `start` is exactly `ids` (then its end)."""
        eot = self.tokenizer.eot
        result = self.model.generate(encoded, [start + ids], beam_size=1,
                                     max_length=len(start) + len(ids) + 1, return_logits_vocab=True,
                                     suppress_blank=False)[0]
        steps = result.logits[0]
        return float(sum(log_softmax(steps[k])[token] for k, token in enumerate([*ids, eot])))


__all__ = ["ClosedSetScorer", "KEEP", "log_softmax", "understood_candidates"]
