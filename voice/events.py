"""The session event stream of protocol.md: one JSON object per line, flushed per line."""

from __future__ import annotations

import json
import time
from typing import Callable, TextIO


class Events:
    """Emits protocol events with `t` in seconds since the session (or kiosk) started."""

    def __init__(self, stream: TextIO | None, clock: Callable[[], float] = time.monotonic):
        self.stream = stream
        self.clock = clock
        self.t0 = clock()
        self.listeners: list[Callable[[dict], None]] = []
        """Called with every event (the screen, the kiosk alert)."""

    def emit(self, event: str, **fields: object) -> dict:
        record = {"event": event, "t": round(self.clock() - self.t0, 3), **fields}
        if self.stream is not None:
            self.stream.write(json.dumps(record, ensure_ascii=False) + "\n")
            self.stream.flush()
        for listener in self.listeners:
            listener(record)
        return record
