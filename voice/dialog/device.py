"""Audio device retry: a lost microphone or speaker is waited for, and every answer is kept."""

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


class DeviceGuard:
    """Runs audio actions; when a device is lost, emits `device` events and retries for a while."""

    def __init__(self, events: Emitter, wait: float, poll: float = 1.0):
        self.events = events
        self.wait = wait
        """Seconds to wait for the device to come back before the session ends with `error`."""
        self.poll = poll
        """Seconds between tries while the device is gone."""

    def __call__(self, action: Callable[[], T]) -> T:
        """Run `action`; if the device is lost, say so, and try again until it is back or the wait
        is over (then the session ends: `Ended("error")`)."""
        try:
            return action()
        except AudioDeviceError as err:
            _LOG.warning("audio device lost: %s", err)
            Device("lost", str(err)).send(self.events)
            deadline = time.monotonic() + self.wait
            while time.monotonic() < deadline:
                time.sleep(self.poll)
                try:
                    result = action()
                except AudioDeviceError:
                    continue
                Device("back").send(self.events)
                return result
            raise Ended("error") from None
