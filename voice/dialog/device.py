"""Audio device retry: a lost microphone or speaker is waited for, and every answer is kept.

`Backoff` is how long to wait between tries at a lost device: the session's `DeviceGuard` tries
again every second for a while; the idle kiosk (voice/app/kiosk.py), which waits for people all
day and listens for Enter between tries, backs off from 2 s to 30 s.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from ..errors import AudioDeviceError
from .events import Device, Emitter
from .states import Ended

_LOG = logging.getLogger(__name__)

T = TypeVar("T")


class Backoff:
    """Seconds between tries at a lost device: `first`, doubled after each failed try up to `most`
    (`most` None: always `first`)."""

    def __init__(self, first: float, most: float | None = None):
        self.first = first
        self.most = first if most is None else most
        self.failures = 0

    def next(self) -> float:
        """The wait after one more failed try."""
        self.failures += 1
        return min(self.most, self.first * 2.0 ** (self.failures - 1))

    def reset(self) -> None:
        """The device works again: the next failure waits `first`."""
        self.failures = 0


class DeviceGuard:
    """Runs audio actions; when a device is lost, emits `device` events and retries for a while."""

    def __init__(self, events: Emitter, wait: float, poll: float = 1.0,
                 sleep: Callable[[float], None] = time.sleep):
        self.events = events
        self.wait = wait
        """Seconds to wait for the device to come back before the session ends with `error`."""
        self.poll = poll
        """Seconds between tries while the device is gone."""
        self.sleep = sleep

    def __call__(self, action: Callable[[], T]) -> T:
        """Run `action`; if the device is lost, say so, and try again until it is back or the wait
        is over (then the session ends: `Ended("error")`)."""
        try:
            return action()
        except AudioDeviceError as err:
            _LOG.warning("audio device lost: %s", err)
            Device("lost", str(err)).send(self.events)
            deadline = time.monotonic() + self.wait
            backoff = Backoff(self.poll)
            while time.monotonic() < deadline:
                self.sleep(backoff.next())
                try:
                    result = action()
                except AudioDeviceError:
                    continue
                Device("back").send(self.events)
                return result
            raise Ended("error") from None
