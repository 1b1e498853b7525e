"""Commands said in a person's own words: "can you say that again", "what's that supposed to mean",
"call an ambulance". Phrases and their order are in grammar/phrasing.yaml: the first command with a
phrase that matches wins, so the emergency phrases that stand on their own ("I can't breathe") come
before help ("help me understand"), and the ones built on "help" ("help me", "I need help") after it.
"""

from __future__ import annotations

from .phrasing import CommandWords

NOT_A_COMMAND = "none"
"""An entry of phrases that are no command at all ("I don't need an ambulance")."""


def command_in(text: str, commands: tuple[CommandWords, ...]) -> str | None:
    """The command `text` (in matching spelling, the whole answer) gives, or None."""
    for entry in commands:
        if any(t.search(text) for t in entry.anywhere) or any(t.regex.fullmatch(text) for t in entry.whole):
            return None if entry.command == NOT_A_COMMAND else entry.command
    return None
