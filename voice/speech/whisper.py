"""Whisper through faster-whisper (CTranslate2, int8 on the CPU): tiny.en by default.

Whisper writes what was said, not one of a list of sentences: the transcript (lower case, without
punctuation) goes to the session, which understands it with the same `Grammar.understand` as typed
text. When the transcript is one of the turn's sentences it is that sentence (the listener can then
end the turn early).

Per turn
    - Prompt, voice gate and encoder window: voice/speech/whisper_input.py.
    - Decode: the model's own CTranslate2 calls, as faster-whisper's `transcribe` makes them with
      `beam_size=1`, `without_timestamps=True`, `condition_on_previous_text=False` and one
      temperature (no fallback re-decodes at rising temperatures: too slow for a reply), at most
      MAX_NEW_TOKENS tokens; called directly so the encoder window can be chosen and the figures kept.
    - What the decode comes to (rejection, confidence, whether it may be taken without a check, a
      number question's one word that is no answer): voice/speech/evidence.py, from the decode's
      figures only. The number word that replaces such a word is the one Whisper finds likeliest
      first (one decoder step over the same encoding, see WORD_MIN_LOGPROB).

Latency: the listener calls `speculate()` when the speaker has paused for PAUSE_MS (see
voice/speech/endpoint.py): the decode of what has been heard so far starts then, in a worker
thread (CTranslate2 and onnxruntime release the GIL, so the audio keeps flowing). At the short
hangover the listener asks for `partial()`, which waits for that decode; if the transcript is one
of the turn's sentences, heard confidently, the turn ends at once. Otherwise the decode is kept and
`finish()` reuses it when no more than REUSE_MS of audio came after its snapshot. Every decode runs
on the one worker, so two never share the model at once.

The same audio gives the same words (tests/speech/test_determinism.py): decoding is greedy, or the
retry beam, never sampled (faster-whisper's temperature fallback is not used); a decode is a function
of the audio and the turn's Expectation handed to the worker, never of state read while it runs; which
decode `finish` reuses is decided by sample counts, so neither thread timing nor real-time pacing
changes it; MKL_CBWR pins Intel MKL's code path (see `_import_whisper`).

Closed-set scoring: on a yes/no turn the one-word yes and no replies are scored as the transcript's
first word, one decoder step over the same encoding (`_reply_share`; used in voice/speech/evidence.py).
A transcript the question does not place (rejected, or words it does not understand) has the
question's own answers scored whole on the same encoding (voice/speech/closed_set.py); the likeliest,
when clear, is a guess the person confirms (`_closed_guess`). Only on those turns: over every answer,
with CTranslate2 `align`, it was too slow (docs/speech-measurements.md).

The model is loaded once; `WhisperModel(DIR, device="cpu", compute_type="int8", cpu_threads=2)`.
Where its folder comes from: voice/speech/whisper_models.py.
"""

from __future__ import annotations

import logging
import math
import os
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np

from voice.errors import ModelError
from voice.ports import CONFIRM_BELOW, Expectation

from .audio import FRAME_MS, FRAME_SAMPLES, FRAMES_PER_SECOND, RATE
from .closed_set import ClosedSetScorer, log_softmax
from .endpoint import HANGOVER_MS, PAUSE_MS
from .evidence import Decoded, closed_guess, judge, rejected, scorable, yes_no_words
from .recognizers import FAINT, Hypothesis, _StreamMixin
from .whisper_input import TAIL_S, WINDOWS_S, build_prompt, log_mel, normalize, speech_only, window_frames

_LOG = logging.getLogger(__name__)

MAX_NEW_TOKENS = 32
"""An answer is a few words; a decode that runs on is babble heard as speech."""
REUSE_MS = HANGOVER_MS - PAUSE_MS + 2 * FRAME_MS
"""Audio after the pause's decode that `finish` may ignore (620 ms): the long hangover less the
pause where the decode began, and two frames to spare. Speech that resumed would be followed by a
whole long hangover, so more."""
REPETITION_PENALTY = 1.0
RETRY_BEAM = 5
"""A transcript rejected at the turn's beam (1: greedy) is decoded again from the same encoding with
this beam (0: never). It costs only the decoder's search, on the turns that would otherwise be asked
again, and found some answers greedy decoding missed without more yes/no flips (a wide beam on every
answer was slower and flipped some); decodes during a pause stay greedy (a rejected one
is not reused: `finish` decodes again)."""
WORD_MIN_LOGPROB = -3.9
"""A number question's one-word answer (`Expectation.single_words`) is taken in place of one word the
transcript could not place only if Whisper gave it at least this log-probability (2%) as the first
word; the guess is always checked with the person. Chosen on real people saying digits and checked
on speakers it was not chosen on (docs/speech-measurements.md)."""
def _import_whisper():
    # Intel MKL (CTranslate2's matrix library on Intel CPUs) may otherwise pick its code path by the
    # alignment of each buffer, so the same audio could give different figures from run to run.
    os.environ.setdefault("MKL_CBWR", "AUTO,STRICT")
    try:
        from faster_whisper import WhisperModel
    except (ImportError, OSError) as err:
        raise ModelError(f"faster-whisper is not installed ({err})",
                         fix="pip install faster-whisper") from None
    return WhisperModel


def _one_malloc_arena() -> None:
    """Ask glibc for one malloc arena. By default each thread that allocates gets its own, and the
    decode worker's buffers then never reuse the main thread's free memory, which raised peak memory
    (docs/speech-measurements.md). Elsewhere than glibc, nothing happens."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 1)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


class WhisperRecognizer(_StreamMixin):
    """faster-whisper with a model folder (tiny.en), a prompt per turn, a VAD gate and rejection."""

    engine = "whisper"

    def __init__(self, model_path: str | Path, cpu_threads: int = 2, beam_size: int = 1, vad: bool = True,
                 early_decode: bool = True, windows_s: tuple[float, ...] | None = None, model=None):
        whisper_model = _import_whisper()
        _one_malloc_arena()
        self.model = str(model_path)
        self.beam_size = beam_size
        self.retry_beam = RETRY_BEAM
        self.vad = vad
        self.early_decode = early_decode
        if model is not None:
            self._model = model
        else:
            path = Path(model_path)
            if not (path / "model.bin").is_file():
                raise ModelError("not a Whisper model folder (no model.bin inside)", where=str(path),
                                 fix="run `voice-triage models download whisper`")
            try:
                self._model = whisper_model(str(path), device="cpu", compute_type="int8",
                                            cpu_threads=cpu_threads)
            except Exception as err:  # CTranslate2 raises RuntimeError/ValueError on a broken model
                raise ModelError(f"faster-whisper could not load the model: {err}", where=str(path),
                                 fix="download it again: voice-triage models download whisper") from None
        from faster_whisper.tokenizer import Tokenizer

        self.windows_s = WINDOWS_S if windows_s is None else windows_s
        self.repetition_penalty = REPETITION_PENALTY
        self.no_repeat_ngram = 0
        self._features = self._model.feature_extractor
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual,
                                    task="transcribe", language="en")
        self._suppress = [-1, *self._tokenizer.non_speech_tokens]
        self._closed = ClosedSetScorer(self._model.model, self._tokenizer)
        self._word_token_cache: dict[tuple[str, ...], list[tuple[str, set[int]]]] = {}
        self._expect: Expectation | None = None
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._early: tuple[int, Hypothesis, bool] | None = None
        self._pending: tuple[int, Future] | None = None
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="whisper")
        self.last: dict = {}
        """The last decode's own figures: text, avg_logprob, no_speech_prob, beam (for measurements)."""

    def prepare(self, expect: Expectation) -> None:
        build_prompt(expect)

    def start(self, expect: Expectation | None) -> None:
        self._expect = expect
        self._chunks = []
        self._samples = 0
        self._early = None
        self._pending = None

    def feed(self, frame: np.ndarray) -> None:
        frame = np.asarray(frame, dtype=np.int16)
        if len(frame):
            self._chunks.append(frame)
            self._samples += len(frame)

    def _audio(self) -> np.ndarray:
        if not self._chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(self._chunks).astype(np.float32) / 32768.0

    def speculate(self) -> None:
        """Start decoding what has been heard so far, in the worker (the speaker has just paused)."""
        if not self.early_decode or self._worker is None:
            return
        pending = self._pending
        if pending is not None and pending[1].cancel():
            self._pending = None  # an older pause's decode that had not begun: this one replaces it
        self._pending = (self._samples, self._worker.submit(self._pause_decode, self._audio(), self._expect))

    def partial(self) -> str:
        """The transcript of what has been heard so far (the listener asks during a pause): the
        decode `speculate` started, or one made now."""
        if not self.early_decode:
            return ""
        if self._pending is not None:
            samples, future = self._pending
            self._pending = None
            hyp, rejected = future.result()
        else:
            samples, (hyp, rejected) = self._samples, self._run(self._pause_decode)
        self._early = (samples, hyp, rejected)
        # Only a transcript the session would take without checking may end the turn early.
        return hyp.text if hyp.confidence >= CONFIRM_BELOW else ""

    def finish(self) -> Hypothesis:
        started = time.perf_counter()
        if self._pending is not None:
            self.partial()  # the last pause's decode, begun before the end: wait for it
        early = self._early
        if early is not None and self._samples - early[0] <= REUSE_MS * 16 and not early[2]:
            return early[1]  # decode_ms: the decode's own time, during the pause
        hyp = self._run(self._decode)
        return replace(hyp, decode_ms=(time.perf_counter() - started) * 1000)

    def _run(self, decode):
        """Decode the turn's audio so far on the worker (one decode at a time on the model) and wait."""
        if self._worker is None:
            return decode(self._audio(), self._expect)
        return self._worker.submit(decode, self._audio(), self._expect).result()

    def _pause_decode(self, audio: np.ndarray, expect: Expectation | None) -> tuple[Hypothesis, bool]:
        """A decode during a pause: greedy only, so it is quick, and whether it rejected a transcript
        (then `finish` decodes again with the retry beam rather than reuse it)."""
        hyp = self._decode(audio, expect, retry=False)
        return hyp, bool(not hyp.text and self.last.get("text") and self.retry_beam > self.beam_size)

    def _decode(self, audio: np.ndarray, expect: Expectation | None, retry: bool = True) -> Hypothesis:
        """The hypothesis for `audio` on a turn listening for `expect`: a function of these two only
        (the worker is given both when the decode is asked for, never reads the turn's state)."""
        started = time.perf_counter()
        self.last = {"text": "", "avg_logprob": None, "no_speech_prob": None}
        segment = len(audio)
        if self.vad and len(audio):
            audio = speech_only(audio)
        self.last["speech_fraction"] = round(len(audio) / segment, 3) if segment else 0.0
        if not len(audio):
            return Hypothesis("", 0.0, (time.perf_counter() - started) * 1000, speech=False)
        encoded, start, frames = self._encoding(audio, expect)
        beam = self.beam_size
        text, logprob, no_speech = self._generate(encoded, start, beam)
        if retry and text and rejected(text, logprob) and self.retry_beam > self.beam_size:
            # Greedy decoding went astray: a wider beam over the same encoding (the encoder is most
            # of the cost) finds some answers it missed.
            _LOG.debug("Whisper heard %r (logprob %.2f): decoding again with beam %d", text, logprob,
                       self.retry_beam)
            beam = self.retry_beam
            text, logprob, no_speech = self._generate(encoded, start, beam)
        share = (self._reply_share(encoded, start, expect, text)
                 if expect is not None and scorable(text, expect) and not rejected(text, logprob) else None)
        decoded = Decoded(text, logprob, no_speech, self.last["speech_fraction"], share)
        if text:
            self.last.update({"text": text, "avg_logprob": round(logprob, 3),
                              "no_speech_prob": round(no_speech, 3), "window_s": frames / FRAMES_PER_SECOND,
                              "beam": beam, "reply_share": share})
        hyp, instead_of = judge(decoded, expect,
                                lambda words: self._likeliest_word(encoded, start, words))
        if instead_of is not None:
            _LOG.debug("Whisper heard %r on a number question: %r, to be confirmed", instead_of, hyp.text)
            self.last["instead_of"] = instead_of
        elif text and not hyp.text:
            _LOG.debug("Whisper heard %r but rejected it (logprob %.2f, no speech %.2f)", text, logprob,
                       no_speech)
        redo = not retry and text and rejected(text, logprob) and self.retry_beam > self.beam_size
        if expect is not None and expect.candidates and not redo and not _understood(hyp.text, expect):
            # Nothing the question places (`finish` decodes a rejected pause decode again first):
            # the question's own answers scored on the same encoding, the likeliest a guess to check.
            guess = self._closed_guess(encoded, start, expect, no_speech)
            if guess is not None:
                hyp = Hypothesis(guess, FAINT, guessed=True)
        return replace(hyp, decode_ms=(time.perf_counter() - started) * 1000)

    def _encoding(self, audio: np.ndarray, expect: Expectation | None) -> tuple[object, list[int], int]:
        """The encoder output of the speech `audio` in its window, the decode's start tokens (the
        turn's prompt, then the start of a transcript) and the window's frames."""
        import ctranslate2

        frames = window_frames(len(audio), self.windows_s)
        features = log_mel(self._features, audio[: frames * FRAME_SAMPLES - int(TAIL_S * RATE)], frames)
        encoded = self._model.model.encode(ctranslate2.StorageView.from_array(features[None]), to_cpu=False)
        tok = self._tokenizer
        prompt = build_prompt(expect)
        start = [*([tok.sot_prev, *tok.encode(" " + prompt.strip())] if prompt else []), *tok.sot_sequence,
                 tok.no_timestamps]
        return encoded, start, frames

    def closed_set(self, pcm: np.ndarray, expect: Expectation) -> tuple[str | None, list[tuple[str, float]]]:
        """The closed set's guess for `pcm` (16 kHz int16) on `expect` and its scores (answer,
        log-probability), whatever Whisper's own transcript is: a turn scores its closed set only
        when that transcript is not understood; this is for measurements and tests."""
        audio = np.asarray(pcm, dtype=np.float32) / 32768.0
        audio = speech_only(audio) if self.vad and len(audio) else audio
        if not len(audio):
            return None, []
        encoded, start, _frames = self._encoding(audio, expect)
        no_speech = self._generate(encoded, start, self.beam_size)[2]
        guess = self._closed_guess(encoded, start, expect, no_speech)
        return guess, self.last["closed_set"]["scored"]

    def _closed_guess(self, encoded, start: list[int], expect: Expectation, no_speech: float) -> str | None:
        """The closed set's guess (voice/speech/closed_set.py, evidence.closed_guess), its figures kept."""
        began = time.perf_counter()
        scored = self._closed.score(encoded, start, expect, self._first_logprobs(encoded, start))
        guess = closed_guess(scored, no_speech)
        self.last["closed_set"] = {"scored": [(t, round(lp, 2)) for t, _m, lp in scored], "guess": guess,
                                   "ms": round((time.perf_counter() - began) * 1000, 1),
                                   "no_speech_prob": round(no_speech, 3)}
        _LOG.debug("Whisper's closed set on %s: %s", expect.question, self.last["closed_set"])
        return guess

    def _first_logprobs(self, encoded, start: list[int]) -> np.ndarray:
        """Whisper's log-probability of each token as the transcript's first (one decoder step)."""
        result = self._model.model.generate(encoded, [start], beam_size=1, max_length=len(start) + 1,
                                            return_logits_vocab=True, suppress_blank=True,
                                            suppress_tokens=self._suppress)[0]
        return log_softmax(result.logits[0][0])

    def _reply_share(self, encoded, start: list[int], expect: Expectation, text: str) -> float | None:
        """On a yes/no turn whose transcript `scorable` allows, the share of the answer's own meaning
        (yes or no) in the probability Whisper gives the one-word yes and no answers as its first
        word: closed-set scoring of the two answers, at the cost of one decoder step."""
        mine = expect.meaning(text)
        words = yes_no_words(expect)
        logprobs = self._first_logprobs(encoded, start)
        mass = {"yes": 0.0, "no": 0.0}
        for word, tokens in self._word_tokens(words):
            mass[expect.meaning(word)] += sum(math.exp(logprobs[t]) for t in tokens)
        total = mass["yes"] + mass["no"]
        return mass[mine] / total if total > 0 else None

    def _likeliest_word(self, encoded, start: list[int], words: tuple[str, ...]) -> str | None:
        """Of `words`, the one Whisper finds likeliest as the first word of the transcript (one
        decoder step over the same encoding), if its log-probability is at least WORD_MIN_LOGPROB."""
        logprobs = self._first_logprobs(encoded, start)
        best, best_lp = None, WORD_MIN_LOGPROB
        for word, tokens in self._word_tokens(words):
            lp = math.log(sum(math.exp(logprobs[t]) for t in tokens))
            if lp >= best_lp:
                best, best_lp = word, lp
        return best

    def _word_tokens(self, words: tuple[str, ...]) -> list[tuple[str, set[int]]]:
        """Each word with its tokens as the transcript would start with it, capitalized or not, where
        that is one token (the first token of "Eighteen" is "Eight"); worked out once per list."""
        found = self._word_token_cache.get(words)
        if found is None:
            tok = self._tokenizer
            found = [(word, tokens) for word in words
                     if (tokens := {ids[0] for form in (word, word.capitalize())
                                    if len(ids := tok.encode(" " + form)) == 1})]
            self._word_token_cache[words] = found
        return found

    def _generate(self, encoded, start: list[int], beam_size: int) -> tuple[str, float, float]:
        """Decode the encoded audio from the `start` tokens (the turn's prompt, then the start of
        the transcript): the transcript (normalized), its mean token log-probability and the
        no-speech probability."""
        tok = self._tokenizer
        result = self._model.model.generate(
            encoded, [start], beam_size=beam_size, max_length=len(start) + MAX_NEW_TOKENS,
            sampling_topk=1,  # greedy (or the beam): never sampled, so the same audio gives the same words
            return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            repetition_penalty=self.repetition_penalty, no_repeat_ngram_size=self.no_repeat_ngram,
            suppress_tokens=self._suppress)[0]
        tokens = [t for t in result.sequences_ids[0] if t < tok.eot]
        text = normalize(tok.decode(tokens))
        # As faster-whisper: the score is the sum of log-probabilities over the length.
        logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
        return text, logprob, result.no_speech_prob

    def forget(self) -> None:
        """Drop the last utterance's audio and decodes (a decode still running finishes first)."""
        pending = self._pending
        if pending is not None and not pending[1].cancel():
            pending[1].result()
        self.start(None)
        self.last = {}

    def close(self) -> None:
        if self._worker is not None:
            self._worker.shutdown(wait=True, cancel_futures=True)
            self._worker = None
        self._model = None
        self._chunks = []


def _understood(text: str, expect: Expectation) -> bool:
    if not text:
        return False
    return text in expect.phrases or (expect.understood is not None and expect.understood(text))


__all__ = ["WhisperRecognizer"]
