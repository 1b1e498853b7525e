"""Offline voice triage for buttock and back-of-leg pain."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("voice-triage")
except PackageNotFoundError:  # running from a source tree that is not installed
    __version__ = "0.0.0+source"
