"""One error tree: every message says what was wrong, where, and how to fix it."""

from __future__ import annotations


class TriageError(Exception):
    """Base of every error this program reports to a person instead of a traceback."""

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None):
        self.message = message
        self.where = where
        self.fix = fix
        super().__init__(self.__str__())

    def __str__(self) -> str:
        text = f"{self.where}: {self.message}" if self.where else self.message
        if self.fix:
            text += f"\n  fix: {self.fix}"
        return text


class ContentError(TriageError):
    """A content or grammar file is missing, malformed, or inconsistent."""


class ContentErrors(ContentError):
    """Several content or grammar problems found at once (`voice-triage check` reports them all)."""

    def __init__(self, problems: list[ContentError]):
        self.problems = list(problems)
        first = self.problems[0]
        super().__init__(first.message, where=first.where, fix=first.fix)

    def __str__(self) -> str:
        if len(getattr(self, "problems", ())) < 2:
            return super().__str__()
        return f"{len(self.problems)} problems:\n" + "\n".join(f"- {p}" for p in self.problems)


class ConfigError(TriageError):
    """A settings file or command-line option is wrong."""


class ModelError(TriageError):
    """A speech model is missing or unusable."""


class AudioDeviceError(TriageError):
    """A microphone or speaker is missing, busy, or was lost."""


class InputError(TriageError):
    """The session's input (a WAV file, a line on stdin) could not be used."""


class EndOfInput(Exception):
    """The input ended (EOF on stdin): the session stops cleanly."""
