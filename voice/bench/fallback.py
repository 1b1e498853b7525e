"""A stand-in answer path for the benchmark while voice.speech.listening is not in the tree.

Used only when `voice.speech.build_listener` cannot be imported; the report then says so. It is
the real recognizers (voice.speech.recognizers: PocketSphinx word-graph grammar with phone-loop
rejection, Vosk grammar mapped to the closest phrase) behind a simple energy endpointer in place
of the listening module's.
"""

from __future__ import annotations

import numpy as np

from voice.ports import Expectation, Utterance
from voice.speech.audio import read_wav

LABEL = ("voice.speech.recognizers behind the bench's energy endpointer "
         "(voice.speech.listening was not in the tree yet)")


def endpoint(pcm: np.ndarray, margin: float = 0.2) -> np.ndarray:
    """The loud part of a turn (10 ms frame energy above the background floor), with margins."""
    n = 160
    frames = pcm[: len(pcm) // n * n].astype(np.float64).reshape(-1, n)
    if not len(frames):
        return pcm
    db = 10 * np.log10(np.mean(frames * frames, axis=1) + 1.0)
    floor, peak = np.percentile(db, 15), np.max(db)
    loud = np.flatnonzero(db > max(floor + 6.0, peak - 20.0))
    if loud.size == 0:
        return pcm
    pad = int(margin * 100)
    return pcm[max(0, loud[0] - pad) * n : min(len(frames), loud[-1] + 1 + pad) * n]


class StandInListener:
    """listen(expect): the next WAV path from `stream`, endpointed and decoded with the grammar."""

    def __init__(self, engine: str, model: str | None, stream):
        self.engine = engine
        from voice.speech.recognizers import PocketSphinxRecognizer, VoskRecognizer

        self.recognizer = PocketSphinxRecognizer() if engine == "pocketsphinx" else VoskRecognizer(model)
        self._stream = stream
        self.last_segment: np.ndarray | None = None

    def listen(self, expect: Expectation, on_speech=None) -> Utterance:
        path = self._stream.readline().strip()
        segment = endpoint(read_wav(path))
        self.last_segment = segment
        hyp = self.recognizer.decode(segment, expect)
        self.last_decode_ms = hyp.decode_ms
        return Utterance(hyp.text or None, hyp.confidence)

    def close(self) -> None:
        self.recognizer.close()
