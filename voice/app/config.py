"""Settings from a YAML file (an XDG path by default, --config to choose)."""

from __future__ import annotations

import os
import shlex
from dataclasses import dataclass, field, fields
from pathlib import Path

from ..errors import ConfigError
from ..yamlio import YamlReader


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "voice-triage" / "config.yaml"


@dataclass
class Config:
    """Every setting of the file; None means 'not set' (`settings.resolve` applies the defaults)."""

    region: str | None = None
    """Emergency numbers preset (uk, us, eu, ...)."""
    content: str | None = None
    """A content folder to use instead of the shipped one."""
    grammar: str | None = None
    """A grammar folder to use instead of the shipped one."""
    engine: str | None = None
    """auto, whisper, vosk or pocketsphinx."""
    model: str | None = None
    """Vosk model folder."""
    input_device: str | None = None
    output_device: str | None = None
    rate: int | None = None
    """Speech rate, words per minute."""
    volume: float | None = None
    """Speech volume 0..1."""
    voice: str | None = None
    """espeak-ng voice id."""
    cues: bool | None = None
    """Audible tones for listening, not understood and emergency."""
    barge_in: bool | None = None
    noinput_timeout: float | None = None
    """Seconds to wait for an answer to start."""
    max_tries: int | None = None
    walkaway_after: int | None = None
    """Silent turns in a row before 'Are you still there?' (default 5; 2 in kiosk mode)."""
    wake_phrases: list[str] = field(default_factory=list)
    """Extra kiosk wake phrases."""
    alert_command: str | None = None
    """Kiosk: a command run on an emergency outcome, to call staff (split like a shell line, run
    without a shell; it gets only VOICE_TRIAGE_DISPOSITION in its environment, no personal data)."""
    clinician_summary: str | None = None
    """Kiosk: 'screen' (default), 'print' or a folder to save summaries in."""
    idle_invite_every: float | None = None
    """Kiosk: seconds between spoken invitations while idle."""
    alert_timeout: float | None = None
    """Kiosk: seconds the alert command may run before it counts as failed (default 10)."""
    advice_hold: float | None = None
    """Kiosk: seconds the advice stays on a terminal screen after it is spoken (default 15)."""
    screen: bool | None = None
    """The large-text screen (default: on for --kiosk when stdout is a terminal)."""
    web: bool | None = None
    """Kiosk: serve the page in a browser (as --web)."""
    web_port: int | None = None
    """Kiosk: the page's port (default 8765)."""
    web_address: str | None = None
    """Kiosk: the address the page listens on (default 127.0.0.1: this computer only); any other
    address needs web_secret."""
    web_secret: str | None = None
    """Kiosk: a shared secret that must open the page's address (http://HOST:PORT/SECRET/)."""


_TYPES = {"rate": int, "volume": float, "noinput_timeout": float, "max_tries": int, "walkaway_after": int,
          "cues": bool, "barge_in": bool, "idle_invite_every": float, "alert_timeout": float,
          "advice_hold": float, "screen": bool,
          "web": bool, "web_port": int}
# The smallest value each number setting takes, and an example for the fix.
_LIMITS = {"rate": (1, "rate: 150"), "noinput_timeout": (0.5, "noinput_timeout: 8"),
           "max_tries": (1, "max_tries: 3"), "walkaway_after": (1, "walkaway_after: 2"),
           "idle_invite_every": (1, "idle_invite_every: 60"), "alert_timeout": (0.1, "alert_timeout: 10"),
           "advice_hold": (0, "advice_hold: 15"), "volume": (0, "volume: 0.9"),
           "web_port": (0, "web_port: 8765")}
SUMMARY_MODES = ("screen", "print", "off")
"""clinician_summary values other than a folder."""


def load_config(path: str | None) -> Config:
    """Read the settings file; the default path may be absent, a chosen one must exist."""
    file = Path(path) if path else default_config_path()
    if not file.exists():
        if path:
            raise ConfigError("the settings file does not exist", where=str(file),
                              fix="check the path given to --config")
        return Config()
    reader = YamlReader(file.parent, error=ConfigError)
    data = reader.load(file.name)
    if data is None:
        return Config()
    data = reader.mapping(data, "the settings file")
    names = {f.name for f in fields(Config)}
    config = Config()
    for key, value in data.items():
        if key not in names:
            reader.fail(f"unknown setting {key!r}", data, key,
                        fix=f"the settings are: {', '.join(sorted(names))}")
        typ = _TYPES.get(key)
        if key == "wake_phrases":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                reader.fail("wake_phrases must be a list of phrases", data, key,
                            fix='e.g. wake_phrases: ["start", "hello"]')
        elif typ is bool:
            if not isinstance(value, bool):
                reader.fail(f"{key} must be true or false, not {value!r}", data, key,
                            fix=f"write {key}: true or {key}: false")
        elif typ in (int, float):
            low, example = _LIMITS.get(key, (None, f"{key}: 1"))
            whole = " whole" if typ is int else ""
            wrong_int = typ is int and not isinstance(value, int)
            if isinstance(value, bool) or not isinstance(value, (int, float)) or wrong_int:
                reader.fail(f"{key} must be a{whole} number, not {value!r}", data, key,
                            fix=f"e.g. {example}")
            if key == "web_port" and value > 65535:
                reader.fail("web_port must be at most 65535", data, key, fix="e.g. web_port: 8765")
            if key == "volume" and not 0 <= value <= 1:
                reader.fail("volume must be between 0 and 1", data, key, fix="e.g. volume: 0.9")
            if low is not None and value < low:
                reader.fail(f"{key} must be at least {low}, not {value!r}", data, key,
                            fix=f"e.g. {example}")
        elif value is not None and not isinstance(value, (str, int)):
            reader.fail(f"{key} must be text, not {value!r}", data, key,
                        fix=f'write it as one line of text, e.g. {key}: "..."')
        else:
            value = None if value is None else str(value)
            if value is not None:
                value = _check_text(key, value, reader.where(data, key), file)
        setattr(config, key, value)
    return config


def _check_text(key: str, value: str, where: str, file: Path) -> str:
    """Check the text settings whose form can be checked before the kiosk needs them.

    A relative clinician_summary folder is taken from the settings file's folder.
    """
    if key == "alert_command":
        try:
            words = shlex.split(value)
        except ValueError as err:
            raise ConfigError(f"alert_command cannot be split into words: {err}", where=where,
                              fix="close every quote; for shell features write: sh -c '...'") from None
        if not words:
            raise ConfigError("alert_command is empty", where=where, fix="remove the setting, or give a "
                              "command such as: notify-send 'Kiosk needs staff'")
    elif key == "web_secret" and (len(value) < 16 or not all(c.isalnum() or c in "-_" for c in value)):
        raise ConfigError("web_secret must be at least 16 letters, digits, '-' or '_'", where=where,
                          fix="e.g. the output of: "
                              "python3 -c 'import secrets; print(secrets.token_urlsafe())'")
    elif key == "clinician_summary" and value not in SUMMARY_MODES:
        folder = Path(value).expanduser()
        if not folder.is_absolute():
            folder = file.parent / folder
        if folder.exists() and not folder.is_dir():
            raise ConfigError(f"clinician_summary {value!r} is a file, not a folder", where=where,
                              fix=f"use {', '.join(SUMMARY_MODES)}, or a folder to save summaries in")
        return str(folder)
    return value
