"""Settings from a YAML file (an XDG path by default, --config to choose)."""

from __future__ import annotations

import os
from dataclasses import dataclass, field, fields
from pathlib import Path

from .errors import ConfigError, ContentError
from .yamlio import load_yaml_file


def default_config_path() -> Path:
    base = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(base) / "voice-triage" / "config.yaml"


@dataclass
class Config:
    """Every setting; None means 'use the default'."""

    region: str | None = None
    """Emergency numbers preset (uk, us, eu, ...)."""
    content: str | None = None
    """A content folder to use instead of the shipped one."""
    grammar: str | None = None
    """A grammar folder to use instead of the shipped one."""
    engine: str | None = None
    """auto, vosk or pocketsphinx."""
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
    """Silent turns in a row before 'Are you still there?'."""
    wake_phrases: list[str] = field(default_factory=list)
    """Extra kiosk wake phrases."""
    alert_command: str | None = None
    """Kiosk: a shell command run on an emergency outcome, to call staff."""
    clinician_summary: str | None = None
    """Kiosk: 'screen' (default), 'print' or a folder to save summaries in."""
    idle_invite_every: float | None = None
    """Kiosk: seconds between spoken invitations while idle."""

    def apply(self, settings) -> None:
        for name in ("max_tries", "walkaway_after"):
            value = getattr(self, name)
            if value is not None:
                setattr(settings, name, value)


_TYPES = {"rate": int, "volume": float, "noinput_timeout": float, "max_tries": int, "walkaway_after": int,
          "cues": bool, "barge_in": bool, "idle_invite_every": float}


def load_config(path: str | None) -> Config:
    """Read the settings file; the default path may be absent, a chosen one must exist."""
    file = Path(path) if path else default_config_path()
    if not file.exists():
        if path:
            raise ConfigError("the settings file does not exist", where=str(file),
                              fix="check the path given to --config")
        return Config()
    try:
        data = load_yaml_file(file)
    except ContentError as err:
        raise ConfigError(err.message, where=err.where, fix=err.fix) from None
    if data is None:
        return Config()
    if not isinstance(data, dict):
        raise ConfigError("the settings file must be a mapping of setting: value", where=str(file))
    names = {f.name for f in fields(Config)}
    config = Config()
    for key, value in data.items():
        where = f"{file}, line {data.line_of(key)}" if hasattr(data, "line_of") else str(file)
        if key not in names:
            raise ConfigError(f"unknown setting {key!r}", where=where,
                              fix=f"the settings are: {', '.join(sorted(names))}")
        typ = _TYPES.get(key)
        if key == "wake_phrases":
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise ConfigError("wake_phrases must be a list of phrases", where=where,
                                  fix='e.g. wake_phrases: ["start", "hello"]')
        elif typ is bool:
            if not isinstance(value, bool):
                raise ConfigError(f"{key} must be true or false, not {value!r}", where=where)
        elif typ in (int, float):
            if isinstance(value, bool) or not isinstance(value, (int, float)) or (typ is int and not isinstance(value, int)):
                raise ConfigError(f"{key} must be a number, not {value!r}", where=where)
            if key == "volume" and not 0 <= value <= 1:
                raise ConfigError("volume must be between 0 and 1", where=where, fix="e.g. volume: 0.9")
        elif value is not None and not isinstance(value, (str, int)):
            raise ConfigError(f"{key} must be text, not {value!r}", where=where)
        else:
            value = None if value is None else str(value)
        setattr(config, key, value)
    return config
