"""Whisper through faster-whisper (CTranslate2, int8 on the CPU): tiny.en by default.

Whisper writes what was said, not one of a list of sentences: the transcript (lower case, without
punctuation) goes to the session, which understands it with the same `Grammar.understand` as typed
text. When the transcript is one of the turn's sentences it is that sentence (the listener can then
end the turn early).

Per turn
    - Prompt: `initial_prompt` is the kind of question's answers from grammar/prompts.yaml
      ("Yes. No. Not sure." or the digits), keeping only those whose words the turn listens for.
    - Voice activity first: faster-whisper's Silero VAD (`vad_filter=True`) cuts the segment to its
      speech; with none left there is nothing to decode (silence and hum never reach the decoder).
      The project's endpointer has already cut the turn's segment before that.
    - Decode: greedy (`beam_size=1`), `without_timestamps=True`, `condition_on_previous_text=False`,
      one temperature (no fallback re-decodes: a babble clip re-decoded at rising temperatures took
      1.3 s), at most MAX_NEW_TOKENS tokens.
    - Rejection: a transcript whose mean token log-probability is below MIN_LOGPROB, or whose
      no-speech probability is above MAX_NO_SPEECH, is no answer at all ("").
    - Confidence: exp(mean token log-probability) x (1 - no-speech probability), in 0..1. The session
      confirms anything below 0.55 ("I heard 42. Is that right?").

Latency: the listener asks for `partial()` when the speaker has paused for the endpointer's short
hangover (300 ms). Whisper decodes then, during the pause; if the transcript is one of the turn's
sentences the turn ends at once, otherwise the decode is kept and reused by `finish()` when no more
than REUSE_MS of audio (the rest of the long hangover, no speech) came after it.

The model is loaded once (about 0.3 s for tiny.en); `WhisperModel(DIR, device="cpu",
compute_type="int8", cpu_threads=2)`. Where its folder comes from: voice/speech/models.py.
"""

from __future__ import annotations

import logging
import math
import re
import time
from functools import lru_cache
from pathlib import Path

import numpy as np

from voice.errors import ModelError
from voice.ports import Expectation

from .recognizers import Hypothesis, _StreamMixin, closest_phrase

_LOG = logging.getLogger(__name__)

MIN_LOGPROB = -1.0
"""Mean token log-probability below which a transcript is not taken (Whisper's own default
threshold for a failed decode). Measured here: answers clean -0.03 to -0.35, in 10 dB babble
-0.2 to -0.5; babble alone heard as words -0.78 to -1.28."""
MAX_NO_SPEECH = 0.6
"""No-speech probability above which a transcript is not taken (Whisper's own default)."""
MAX_NEW_TOKENS = 32
"""An answer is a few words; a decode that runs on is babble heard as speech."""
REUSE_MS = 400
"""Audio after the pause's decode that `finish` may ignore: the long hangover (700 ms) less the
short one (300 ms). Speech that resumed would be followed by a whole long hangover, so more."""
SNAP_SIMILARITY = 92.0
"""A transcript this close (rapidfuzz ratio) to one of the turn's sentences is taken as that
sentence ("yes." / "yess"); further off it is passed on as written for the understanding."""
LOOP_WORDS = 4
"""A word this many times in a row is a decoding loop ("four four four four ..."), not an answer."""
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
    from voice.understanding import default_grammar_dir
    from voice.yamlio import load_yaml_file

    path = Path(folder or default_grammar_dir()) / PROMPT_FILE
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


def _looping(text: str) -> bool:
    """True when one word comes LOOP_WORDS times in a row: Whisper's decoder stuck in a loop."""
    words = text.split()
    return any(len(set(words[i:i + LOOP_WORDS])) == 1 for i in range(len(words) - LOOP_WORDS + 1))


class WhisperRecognizer(_StreamMixin):
    """faster-whisper with a model folder (tiny.en), a prompt per turn, a VAD gate and rejection."""

    engine = "whisper"

    def __init__(self, model_path: str | Path, cpu_threads: int = 2, beam_size: int = 1, vad: bool = True,
                 early_decode: bool = True, model=None):
        whisper_model = _import_whisper()
        self.model = str(model_path)
        self.beam_size = beam_size
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
        self._expect: Expectation | None = None
        self._chunks: list[np.ndarray] = []
        self._samples = 0
        self._early: tuple[int, Hypothesis] | None = None
        self.last: dict = {}
        """The last decode's own figures: text, avg_logprob, no_speech_prob (for measurements)."""

    def prepare(self, expect: Expectation) -> None:
        build_prompt(expect)

    def start(self, expect: Expectation | None) -> None:
        self._expect = expect
        self._chunks = []
        self._samples = 0
        self._early = None

    def feed(self, frame: np.ndarray) -> None:
        frame = np.asarray(frame, dtype=np.int16)
        if len(frame):
            self._chunks.append(frame)
            self._samples += len(frame)

    def _audio(self) -> np.ndarray:
        if not self._chunks:
            return np.zeros(0, dtype=np.float32)
        return np.concatenate(self._chunks).astype(np.float32) / 32768.0

    def partial(self) -> str:
        """Decode what has been heard so far (the listener asks during a pause); the text."""
        if not self.early_decode:
            return ""
        hyp = self._decode(self._audio())
        self._early = (self._samples, hyp)
        return hyp.text

    def finish(self) -> Hypothesis:
        started = time.perf_counter()
        if self._early is not None and self._samples - self._early[0] <= REUSE_MS * 16:
            hyp = self._early[1]
        else:
            hyp = self._decode(self._audio())
        return Hypothesis(hyp.text, hyp.confidence, (time.perf_counter() - started) * 1000)

    def _decode(self, audio: np.ndarray) -> Hypothesis:
        started = time.perf_counter()
        self.last = {"text": "", "avg_logprob": None, "no_speech_prob": None}
        if not len(audio):
            return Hypothesis("", 0.0, 0.0)
        prompt = build_prompt(self._expect)
        segments, _info = self._model.transcribe(
            audio, language="en", task="transcribe", initial_prompt=prompt, beam_size=self.beam_size,
            best_of=1, temperature=0.0, without_timestamps=True, condition_on_previous_text=False,
            vad_filter=self.vad, max_new_tokens=MAX_NEW_TOKENS)
        segments = list(segments)
        elapsed = (time.perf_counter() - started) * 1000
        text = normalize(" ".join(s.text for s in segments))
        if not segments or not text:
            return Hypothesis("", 0.0, elapsed)
        tokens = [max(1, len(s.tokens)) for s in segments]
        logprob = sum(s.avg_logprob * n for s, n in zip(segments, tokens, strict=True)) / sum(tokens)
        no_speech = max(s.no_speech_prob for s in segments)
        self.last = {"text": text, "avg_logprob": round(logprob, 3), "no_speech_prob": round(no_speech, 3)}
        if logprob < MIN_LOGPROB or no_speech > MAX_NO_SPEECH or _looping(text):
            _LOG.debug("Whisper heard %r but rejected it (logprob %.2f, no speech %.2f)", text, logprob, no_speech)
            return Hypothesis("", 0.0, elapsed)
        confidence = math.exp(logprob) * (1.0 - no_speech)
        if self._expect is not None and text not in self._expect.phrases:
            phrase, similarity = closest_phrase(text, self._expect.phrases)
            if phrase is not None and similarity >= SNAP_SIMILARITY:
                text = phrase
        return Hypothesis(text, max(0.0, min(1.0, confidence)), elapsed)

    def close(self) -> None:
        self._model = None
        self._chunks = []


__all__ = ["WhisperRecognizer", "build_prompt", "normalize"]
