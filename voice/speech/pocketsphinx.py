"""PocketSphinx: the built-in recognizer (US English model inside the pocketsphinx wheel).

The allowed sentences become a word graph (voice/speech/wordgraph.py) handed to the decoder as a
finite-state grammar. Compiled searches are cached per sentence set.

Where the answer is: a grammar-only pass over the whole segment (the decoder's filler words
[SPEECH] and [NOISE] soak up other voices) places the answer's words in time. (The streamed
pass, with its running cepstral mean, placed them worse in babble.) Only that stretch, with
ANSWER_MARGIN on each side, is judged below. In a waiting room the endpointer's segment often
starts on someone else's voice; judging the whole segment let that babble reject the answer.
A young recognizer (less than SETTLED_FRAMES of audio heard) first settles its cepstral mean
on the answer's stretch, or the first answers of a session are judged with the model's default
mean. The running cepstral mean that the next turn starts from is moved on by the answer's
stretch as well as by the whole segment (measured better in babble: docs/speech-measurements.md).

Rejection: the answer's stretch is decoded again with a *garbage* alternative beside the
grammar, a loop over the 39 English phones in which every phone costs a fixed probability.
When the phone loop explains the audio better than any allowed sentence, the sentence is not
accepted. Two loop costs and one likelihood ratio give four confidence levels:
  - the grammar beats the cheap phone loop (STRONG_PHONE_COST): CONFIDENT, taken as heard, unless
    its score per frame is below CONFIDENT_LLR against the free phone decoding, or the turn
    has guarded sentences (a red-flag question's yes), the sentence is not one of
    them and one of them beats the cheap loop too: then UNSURE_CONFIDENCE, so a red-flag "yes"
    that sounds like "no" ("it is" / "it isn't") is checked rather than taken;
  - it beats only the expensive one (WEAK_PHONE_COST): UNSURE_CONFIDENCE, below the session's
    `confirm_below`, so the person is asked "did you say ...?";
  - it loses to both, but its score per frame is within FAINT_LLR of the free phone decoding
    (pocketsphinx's all-phone search): FAINT, also checked;
  - otherwise, or when the decoder never reached the end of a sentence: "" (no match).
Judging the answer's stretch and the likelihood ratio each understood more answers clean and in
babble than the two loops over the whole clip (docs/speech-measurements.md), as did wider beams
than pocketsphinx's defaults (BEAMS).
"""

from __future__ import annotations

import logging
import math
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

from voice.errors import ModelError
from voice.ports import Expectation

from .audio import FRAME_SAMPLES
from .recognizers import CONFIDENT, FAINT, GRAMMAR_CACHE, UNSURE_CONFIDENCE, Hypothesis, _StreamMixin
from .wordgraph import word_graph

_LOG = logging.getLogger(__name__)

FAINT_LLR = -16.0
"""Lowest score per frame of the grammar's sentence against the free phone decoding for FAINT:
about the tenth percentile of right answers clean, well above out-of-grammar speech."""
CONFIDENT_LLR = -19.0
"""Lowest score per frame against the free phone decoding for a sentence to stay CONFIDENT (else
UNSURE_CONFIDENCE: checked): below nearly every right answer, above some wrong ones and babble."""
ANSWER_MARGIN = 20
"""Frames (10 ms) kept on each side of the answer's words when judging it. 10 clipped soft onsets
and endings ("hello", "start" heard as "stop")."""
BEAMS = {"beam": 1e-80, "pbeam": 1e-80, "wbeam": 1e-60}
"""Decoder beams, wider than the defaults (1e-48, 1e-48, 7e-29): the grammars are small."""
STRONG_PHONE_COST = 1e-8
"""Probability per phone of the cheap garbage loop: out-of-grammar speech usually goes there."""
WEAK_PHONE_COST = 1e-12
"""Probability per phone of the expensive garbage loop: only clear non-answers go there."""
GUARD_LOOP = "strong"
"""The loop a guarded sentence must beat to make another confident answer unsure: the cheap one
made far fewer clear "no" answers unsure than the expensive one."""
FEED_BYTES = 4096
"""Largest piece of audio (2048 samples, 128 ms) handed to process_raw at once while streaming."""
SETTLE_PASSES = 3
"""Grammar passes over the answer's stretch that re-estimate the cepstral mean before an answer is
judged, while the recognizer is young (see SETTLED_FRAMES)."""
SETTLED_FRAMES = 1000
"""Frames (10 s of audio, the first four or five turns) after which the running cepstral mean is
taken as the channel's own. Before that it still leans on the model's default (40,3,-1:
pocketsphinx counts it as 500 frames of audio) and every pass judges the answer with a mean that
is not its channel's. Each settled turn costs reply latency, so settling stops after the first few
turns."""
DITHER = 30.0
"""Standard deviation (int16 units) of the noise added before decoding: digital silence makes
PocketSphinx's log-energy features degenerate (real microphones are never exactly zero)."""

PHONES = ("AA AE AH AO AW AY B CH D DH EH ER EY F G HH IH IY JH K L M N NG OW OY P R S SH T TH UH UW "
          "V W Y Z ZH").split()
_GARBAGE_PREFIX = "garbage_"


def _import_pocketsphinx():
    try:
        import pocketsphinx
    except ImportError as err:
        raise ModelError(f"PocketSphinx is not installed ({err})", fix="pip install pocketsphinx") from None
    return pocketsphinx


class PocketSphinxRecognizer(_StreamMixin):
    """PocketSphinx with the US English model inside its wheel: nothing to download."""

    engine = "pocketsphinx"

    def __init__(self, strong_cost: float = STRONG_PHONE_COST, weak_cost: float = WEAK_PHONE_COST,
                 dither: float = DITHER):
        ps = _import_pocketsphinx()
        self._ps = ps
        model_dir = Path(ps.get_model_path())
        self.model = "pocketsphinx en-us (built in)"
        self._lm_path = model_dir / "en-us" / "en-us.lm.bin"
        self._phone_lm_path = model_dir / "en-us" / "en-us-phone.lm.bin"
        self._allphone = False
        self.last_ratio: float | None = None
        """The last answer's score per frame against free phones (for measurements)."""
        try:
            # bestpath off: the lattice rescoring pass made grammar answers worse and decoding
            # slower (docs/speech-measurements.md).
            self._decoder = ps.Decoder(samprate=16000, lm=None, loglevel="FATAL", cmn="batch", bestpath=False,
                                       **BEAMS)
        except Exception as err:  # the C library raises RuntimeError/ValueError on a broken model
            raise ModelError(f"PocketSphinx could not load its model: {err}", where=str(model_dir),
                             fix="reinstall it: pip install --force-reinstall pocketsphinx") from None
        for i, phone in enumerate(PHONES):
            self._decoder.add_word(_GARBAGE_PREFIX + phone.lower(), phone, i == len(PHONES) - 1)
        self._cmn = self._decoder.get_cmn(False)
        self.strong_cost = strong_cost
        self.weak_cost = weak_cost
        self.dither = dither
        self._rng = np.random.default_rng(0)
        self._searches: OrderedDict[tuple, tuple[str, frozenset[str]]] = OrderedDict()
        self._missing_logged: set[str] = set()
        self._count = 0
        self._open = False
        self._expect: Expectation | None = None
        self._allowed: frozenset[str] = frozenset()
        self._name = ""
        self._chunks: list[np.ndarray] = []
        self._heard_frames = 0
        self.compile_ms: dict[str, float] = {}

    # ------------------------------------------------------------ grammars

    def _known(self, phrases: tuple[str, ...]) -> tuple[str, ...]:
        words = {w for p in phrases for w in p.split()}
        missing = {w for w in words if self._decoder.lookup_word(w) is None}
        new = missing - self._missing_logged
        if new:
            self._missing_logged |= new
            _LOG.warning("PocketSphinx dictionary lacks %s: sentences with them are not listened for",
                         ", ".join(sorted(new)))
        return tuple(p for p in phrases if not missing.intersection(p.split()))

    def _search(self, expect: Expectation) -> tuple[str, frozenset[str]]:
        """The compiled search names for these sentences (compiled once, then cached)."""
        key = expect.phrases
        found = self._searches.get(key)
        if found is not None:
            self._searches.move_to_end(key)
            return found
        started = time.perf_counter()
        phrases = self._known(expect.phrases)
        if not phrases:
            raise ModelError(f"none of the sentences for {expect.question!r} can be recognized",
                             where="grammar", fix="use words from the PocketSphinx English dictionary")
        self._count += 1
        name = f"g{self._count}"
        start, end, transitions = word_graph(phrases)
        self._decoder.add_fsg(name, self._decoder.create_fsg(name, start, end, transitions))
        for suffix, cost in (("strong", self.strong_cost), ("weak", self.weak_cost)):
            # A new start state chooses between the grammar and a loop of phones.
            s0, loop = end + 1, end + 2
            extra = [(s0, start, 0.5), (s0, loop, 0.5), (loop, end, 1.0)]
            extra += [(loop, loop, cost, _GARBAGE_PREFIX + p.lower()) for p in PHONES]
            fsg = self._decoder.create_fsg(f"{name}.{suffix}", s0, end, transitions + extra)
            self._decoder.add_fsg(f"{name}.{suffix}", fsg)
        found = (name, frozenset(phrases))
        self._searches[key] = found
        self.compile_ms[expect.question] = (time.perf_counter() - started) * 1000
        while len(self._searches) > GRAMMAR_CACHE:
            _, (old, _) = self._searches.popitem(last=False)
            for n in (old, f"{old}.strong", f"{old}.weak"):
                try:
                    self._decoder.remove_search(n)
                except Exception:  # noqa: BLE001 - an already removed search is fine
                    pass
        return found

    def prepare(self, expect: Expectation) -> None:
        self._search(expect)

    def _activate_open(self) -> str:
        if not self._open:
            self._decoder.add_lm_file("open", str(self._lm_path))
            self._open = True
        return "open"

    # ------------------------------------------------------------ streaming

    def _dithered(self, pcm: np.ndarray) -> bytes:
        pcm = np.asarray(pcm, dtype=np.int16)
        if self.dither <= 0:
            return pcm.tobytes()
        noise = self._rng.normal(0.0, self.dither, len(pcm))
        return np.clip(pcm.astype(np.float64) + noise, -32768, 32767).astype(np.int16).tobytes()

    def start(self, expect: Expectation | None) -> None:
        self._expect = expect
        if expect is None:
            self._name, self._allowed = self._activate_open(), frozenset()
        else:
            self._name, self._allowed = self._search(expect)
        self._decoder.activate_search(self._name)
        self._chunks = []
        self._rng = np.random.default_rng(0)  # the same audio always gets the same dither
        self._decoder.set_cmn(self._cmn)
        self._decoder.start_utt()

    def feed(self, frame: np.ndarray) -> None:
        if len(frame) == 0:  # pocketsphinx rejects an empty buffer and stays mid-utterance
            return
        data = self._dithered(frame)
        self._chunks.append(np.frombuffer(data, dtype=np.int16))
        # In small pieces: a whole turn given to process_raw at once (a second opinion's decode)
        # crashed pocketsphinx 5.1.1 in its live mean normalisation (cmn_live, SIGSEGV).
        for start in range(0, len(data), FEED_BYTES):
            self._decoder.process_raw(data[start:start + FEED_BYTES], False, False)

    def partial(self) -> str:
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None else ""

    def _run(self, name: str, pcm: bytes) -> str:
        self._decoder.activate_search(name)
        self._decoder.set_cmn(self._cmn)
        self._decoder.start_utt()
        self._decoder.process_raw(pcm, False, True)
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        return hyp.hypstr if hyp is not None else ""

    def _score(self) -> float | None:
        """The last pass's path score (log base 1.0001, as pocketsphinx counts), None without one."""
        hyp = self._decoder.hyp()
        if hyp is None or hyp.best_score <= 0:
            return None
        return math.log(hyp.best_score) / math.log(1.0001)

    def _settle_cmn(self, pcm: bytes) -> None:
        """Move the cepstral mean toward the answer's own: a grammar pass places the answer in the
        segment, then SETTLE_PASSES grammar passes over its stretch, each starting from the mean the
        one before left. Not on the whole segment, mostly the silence or babble around a short answer
        (docs/speech-measurements.md)."""
        self._run(self._name, pcm)
        stretch = self._answer_stretch(pcm)
        for _ in range(SETTLE_PASSES):
            self._run(self._name, stretch)
            self._cmn = self._decoder.get_cmn(False)

    def _answer_stretch(self, pcm: bytes) -> bytes:
        """The audio of the answer's words in the last pass, with ANSWER_MARGIN frames each side."""
        # Fillers (<sil>, [NOISE], [SPEECH]) are not the answer; no hypothesis gives no segments.
        words = [s for s in self._decoder.seg() or () if s.word and s.word[0] not in "<[("]
        if not words:
            return pcm
        first = max(0, words[0].start_frame - ANSWER_MARGIN)
        last = words[-1].end_frame + 1 + ANSWER_MARGIN
        return pcm[first * FRAME_SAMPLES * 2 : last * FRAME_SAMPLES * 2]  # int16: 2 bytes a sample

    def _guard_fits(self, heard: str, pcm: bytes) -> bool:
        """True when `heard` is not a guarded sentence but one of them also beats the cheap phone
        loop on the same audio (see Expectation.guarded)."""
        expect = self._expect
        if expect is None or not expect.guarded or heard in expect.guarded:
            return False
        name, allowed = self._search(Expectation(expect.question, expect.kind, expect.guarded))
        return self._run(f"{name}.{GUARD_LOOP}", pcm) in allowed

    def _likelihood_ratio(self, pcm: bytes, grammar: float | None = None) -> float | None:
        """The score per frame of the last grammar pass over `pcm` (or `grammar`) against free
        phones (pocketsphinx's all-phone search over the same audio)."""
        if grammar is None:
            grammar = self._score()
        if not self._allphone:
            self._decoder.add_allphone_file("allphone", str(self._phone_lm_path))
            self._allphone = True
        self._run("allphone", pcm)
        phones = self._score()
        if grammar is None or phones is None:
            return None
        self.last_ratio = (grammar - phones) / max(1, len(pcm) // 320)
        return self.last_ratio

    def finish(self) -> Hypothesis:
        started = time.perf_counter()
        self._decoder.end_utt()
        hyp = self._decoder.hyp()
        text = hyp.hypstr if hyp is not None else ""
        # The cepstral mean after the streamed pass (updated with this utterance) is the one every
        # later pass of this turn starts from: re-decoding must not drift it, or results depend on
        # how many passes ran (the answer's stretch moves it once, at the end, for the next turn).
        self._cmn = self._decoder.get_cmn(False)
        if self._expect is None:
            prob = hyp.prob if hyp is not None else 0.0
            return Hypothesis(text, max(0.0, min(1.0, prob)), (time.perf_counter() - started) * 1000)
        pcm = np.concatenate(self._chunks).tobytes() if self._chunks else b""
        if not pcm:  # no audio at all: nothing to judge
            return Hypothesis("", 0.0, (time.perf_counter() - started) * 1000)
        if self._heard_frames < SETTLED_FRAMES:
            self._settle_cmn(pcm)
        self._heard_frames += len(pcm) // 320
        # Place the answer with a grammar-only pass over the whole segment, then judge its stretch
        # with the phone loop beside the grammar (see the module docstring). The streamed pass only
        # serves the endpointer's partial results: its final word is sometimes cut short.
        self._run(self._name, pcm)
        stretch = self._answer_stretch(pcm)
        text, confidence = "", 0.0
        self.last_ratio = None
        strong = self._run(f"{self._name}.strong", stretch)
        channel = self._decoder.get_cmn(False)  # the mean moved on by the answer's own frames
        if strong in self._allowed:
            text, confidence = strong, CONFIDENT
            ratio = self._likelihood_ratio(stretch, self._score())
            if (ratio is not None and ratio < CONFIDENT_LLR) or self._guard_fits(strong, stretch):
                confidence = UNSURE_CONFIDENCE
        else:
            weak = self._run(f"{self._name}.weak", stretch)
            if weak in self._allowed:
                text, confidence = weak, UNSURE_CONFIDENCE
            else:
                faint = self._run(self._name, stretch)
                ratio = self._likelihood_ratio(stretch)
                if faint in self._allowed and ratio is not None and ratio >= FAINT_LLR:
                    text, confidence = faint, FAINT
        # The next turn starts from the mean after this answer's stretch as well as its segment:
        # the answers are what the channel is, the babble and silence around them are not.
        self._cmn = channel
        return Hypothesis(text, confidence, (time.perf_counter() - started) * 1000)

    def forget(self) -> None:
        """Drop the last utterance's audio (the channel's cepstral mean, 13 numbers, is kept)."""
        self._chunks = []

    def close(self) -> None:
        self._searches.clear()
        self._decoder = None


__all__ = ["PocketSphinxRecognizer"]
