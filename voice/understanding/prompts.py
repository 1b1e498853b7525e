"""grammar/prompts.yaml: a few answers per kind of question that a recognizer may be primed with.

Whisper takes them as its `initial_prompt` (voice/speech/whisper_input.py): the grammar hands them
to the recognizer in `Expectation.prompt`, so speech reads no grammar file itself.
"""

from __future__ import annotations

from pathlib import Path

from ..errors import ContentError
from ..yamlio import load_yaml_file

PROMPT_FILE = "prompts.yaml"


def load_prompts(folder: Path) -> dict[str, tuple[str, ...]]:
    """The prompt answers per kind of question; none when the folder has no prompts.yaml."""
    path = Path(folder) / PROMPT_FILE
    if not path.is_file():
        return {}
    data = load_yaml_file(path)
    if not isinstance(data, dict) or not all(isinstance(v, list) for v in data.values()):
        raise ContentError("the recognizer prompts must map a kind of question to a list of answers",
                           where=str(path), fix='write it as: yes_no: ["Yes.", "No."]')
    return {str(k): tuple(str(x) for x in v) for k, v in data.items()}
