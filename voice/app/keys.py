"""Enter on the terminal wakes the kiosk (voice mode with a microphone and a keyboard)."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import TextIO

_LOG = logging.getLogger(__name__)


class KeyWatcher:
    """Enter on the terminal starts a person (voice mode with a microphone and a keyboard).

    Reads stdin in a daemon thread; `on_press` (the listener's `interrupt`, when it has one) lets
    an idle listen return at once instead of at its no-input timeout.
    """

    def __init__(self, stream: TextIO, on_press: Callable[[], None] | None = None):
        self.stream = stream
        self.on_press = on_press
        self.eof = False
        self._pressed = threading.Event()
        self._thread = threading.Thread(target=self._read, name="kiosk-keys", daemon=True)
        self._thread.start()

    def _read(self) -> None:
        while True:
            try:
                line = self.stream.readline()
            except (OSError, ValueError):
                line = ""
            if not line:
                self.eof = True
            self._pressed.set()
            if self.on_press is not None:
                try:
                    self.on_press()
                except Exception as err:  # an interrupt that fails only delays the start
                    _LOG.debug("interrupting the listener: %s", err)
            if self.eof:
                return

    def take(self) -> bool:
        """True (once) when Enter was pressed since the last call or `clear`."""
        pressed = self._pressed.is_set()
        self._pressed.clear()
        return pressed and not self.eof

    def clear(self) -> None:
        self._pressed.clear()

