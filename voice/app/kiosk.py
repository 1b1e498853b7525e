"""Kiosk mode: one person after another in one process, each forgotten before the next.

The loop is idle -> (wake phrase, or Enter) -> one person's Session -> advice -> reset -> idle.
Events (docs/kiosk.md): one `start` when the kiosk starts, then per person `idle`, the dialog's
`say`/`ask`/`heard`/.../`outcome`, `alert` after an emergency when a staff alert is set up,
`reset` (with the person's end `reason`), and one `end` when stdin ends. The Session's own
`start` and `end` are not passed on: `end` means the kiosk has stopped.

Here: the loop, waiting for a person, and forgetting them. One person's session and its view of
the ports are in `person.py`, the Enter key in `keys.py`, the staff alert in `alert.py`, and the
kiosk's settings and defaults in `settings.py`.
"""

from __future__ import annotations

import dataclasses
import logging
import signal
import sys
import threading
import time
from collections.abc import Callable
from typing import TextIO

from .. import __version__
from ..dialog.device import Backoff
from ..dialog.events import (
    Alert,
    Device,
    End,
    Events,
    Heard,
    Idle,
    KioskError,
    Outcome,
    Record,
    Reset,
    Say,
    Start,
)
from ..dialog.events import Summary as SummaryRecord
from ..dialog.sentences import fill
from ..dialog.session import SessionSettings
from ..errors import AudioDeviceError, EndOfInput, TriageError
from ..ports import Listener, Speaker
from ..triage.model import Content, Region
from ..understanding import Grammar
from .alert import StaffAlert
from .config import SUMMARY_MODES, Config
from .keys import KeyWatcher
from .person import KioskSession, PersonEvents, PersonListener, PersonSpeaker
from .settings import kiosk_session_settings, kiosk_settings
from .summary import Summary, save, summarize

_LOG = logging.getLogger(__name__)

IDLE_BACKOFF = (2.0, 30.0)
"""Seconds the idle kiosk waits after a device error before listening again: 2 s, doubling up to 30 s."""


class Kiosk:
    """Serves people one after another; see the module docstring and docs/kiosk.md."""

    def __init__(self, content: Content, grammar: Grammar, listener: Listener, speaker: Speaker,
                 events: Events,
                 region: Region | None = None, settings: SessionSettings | None = None,
                 config: Config | None = None, *, screen=None, keys: KeyWatcher | None = None, page=None,
                 out: TextIO | None = None, err: TextIO | None = None,
                 clock: Callable[[], float] = time.monotonic, sleep: Callable[[float], None] = time.sleep):
        self.content = content
        self.grammar = grammar
        self.listener = listener
        self.speaker = speaker
        self.events = events
        self.region = region or content.regions[content.default_region]
        self.config = config or Config()
        self.settings = kiosk_session_settings(settings, self.config)
        """Each person's dialog settings."""
        self.options = kiosk_settings(self.config)
        """The kiosk's own settings: invitations, the staff alert, the summary, the advice hold."""
        self.screen = screen
        self.page = page
        """The page in a browser (web.view.PageView), when the kiosk serves one."""
        self.keys = keys
        if keys is not None and keys.on_press is None:
            keys.on_press = getattr(listener, "interrupt", None)
        self.out = out if out is not None else sys.stdout
        self.err = err if err is not None else sys.stderr
        self.clock = clock
        self.sleep = sleep
        self.served = 0
        """People served so far (a count, nothing about them); walk-aways are not among them."""
        self.walked_away = 0
        """Sessions that ended because the person went quiet and did not come back."""
        self.failures = 0
        """Sessions that ended in an error."""
        self.summaries_saved = 0
        self._last_spoken = clock()
        self._interrupted = False
        self._closing = False
        self.stopped_by: int | None = None
        """The signal (SIGINT for Ctrl-C, SIGTERM) that ended the kiosk, if one did."""
        self._alert: StaffAlert | None = None
        self._device_message: str | None = None

    # ------------------------------------------------------------ small helpers

    def _fmt(self, text: str) -> str:
        return fill(text, self.region)

    def _say(self, key: str) -> None:
        """Say a dialog sentence outside a person's session (the invite, the reset, the alert)."""
        text = self._fmt(self.content.say(key))
        try:
            self.speaker.say(text)
        except AudioDeviceError as err:
            self._report(err)
        Say(text).send(self.events)
        self._last_spoken = self.clock()

    def _report(self, err: BaseException | str) -> None:
        """An error: an `error` event and a line on stderr; the kiosk carries on."""
        message = str(err) if isinstance(err, (TriageError, str)) else f"{type(err).__name__}: {err}"
        KioskError(message).send(self.events)
        try:
            self.err.write(f"voice-triage: kiosk: {message}\n")
            self.err.flush()
        except (OSError, ValueError):
            pass

    def _warn_no_alert(self) -> None:
        """No alert_command: staff must know that an emergency will not call them (screen and log)."""
        try:
            self.err.write("voice-triage: kiosk: warning: no alert_command is set, so an emergency is "
                           "advised but no staff are called\n  fix: set alert_command in the settings file "
                           "(docs/kiosk.md)\n")
            self.err.flush()
        except (OSError, ValueError):
            pass
        for display in (self.screen, self.page):
            if display is not None:
                display.staff_notice = self._fmt(self.content.say("screen_no_alert"))

    def _install_signals(self) -> dict:
        """Ctrl-C and SIGTERM end the kiosk, even when they arrive inside a person's session."""
        if threading.current_thread() is not threading.main_thread():
            return {}
        saved = {}

        def handler(signum, frame):
            self._interrupted = True
            if self.stopped_by is None:
                self.stopped_by = signum
            if not self._closing:  # an impatient second Ctrl-C must not cut the clean-up short
                raise KeyboardInterrupt()

        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                saved[sig] = signal.signal(sig, handler)
            except (ValueError, OSError):
                pass
        return saved

    # ------------------------------------------------------------ the loop

    def run(self) -> str:
        """Serve people until stdin ends; returns the `end` reason (`stopped`)."""
        saved = self._install_signals()
        try:
            Start(__version__, getattr(self.listener, "engine", "text"), "en",
                  getattr(self.listener, "model", None), self.region.id, kiosk=True).send(self.events)
            if self.options.alert_argv is None:
                self._warn_no_alert()
            first = True
            while not self._interrupted:
                how = self._idle(first)
                first = False
                if how is None:
                    break
                if not self.serve(how):
                    break
        except KeyboardInterrupt:
            pass
        self._closing = True
        try:
            for display in (self.screen, self.page):
                if display is not None and display.shows_a_person():
                    # Stopped at any moment (even while `reset` was going out): nothing about the
                    # last person stays on the terminal or the page.
                    display.clear()
            try:
                self.speaker.wait()
            except (AudioDeviceError, KeyboardInterrupt):
                pass
            End("stopped").send(self.events)
        finally:
            for sig, old in saved.items():
                signal.signal(sig, old)
        return "stopped"

    def _idle(self, first: bool) -> str | None:
        """Wait for a person: returns `wake` or `help_now`, or None when the input has ended."""
        Idle(self.served, self.walked_away, self._fmt(self.content.say("idle_invite"))).send(self.events)
        if self.keys is not None:
            self.keys.clear()
        if first:
            self._say("idle_invite")
        expect = self.grammar.expectation(None)
        backoff = Backoff(*IDLE_BACKOFF)
        while True:
            if self._interrupted or (self.keys is not None and self.keys.eof):
                return None
            if self.keys is not None and self.keys.take():
                return "wake"
            try:
                self.speaker.wait()
                utt = self.listener.listen(expect, None)
                backoff.reset()
            except EndOfInput:
                return None
            except AudioDeviceError as err:
                self._report(err)
                self.sleep(backoff.next())
                continue
            except TriageError as err:
                self._report(err)
                continue
            if self.keys is not None and self.keys.take():
                return "wake"
            if utt.text is None:
                if self.clock() - self._last_spoken >= self.options.invite_every:
                    self._say("idle_invite")
                continue
            meaning = self.grammar.understand(utt.text, None)
            Heard("wake", utt.text, None, meaning.command if meaning else None, utt.confidence,
                  wake=bool(meaning and meaning.wake)).send(self.events)
            if meaning is None:
                continue
            if meaning.wake:
                return "wake"
            if meaning.command == "help_now":
                # Unclear waiting-room chatter must not call staff: an unsure "help now" starts a
                # session instead, where the question is checked and the person can say it again.
                return "wake" if self.settings.unsure(utt) else "help_now"
            if meaning.command == "repeat":
                self._say("idle_invite")

    def serve(self, how: str = "wake") -> bool:
        """One person, from the welcome to the reset. Returns False when the kiosk should end."""
        events = PersonEvents(self.events, self._watch)
        listener = PersonListener(self.listener)
        speaker = PersonSpeaker(self.speaker)
        session = KioskSession(self.content, self.grammar, listener, speaker, events, self.region,
                               dataclasses.replace(self.settings))
        session.on_emergency = self._emergency
        self._alert = None
        self._device_message = None
        reason = "error"
        try:
            try:
                if how == "help_now":
                    session.deliver_help_now()
                    reason = "complete"
                else:
                    reason = session.run()
                    reason = events.reason or reason
            except TriageError as err:
                self._report(err)
            except KeyboardInterrupt:
                self._interrupted = True
                reason = "stopped"
            except Exception as err:  # unattended: one person's failure must not end the kiosk
                _LOG.debug("session failed", exc_info=True)
                self._report(err)
            else:
                if reason == "error":
                    self._report(self._device_message or "the session ended with an audio device error")
            if reason == "error":
                self.failures += 1
            self._finish_alert()
            summary = summarize(session, reason)
            self._summary(summary)
            del summary
            if reason == "complete" and not listener.ended and not self._interrupted:
                self._hold()
        finally:
            if reason == "timeout":
                self.walked_away += 1
            else:
                self.served += 1
            speaker.undo()
            session = events = None
            self._forget(reason)
        return not (listener.ended or self._interrupted)

    # ------------------------------------------------------------ during a person

    def _watch(self, record: Record) -> None:
        """Sees the person's events as they go out: starts the staff alert, notes device trouble."""
        match record:
            case Outcome(disposition="emergency") if self._alert is None:
                self._start_alert()
            case Device(status="lost", message=message):
                self._device_message = message or ""

    def _emergency(self) -> None:
        """An emergency was decided: call staff now; the person hears the advice meanwhile."""
        if self._alert is None:
            self._start_alert()

    def _start_alert(self) -> None:
        """Run the alert command (with none set up, only the moment is noted, so it starts once)."""
        self._alert = StaffAlert(self.options.alert_argv, self.options.alert_timeout, self.clock)

    def _finish_alert(self) -> None:
        """After an emergency: wait for the alert command, report it, and tell the person."""
        alert, self._alert = self._alert, None
        if alert is None or self.options.alert_argv is None:
            return
        error = alert.wait()
        key = "kiosk_alert" if error is None else "kiosk_alert_failed"
        text = self._fmt(self.content.say(key))
        if error is None:
            Alert("sent", text).send(self.events)
        else:
            message = f"the staff alert failed: {error}"
            Alert("failed", text, message).send(self.events)
            self._report(f"{message} (alert_command: {self.options.alert_argv[0]})")
        self._say(key)

    def _summary(self, summary: Summary) -> None:
        """Show, print or save the clinician summary as the config says (default: screen only)."""
        mode = self.options.summary_mode
        if mode == "off" or summary.empty:
            return
        for display in (self.screen, self.page):
            if display is not None:
                display.show_summary(summary.lines())
        if mode == "print":
            if self.events.stream is not None:
                SummaryRecord(**summary.record()).send(self.events)
            else:
                self.out.write(summary.text())
                self.out.flush()
        elif mode not in SUMMARY_MODES:
            try:
                path = save(summary, mode, self.served + self.walked_away + 1)
                self.summaries_saved += 1
                _LOG.info("clinician summary saved: %s", path)
            except OSError as err:
                self._report(f"cannot save the clinician summary in {mode}: {err.strerror or err}")

    def _hold(self) -> None:
        """Leave the advice on a terminal screen or the page for a while after it has been spoken
        (Enter, or "I have finished" on the page, ends it sooner)."""
        hold = self.options.advice_hold
        terminal = self.screen is not None and getattr(self.screen, "terminal", False)
        if not (terminal or self.page is not None) or hold <= 0:
            return
        deadline = self.clock() + hold
        if self.page is not None:
            self.page.holding(hold)  # said on the page, with "More time" to keep it longer
        while self.clock() < deadline and not self._interrupted:
            if self.keys is not None and (self.keys.take() or self.keys.eof):
                return
            if self.page is not None and self.page.take_done():
                return
            if self.page is not None and self.page.take_more():
                deadline = self.clock() + hold
            self.sleep(min(0.2, max(0.0, deadline - self.clock())))

    # ------------------------------------------------------------ forgetting

    def _forget(self, reason: str) -> None:
        """Drop everything about the person: `reset` (the screen clears), say so, then empty the ports.

        The ports are emptied last so that not even the (impersonal) reset sentence stays cached.
        """
        self._alert = None
        self._device_message = None
        Reset(reason).send(self.events)
        self._say("kiosk_reset")
        for port in (self.speaker, self.listener):
            forget = getattr(port, "forget", None)
            if callable(forget):
                try:
                    forget()
                except Exception as err:  # forgetting must not stop the kiosk; say so loudly
                    self._report(f"could not clear {type(port).__name__}: {err}")
