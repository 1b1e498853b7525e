"""Whisper through faster-whisper (CTranslate2, int8 on the CPU): tiny.en by default.

Whisper writes what was said, not one of a list of sentences: the transcript (lower case, without
punctuation) goes to the session, which understands it with the same `Grammar.understand` as typed
text. When the transcript is one of the turn's sentences it is that sentence (the listener can then
end the turn early).

Per turn
    - Prompt: `initial_prompt` is the kind of question's answers from grammar/prompts.yaml
      ("Yes. No. Not sure." or the digits), keeping only those whose words the turn listens for.
    - Voice activity first: the project's endpointer cuts the turn's segment, then faster-whisper's
      Silero VAD (what `vad_filter=True` runs) keeps only its speech; with none left there is
      nothing to decode (silence and hum never reach the decoder, which would write a word).
    - Decode: the model's own CTranslate2 calls, as faster-whisper's `transcribe` makes them with
      `beam_size=1`, `without_timestamps=True`, `condition_on_previous_text=False` and one
      temperature (no fallback re-decodes: a babble clip re-decoded at rising temperatures took
      1.3 s), at most MAX_NEW_TOKENS tokens; called directly so the encoder window can be chosen
      (WINDOWS_S) and the figures kept.
    - Rejection: a transcript whose mean token log-probability is below MIN_LOGPROB, or that loops,
      is no answer at all (""); a high no-speech probability only lowers the confidence.
    - Confidence: exp(mean token log-probability) x (1 - no-speech probability), in 0..1. The session
      confirms anything below 0.55 ("I heard 42. Is that right?").
    - One word that is no answer on a number question ("file" for a real person's "five"): the
      number word Whisper finds likeliest first (one decoder step over the same encoding) takes its
      place, with a confidence that is always confirmed (see WORD_MIN_LOGPROB).

Latency: the listener calls `speculate()` when the speaker has paused for PAUSE_MS (100 ms, see
voice/speech/endpoint.py): the decode of what has been heard so far starts then, in a worker
thread (CTranslate2 and onnxruntime release the GIL, so the audio keeps flowing). At the short
hangover (300 ms) the listener asks for `partial()`, which waits for that decode; if the transcript
is one of the turn's sentences the turn ends at once. Otherwise the decode is kept and `finish()`
reuses it when no more than REUSE_MS of audio came after its snapshot (a pause that went on: speech
that resumed is followed by a whole long hangover, so more). Every decode runs on the one worker,
so two never share the model at once.

Closed-set scoring was tried twice and not kept: the decoder's likelihood of each candidate answer
given the audio (CTranslate2 `align`, the mean log-probability of its tokens). On pain scores
("Zero." to "Ten." and the free transcript; 83 real human digits, 24 synthesized answers clean and
24 at 10 dB babble) it understood 80 / 23 / 22 against 79 / 22 / 20 for the free transcript, but
took 2.8 s per answer on 2 busy cores. As a fallback on yes/no questions, scoring "Yes.", "No.",
"Not sure." and five commands in one batch over the one encoding, only when the free transcript
was rejected or had no word the question listens for: of 10 such misses of the benchmark's clean
answers it would have put 2 right ("nope it does not", "nah it isn't" as No., margins 0.6-1.2)
and 3 wrong ("nah nothing" as Yes., "help" and "slower" as No.), with or without the prompt: a
whole natural answer lines up badly with a one-word candidate.

The model is loaded once (about 0.3 s for tiny.en); `WhisperModel(DIR, device="cpu",
compute_type="int8", cpu_threads=2)`. Where its folder comes from: voice/speech/models.py.
"""

from __future__ import annotations

import logging
import math
import re
import time
from concurrent.futures import Future, ThreadPoolExecutor
from functools import lru_cache
from pathlib import Path

import numpy as np

from voice.errors import ModelError
from voice.ports import Expectation

from .recognizers import CHECKED_BELOW, FAINT, Hypothesis, _StreamMixin, closest_phrase

_LOG = logging.getLogger(__name__)

MIN_LOGPROB = -1.0
"""Mean token log-probability below which a transcript is not taken (Whisper's own default
threshold for a failed decode). Measured here: answers clean -0.03 to -0.35, in 10 dB babble
-0.2 to -0.5; babble alone heard as words -0.78 to -1.28."""
MAX_NEW_TOKENS = 32
"""An answer is a few words; a decode that runs on is babble heard as speech."""
REUSE_MS = 620
"""Audio after the pause's decode that `finish` may ignore: the long hangover (700 ms) less the
pause where the decode began (100 ms), and two frames to spare. Speech that resumed would be
followed by a whole long hangover, so more."""
SNAP_SIMILARITY = 92.0
"""A transcript this close (rapidfuzz ratio) to one of the turn's sentences is taken as that
sentence ("yes." / "yess"); further off it is passed on as written for the understanding."""
WINDOWS_S: tuple[float, ...] = ()
"""Shorter encoder windows to try, shortest first (empty: Whisper's own 30 s window). CTranslate2
takes a shorter window than the 30 s Whisper was trained on, and the encoder is most of the cost:
on a 1.2 s answer (2 busy cores, tiny.en int8) 455 ms to encode 30 s, 97 ms for 15 s, 26 ms for
5 s; greedy decoding of the answer 40-60 ms. It costs accuracy, so it is off. Measured on 96
synthesized answers (3 voices, yes/no and numbers, natural phrasings) and 85 real recordings,
understood clean / 10 dB babble / real, median decode time on a loaded machine:
30 s 42/48, 42/48, 81/85, 1203 ms; 20 s 42, 35, 81, 340 ms; 15 s 42, 31, 83, 334 ms; 15 s with
repetition penalty 1.3 41, 35, 83, 207 ms; 10 s 41, 29, 77, 110 ms (short windows make the
decoder repeat itself: "no no no no ...")."""
REPETITION_PENALTY = 1.0
RETRY_BEAM = 5
"""A transcript rejected at the turn's beam (1: greedy) is decoded again from the same encoding with
this beam (0: never). It costs only the decoder's search, on the turns that would otherwise be asked
again; decodes during a pause stay greedy (a rejected one is not reused: `finish` decodes again). Measured on the benchmark's 51 synthesized answers (clean / 10 dB / 5 dB babble):
32 / 30 / 22 understood greedy, 34 / 31 / 25 with the retry, no more yes/no flips (beam 5 on every
answer: 37 / 30 / 23, 2 flips at 5 dB, and 320 ms more per answer)."""
WORD_MIN_LOGPROB = -3.9
"""A number question's one-word answer (`Expectation.single_words`) is taken in place of one word the
transcript could not place only if Whisper gave it at least this log-probability (2%) as the first
word. Chosen on real people saying digits (Speech Commands, clean): of the one-word misses "file",
"gee", "6th" and "cool" became five, three, six and two, "who" (a four) two, and "theta" (a zero)
scored -6.7; the benchmark's real digits went from 93.3 / 79.8% to 96.9 / 84.0% (clean / 10 dB).
Checked on speakers it was not chosen on (the Free Spoken Digit Dataset, 3 speakers at 8 kHz): of
the one-word misses it put 11 right and 3 wrong clean, 3 right and 1 wrong at 10 dB, every one of
them checked with the person."""
TAIL_S = 0.5
"""Silence kept after the speech inside the window (Whisper was trained on padded windows)."""
VAD_SILENCE_MS = 300
VAD_PAD_MS = 200
"""Silero VAD settings: pauses longer than VAD_SILENCE_MS split speech; VAD_PAD_MS kept each side."""
VAD_THRESHOLDS = (0.5, 0.3)
"""Silero's speech probability thresholds, tried in turn while none finds speech: its default first,
then a lower one. A real person's loud, near-clipping "eight" (Speech Commands) was no speech at 0.5
and found at 0.35, and Whisper then wrote "eight" (confidence 0.81); hum, a beep and white noise are
no speech even at 0.15, so the segment the endpointer cut still has to sound like a voice."""
LOOP_WORDS = 4
"""A word this many times in a row is a decoding loop ("four four four four ..."), not an answer. On a
number question a word twice in a row ("five five") is only ever checked with the person: babble alone
was written so (bench.babble_alone), and "fifty five" written "five five" would be wrong too."""
PROMPT_FILE = "prompts.yaml"


def _import_whisper():
    try:
        from faster_whisper import WhisperModel
    except (ImportError, OSError) as err:
        raise ModelError(f"faster-whisper is not installed ({err})", fix="pip install faster-whisper") from None
    return WhisperModel


def normalize(text: str) -> str:
    """Lower case, apostrophes kept, other punctuation gone, single spaces."""
    text = text.lower().replace("\u2019", "'")
    text = re.sub(r"[^\w' ]+", " ", text)
    return " ".join(text.split())


@lru_cache(maxsize=4)
def prompt_lists(folder: str | None = None) -> dict[str, tuple[str, ...]]:
    """grammar/prompts.yaml: the prompt answers per kind of question."""
    from voice.shipped import shipped_folder
    from voice.yamlio import load_yaml_file

    path = Path(folder or shipped_folder("grammar")) / PROMPT_FILE
    if not path.is_file():
        return {}
    data = load_yaml_file(path)
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise ModelError("the Whisper prompts must map a kind of question to a list of answers", where=str(path),
                         fix='write it as: yes_no: ["Yes.", "No."]')
    return {str(k): tuple(str(x) for x in v) for k, v in data.items()}


def build_prompt(expect: Expectation | None, folder: str | None = None) -> str | None:
    """The `initial_prompt` for a turn: its kind's prompt answers whose words it listens for."""
    if expect is None:
        return None
    words = {w for p in expect.phrases for w in p.split()}
    items = [p for p in prompt_lists(folder).get(expect.kind, ())
             if all(w in words or w.isdigit() for w in normalize(p).split())]
    return " ".join(items) or None


def _one_malloc_arena() -> None:
    """Ask glibc for one malloc arena. By default each thread that allocates gets its own, and the
    decode worker's buffers then never reuse the main thread's free memory: peak memory over 20
    answers 349 MB with the worker, 310 MB with one arena (319 MB decoding on the main thread).
    Elsewhere than glibc, nothing happens."""
    import ctypes
    import ctypes.util

    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        libc.mallopt(-8, 1)  # M_ARENA_MAX
    except (OSError, AttributeError):
        pass


def _repeats(text: str) -> bool:
    """True when a word comes twice in a row ("five five")."""
    words = text.split()
    return any(a == b for a, b in zip(words, words[1:]))


def _looping(text: str) -> bool:
    """True when one word comes LOOP_WORDS times in a row: Whisper's decoder stuck in a loop."""
    words = text.split()
    return any(len(set(words[i:i + LOOP_WORDS])) == 1 for i in range(len(words) - LOOP_WORDS + 1))


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
                self._model = whisper_model(str(path), device="cpu", compute_type="int8", cpu_threads=cpu_threads)
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
        self._pending = (self._samples, self._worker.submit(self._pause_decode, self._audio()))

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
            samples, (hyp, rejected) = self._samples, self._run(self._audio(), self._pause_decode)
        self._early = (samples, hyp, rejected)
        # Only a transcript the session would take without checking may end the turn early.
        return hyp.text if hyp.confidence >= CHECKED_BELOW else ""

    def finish(self) -> Hypothesis:
        started = time.perf_counter()
        if self._pending is not None:
            self.partial()  # the last pause's decode, begun before the end: wait for it
        early = self._early
        if early is not None and self._samples - early[0] <= REUSE_MS * 16 and not early[2]:
            return early[1]  # decode_ms: the decode's own time, during the pause
        hyp = self._run(self._audio())
        return Hypothesis(hyp.text, hyp.confidence, (time.perf_counter() - started) * 1000, hyp.speech)

    def _run(self, audio: np.ndarray, decode=None):
        """Decode on the worker (one decode at a time on the model) and wait for it."""
        decode = decode or self._decode
        if self._worker is None:
            return decode(audio)
        return self._worker.submit(decode, audio).result()

    def _pause_decode(self, audio: np.ndarray) -> tuple[Hypothesis, bool]:
        """A decode during a pause: greedy only, so it is quick, and whether it rejected a transcript
        (then `finish` decodes again with the retry beam rather than reuse it)."""
        hyp = self._decode(audio, retry=False)
        return hyp, bool(not hyp.text and self.last.get("text") and self.retry_beam > self.beam_size)

    def _speech_only(self, audio: np.ndarray) -> np.ndarray:
        """The stretches Silero VAD (in faster-whisper's assets) takes for speech, joined; empty if none."""
        from faster_whisper.vad import VadOptions, collect_chunks, get_speech_timestamps

        stamps = []
        for threshold in VAD_THRESHOLDS:
            options = VadOptions(threshold=threshold, min_silence_duration_ms=VAD_SILENCE_MS,
                                 speech_pad_ms=VAD_PAD_MS)
            stamps = get_speech_timestamps(audio, options)
            if stamps:
                break
        if not stamps:
            return np.zeros(0, dtype=np.float32)
        chunks, _ = collect_chunks(audio, stamps)
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.float32)

    def log_mel(self, audio: np.ndarray, frames: int) -> np.ndarray:
        """Whisper's log-Mel features of a window of `frames` (10 ms each): the audio, then silence.
        They are worked out over the audio and TAIL_S of silence only, and the rest of the window is
        filled with a silent frame's value: Whisper floors its features at 8 below the loudest frame,
        so every frame of silence after the audio is the same. The same figures (to 1e-6) as over the
        whole padded window, in 0.5 ms instead of 13 ms for Whisper's 30 s window."""
        short = np.zeros(min(frames * 160, len(audio) + int(TAIL_S * 16000)), dtype=np.float32)
        short[: len(audio)] = audio
        mel = self._features(short, padding=0)
        done = min(mel.shape[1] - 1, frames)
        out = np.empty((mel.shape[0], frames), dtype=np.float32)
        out[:, :done] = mel[:, :done]
        out[:, done:] = mel[:, -2:-1]
        return out

    def _window_frames(self, samples: int) -> int:
        """The encoder's input length in 10 ms frames: the shortest of WINDOWS_S holding the audio and
        TAIL_S of silence after it (30 s, Whisper's own window, for anything longer)."""
        need = samples / 16000 + TAIL_S
        for seconds in (*self.windows_s, 30.0):
            if need <= seconds:
                return int(seconds * 100)
        return 3000

    def _decode(self, audio: np.ndarray, retry: bool = True) -> Hypothesis:
        started = time.perf_counter()
        self.last = {"text": "", "avg_logprob": None, "no_speech_prob": None}
        if self.vad and len(audio):
            audio = self._speech_only(audio)
        if not len(audio):
            return Hypothesis("", 0.0, (time.perf_counter() - started) * 1000, speech=False)
        import ctranslate2

        frames = self._window_frames(len(audio))
        features = self.log_mel(audio[: frames * 160 - int(TAIL_S * 16000)], frames)
        encoded = self._model.model.encode(ctranslate2.StorageView.from_array(features[None]), to_cpu=False)
        tok = self._tokenizer
        prompt = build_prompt(self._expect)
        start = [*([tok.sot_prev, *tok.encode(" " + prompt.strip())] if prompt else []), *tok.sot_sequence,
                 tok.no_timestamps]
        beam = self.beam_size
        text, logprob, no_speech = self._generate(encoded, start, beam)
        if retry and text and self._rejected(text, logprob) and self.retry_beam > self.beam_size:
            # Greedy decoding went astray: a wider beam over the same encoding (the encoder is most
            # of the cost) finds some answers it missed.
            _LOG.debug("Whisper heard %r (logprob %.2f): decoding again with beam %d", text, logprob,
                       self.retry_beam)
            beam = self.retry_beam
            text, logprob, no_speech = self._generate(encoded, start, beam)
        elapsed = (time.perf_counter() - started) * 1000
        if not text:
            return Hypothesis("", 0.0, elapsed)
        self.last = {"text": text, "avg_logprob": round(logprob, 3), "no_speech_prob": round(no_speech, 3),
                     "window_s": frames / 100, "beam": beam}
        if self._rejected(text, logprob):
            _LOG.debug("Whisper heard %r but rejected it (logprob %.2f, no speech %.2f)", text, logprob, no_speech)
            return Hypothesis("", 0.0, elapsed)
        confidence = max(0.0, min(1.0, math.exp(logprob) * (1.0 - no_speech)))
        if self._expect is not None and self._expect.kind == "number" and _repeats(text):
            # Babble alone, on a number question, was written "five five" or "five five five" and taken
            # as an age or a pain score (confidence 0.56-0.61) without a check.
            confidence = min(confidence, FAINT)
        if self._expect is not None and text not in self._expect.phrases:
            phrase, similarity = closest_phrase(text, self._expect.phrases)
            if phrase is not None and similarity >= SNAP_SIMILARITY:
                text = phrase
            elif self._expect.single_words and len(text.split()) == 1 and not text.isdigit() and not (
                    self._expect.understood is not None and self._expect.understood(text)):
                word = self._likeliest_word(encoded, start, self._expect.single_words)
                if word is not None:
                    # Whisper wrote a word that is no answer ("file"); the answer it found likeliest
                    # is checked with the person ("I heard five. Is that right?").
                    _LOG.debug("Whisper heard %r on a number question: %r, to be confirmed", text, word)
                    self.last["instead_of"] = text
                    text, confidence = word, min(confidence, FAINT)
        elapsed = (time.perf_counter() - started) * 1000
        return Hypothesis(text, confidence, elapsed)

    def _likeliest_word(self, encoded, start: list[int], words: tuple[str, ...]) -> str | None:
        """Of `words`, the one Whisper finds likeliest as the first word of the transcript (one
        decoder step over the same encoding), if its log-probability is at least WORD_MIN_LOGPROB."""
        result = self._model.model.generate(encoded, [start], beam_size=1, max_length=len(start) + 1,
                                            return_logits_vocab=True, suppress_blank=True,
                                            suppress_tokens=self._suppress)[0]
        logits = np.asarray(result.logits[0][0], dtype=np.float64)
        top = logits.max()
        logprobs = logits - top - math.log(np.exp(logits - top).sum())
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
            return_scores=True, return_no_speech_prob=True, suppress_blank=True,
            repetition_penalty=self.repetition_penalty, no_repeat_ngram_size=self.no_repeat_ngram,
            suppress_tokens=self._suppress)[0]
        tokens = [t for t in result.sequences_ids[0] if t < tok.eot]
        text = normalize(tok.decode(tokens))
        # As faster-whisper: the score is the sum of log-probabilities over the length.
        logprob = result.scores[0] * len(tokens) / (len(tokens) + 1)
        return text, logprob, result.no_speech_prob

    @staticmethod
    def _rejected(text: str, logprob: float) -> bool:
        """A failed decode (mean log-probability below MIN_LOGPROB) or a loop. A high no-speech
        probability does not reject on its own: Whisper's own rule calls a window silence only when
        the no-speech probability is over 0.6 and the log-probability below MIN_LOGPROB too. It
        lowers the confidence instead, so the answer is checked with the person. On real people's
        yes / no (Speech Commands) rejecting on it alone threw away a quiet "yes" and "no" (no-speech
        0.77 and 0.65, log-probability -0.74 and -0.44)."""
        return logprob < MIN_LOGPROB or _looping(text)

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


__all__ = ["WhisperRecognizer", "build_prompt", "normalize"]
