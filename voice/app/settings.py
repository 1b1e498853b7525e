"""Every setting resolved in one place: a command-line option over the settings file over the default.

`resolve` turns the parsed command line and the settings file (`config.Config`, where None means
"not set") into the one `Settings` the command runs with. The kiosk's own settings (patience,
invitations, the staff alert, the clinician summary) come from `kiosk_settings` and
`kiosk_session_settings`, which the kiosk calls with the settings file it is given. A setting left
None here is decided by the part that uses it: the speech rate, volume, voice, cues and no-input
timeout by `voice.speech`, the region by the content's default.
"""

from __future__ import annotations

import argparse
import dataclasses
import shlex
from collections.abc import Callable
from dataclasses import dataclass

from ..dialog.session import SessionSettings
from ..errors import ConfigError
from ..triage.model import Content, Region
from .config import Config

KIOSK_WALKAWAY_AFTER = 2
"""Silent turns before 'Are you still there?' in a kiosk, unless the settings file sets walkaway_after."""
IDLE_INVITE_EVERY = 60.0
"""Kiosk: seconds between spoken invitations while idle."""
ALERT_TIMEOUT = 10.0
"""Kiosk: seconds the alert command may run before it counts as failed."""
ADVICE_HOLD = 15.0
"""Kiosk: seconds the advice stays on a terminal screen after it is spoken."""
WEB_PORT = 8765
"""Kiosk: the page's port unless --web-port or the settings file says otherwise."""
WEB_ADDRESS = "127.0.0.1"
"""Kiosk: the page listens on this computer only unless the settings file names another address."""
SUMMARY_MODE = "screen"
"""Kiosk: where the clinician summary goes when the settings file does not say."""


def _first_set(*values):
    """The first value that is set (not None): for switches and the volume, where off and 0 count."""
    return next((value for value in values if value is not None), None)


def _first_given(*values):
    """The first value that is given: an empty text or a zero number counts as not given."""
    return next((value for value in values if value), None)


@dataclass(frozen=True)
class Settings:
    """What one run of `voice-triage` uses, after the command line, the settings file and the defaults."""

    content: str | None
    """The content folder (None: the shipped one)."""
    grammar: str | None
    """The grammar folder (None: the shipped one)."""
    region: str | None
    """The emergency numbers preset (None: the content's default)."""
    wake_phrases: tuple[str, ...]
    """Extra kiosk wake phrases (settings file only)."""
    text: bool
    """Answers are typed, one per line."""
    jsonl: bool
    """stdout carries only the JSON-lines event stream."""
    kiosk: bool
    """Serve one person after another."""
    screen: bool
    """Show the large-text screen (default: on for the kiosk when stdout is a terminal)."""
    web: bool
    """Kiosk: serve the page in a browser too."""
    web_port: int
    web_address: str
    web_secret: str | None
    engine: str
    """auto, whisper, vosk or pocketsphinx (default: auto)."""
    model: str | None
    """The Whisper or Vosk model folder."""
    audio_in: str | None
    """'-' or a text file of WAV paths, one per turn (None: a microphone)."""
    audio_out: str | None
    """A folder to write each utterance to instead of playing it."""
    fast: bool
    """Stream the WAVs of `audio_in` as fast as possible."""
    input_device: str | None
    output_device: str | None
    rate: int | None
    """Speech rate, words per minute."""
    volume: float | None
    """Speech volume 0..1."""
    voice: str | None
    """espeak-ng voice id."""
    cues: bool | None
    """Short tones for listening, not understood and emergency."""
    noinput_timeout: float | None
    """Seconds to wait for an answer to start."""
    session: SessionSettings
    """The dialog's patience and barge-in."""

    @property
    def explicit_engine(self) -> bool:
        """True when an engine or a model was asked for by name (then failing to load it is an error)."""
        return self.engine != "auto" or bool(self.model)

    def region_of(self, content: Content) -> Region:
        """The emergency numbers preset named by the settings, or the content's default."""
        region_id = self.region or content.default_region
        if region_id not in content.regions:
            raise ConfigError(f"unknown region {region_id!r}",
                              fix=f"use one of: {', '.join(sorted(content.regions))}")
        return content.regions[region_id]


def resolve(args: argparse.Namespace, config: Config,
            terminal: Callable[[], bool] = lambda: False) -> Settings:
    """The settings of one run: each command-line option over the settings file over the default.

    `terminal` tells whether stdout is a terminal; it is asked only when neither the command line
    nor the settings file turns the screen on or off.
    """
    screen = _first_set(args.screen, config.screen)
    if screen is None:
        screen = bool(args.kiosk) and terminal()
    return Settings(
        content=_first_given(args.content, config.content),
        grammar=_first_given(args.grammar, config.grammar),
        region=_first_given(args.region, config.region),
        wake_phrases=tuple(config.wake_phrases),
        text=args.text,
        jsonl=args.jsonl,
        kiosk=args.kiosk,
        screen=screen,
        web=bool(_first_set(getattr(args, "web", None), config.web)),
        web_port=_first_set(getattr(args, "web_port", None), config.web_port, WEB_PORT),
        web_address=config.web_address or WEB_ADDRESS,
        web_secret=config.web_secret,
        engine=_first_given(args.engine, config.engine) or "auto",
        model=_first_given(args.model, config.model),
        audio_in=args.audio_in,
        audio_out=args.audio_out,
        fast=args.fast,
        input_device=_first_given(args.input_device, config.input_device),
        output_device=_first_given(args.output_device, config.output_device),
        rate=_first_given(args.rate, config.rate),
        volume=_first_set(args.volume, config.volume),
        voice=_first_given(args.voice, config.voice),
        cues=_first_set(args.cues, config.cues),
        noinput_timeout=_first_given(args.noinput_timeout, config.noinput_timeout),
        session=session_settings(config, barge_in=args.barge_in),
    )


def session_settings(config: Config, barge_in: bool | None = None) -> SessionSettings:
    """The dialog's settings: barge-in from the command line over the file; patience from the file."""
    settings = SessionSettings(barge_in=bool(_first_set(barge_in, config.barge_in)))
    for name in ("max_tries", "walkaway_after"):
        value = getattr(config, name)
        if value is not None:
            setattr(settings, name, value)
    return settings


@dataclass(frozen=True)
class KioskSettings:
    """The kiosk's own settings, from the settings file over the defaults above."""

    invite_every: float
    """Seconds between spoken invitations while idle."""
    alert_timeout: float
    """Seconds the alert command may run before it counts as failed."""
    advice_hold: float
    """Seconds the advice stays on a terminal screen after it is spoken (0: not held)."""
    alert_argv: list[str] | None
    """The staff alert command split into words (None: no staff are called)."""
    summary_mode: str
    """'screen', 'print', 'off' or a folder to save clinician summaries in."""


def kiosk_settings(config: Config) -> KioskSettings:
    """The kiosk's settings from the settings file (its values checked by `load_config`)."""
    return KioskSettings(
        invite_every=config.idle_invite_every or IDLE_INVITE_EVERY,
        alert_timeout=config.alert_timeout or ALERT_TIMEOUT,
        advice_hold=ADVICE_HOLD if config.advice_hold is None else config.advice_hold,
        alert_argv=shlex.split(config.alert_command) if config.alert_command else None,
        summary_mode=config.clinician_summary or SUMMARY_MODE,
    )


def kiosk_session_settings(settings: SessionSettings | None, config: Config) -> SessionSettings:
    """A kiosk person's dialog settings: those given (already holding the file's values, as `resolve`
    makes them), with less patience for silence unless the file sets walkaway_after, and the kiosk
    welcome."""
    settings = dataclasses.replace(settings) if settings is not None else SessionSettings()
    if config.walkaway_after is None:
        settings.walkaway_after = min(settings.walkaway_after, KIOSK_WALKAWAY_AFTER)
    settings.welcome = True  # the kiosk welcome (KioskSession)
    return settings
