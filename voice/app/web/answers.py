"""Answers from two sources, whichever comes first: the kiosk's listener (speech or typed lines)
and taps on the page.

`MergedListener` is itself a Listener: the session (and the idle kiosk) asks it for the next
utterance exactly as it asks a microphone, and does not know where the answer came from. A tap
arrives as the words it stands for ("yes", "8", "go back"), with no confidence, like a typed line,
so it goes through the same understanding, the same checks and the same events.

The inner listener runs in a pump thread, one `listen` at a time. When a tap answers a turn first,
that listen goes on; what it hears later answers the turn that is open then, except silence (the
person was tapping, not gone) and speech that ended before that turn began (see `_stale`).
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections.abc import Callable

from ...errors import EndOfInput
from ...ports import Expectation, Listener, Utterance

_LOG = logging.getLogger(__name__)
_TAP = "tap"
_VOICE = "voice"
_FAILED = "failed"


class MergedListener:
    """The kiosk's listener and the page's taps as one Listener."""

    def __init__(self, listener: Listener):
        self.listener = listener
        self.engine = getattr(listener, "engine", "text")
        self.model = getattr(listener, "model", None)
        self.notice = getattr(listener, "notice", None)
        self._items: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        self._turn = 0
        self._pumping = False
        self._ended = False

    # ------------------------------------------------------------ the page's side

    def tap(self, words: str) -> None:
        """An answer tapped on the page, as the words it stands for."""
        self._items.put((_TAP, Utterance(words), None))

    # ------------------------------------------------------------ the Listener port

    def listen(self, expect: Expectation, on_speech: Callable[[], None] | None = None) -> Utterance:
        began = time.monotonic()
        with self._lock:
            self._turn += 1
            turn = self._turn
            if self._ended:
                raise EndOfInput()
        self._keep_listening(expect, on_speech, turn)
        while True:
            source, utt, started = self._items.get()
            _LOG.debug("turn %d: %s from turn %s", turn, source, started)
            if source != _TAP:
                with self._lock:
                    self._pumping = False  # its result taken: the next listen may start
            if source == _FAILED:
                raise utt
            if source == _VOICE and started != turn and self._stale(utt, began):
                self._keep_listening(expect, on_speech, turn)
                continue
            return utt

    @staticmethod
    def _stale(utt: Utterance, began: float) -> bool:
        """A result of a listen begun on a turn that a tap answered, which the open turn must not take:
        silence, or speech that ended before this turn began (said while the kiosk spoke, maybe its
        own voice, or to an earlier question, maybe by the person before). Typed lines have no end
        time and are taken as typed."""
        return utt.text is None or (utt.speech_end is not None and utt.speech_end < began)

    def _keep_listening(self, expect: Expectation, on_speech: Callable[[], None] | None, turn: int) -> None:
        """Start a listen of the inner listener, unless one is still going."""
        with self._lock:
            if self._pumping:
                return
            self._pumping = True
        threading.Thread(target=self._pump, args=(expect, on_speech, turn), name="kiosk-listen",
                         daemon=True).start()

    def _pump(self, expect: Expectation, on_speech: Callable[[], None] | None, turn: int) -> None:
        """One listen of the inner listener; its result goes into the queue. `_pumping` stays set
        until `listen` takes that result, so two listens never run at once."""
        try:
            utt = self.listener.listen(expect, on_speech)
        except EndOfInput as err:
            with self._lock:
                self._ended = True
            self._items.put((_FAILED, err, turn))
            return
        except Exception as err:  # a device error reaches the session as it would without the page
            self._items.put((_FAILED, err, turn))
            return
        self._items.put((_VOICE, utt, turn))

    def forget(self) -> None:
        """At reset: taps not yet taken are dropped, then the listener forgets as it does."""
        while True:
            try:
                source, utt, _ = self._items.get_nowait()
            except queue.Empty:
                break
            if source == _FAILED:  # the end of the input must not be lost
                self._items.put((source, utt, _))
                break
            if source == _VOICE:  # what the last person said after they were done: dropped
                with self._lock:
                    self._pumping = False
        forget = getattr(self.listener, "forget", None)
        if callable(forget):
            forget()

    def close(self) -> None:
        self.listener.close()
