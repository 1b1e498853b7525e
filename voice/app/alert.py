"""The kiosk's staff alert: a command run the moment an emergency is decided, told nothing about
the person but the disposition, and waited for (up to a timeout) once the advice has been given."""

from __future__ import annotations

import os
import signal
import subprocess
from collections.abc import Callable

ALERT_ENV = "VOICE_TRIAGE_DISPOSITION"
"""The only thing the alert command is told: the disposition (always `emergency` today)."""


class StaffAlert:
    """One run of the alert command (holds no personal data); with no command, only the moment."""

    def __init__(self, argv: list[str] | None, timeout: float, clock: Callable[[], float]):
        self.argv = argv
        self.timeout = timeout
        self.clock = clock
        self.started = clock()
        self.process: subprocess.Popen | None = None
        self.error: str | None = None
        if argv is None:
            return
        env = {**os.environ, ALERT_ENV: "emergency"}
        try:
            self.process = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                            start_new_session=True)
        except OSError as err:
            self.error = f"{argv[0]}: {err.strerror or err}"

    def wait(self) -> str | None:
        """Wait for the command until the timeout (counted from its start): None when it succeeded,
        else what went wrong. A command still running then is killed with its process group."""
        error = self.error
        if self.process is not None:
            remaining = max(0.1, self.timeout - (self.clock() - self.started))
            try:
                _, stderr = self.process.communicate(timeout=remaining)
                if self.process.returncode != 0:
                    detail = (stderr or b"").decode("utf-8", "replace").strip().splitlines()
                    error = f"exit status {self.process.returncode}" + (f": {detail[-1]}" if detail else "")
            except subprocess.TimeoutExpired:
                try:
                    os.killpg(self.process.pid, signal.SIGKILL)
                except OSError:
                    self.process.kill()
                self.process.communicate()
                error = f"no answer within {self.timeout:g} seconds"
        return error
