"""Lists of answers per kind of question that the grammar hands to the recognizer, so speech reads
no grammar file itself.

- grammar/prompts.yaml: a few answers a recognizer may be primed with; Whisper takes them as its
  `initial_prompt` (voice/speech/whisper_input.py), through `Expectation.prompt`.
- grammar/closed_set.yaml: the answers a recognizer scores when its own transcript is not
  understood (voice/speech/closed_set.py), through `Expectation.candidates`; `all_questions` is
  added to every kind but the idle kiosk's.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ContentError
from ..yamlio import load_yaml_file

PROMPT_FILE = "prompts.yaml"
CLOSED_SET_FILE = "closed_set.yaml"
EVERY_KIND = "all_questions"
"""The closed set's list added to every kind of question but the idle kiosk's ("wake")."""


def _lists(path: Path, what: str) -> dict[str, tuple[str, ...]]:
    """A file mapping a kind of question to a list of answers; none when there is no such file."""
    if not path.is_file():
        return {}
    data = load_yaml_file(path)
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise ContentError(f"the {what} must map a kind of question to a list of answers",
                           where=str(path), fix='write it as: yes_no: ["Yes.", "No."]')
    return {str(k): tuple(str(x) for x in v) for k, v in data.items()}


def load_prompts(folder: Path) -> dict[str, tuple[str, ...]]:
    """The prompt answers per kind of question; none when the folder has no prompts.yaml."""
    return _lists(Path(folder) / PROMPT_FILE, "recognizer prompts")


def load_closed_sets(folder: Path) -> dict[str, tuple[str, ...]]:
    """The answers to score per kind of question (each with `all_questions` but "wake"); none when
    the folder has no closed_set.yaml."""
    lists = _lists(Path(folder) / CLOSED_SET_FILE, "closed sets of answers")
    every = lists.pop(EVERY_KIND, ())
    return {kind: (*answers, *every) for kind, answers in lists.items()}
