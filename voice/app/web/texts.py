"""The page's words: content/page.yaml (of the content folder in use, else the shipped one)."""

from __future__ import annotations

from pathlib import Path

from ...dialog.sentences import fill
from ...errors import ContentError
from ...triage.loader import default_content_dir
from ...triage.model import Region
from ...yamlio import load_yaml_file

FILE = "page.yaml"
BUTTONS = ("yes", "no", "unsure", "repeat", "back", "restart", "help_now", "start")
TEXTS = ("title", "invite_hint", "number_pad", "number_enter", "number_delete", "number_so_far", "heard",
         "progress", "answers_heading", "more_heading", "call_now", "summary_heading", "done", "more_time",
         "clears_after", "still_there", "connecting", "reconnecting", "stopped")


def load_page_texts(folder: str | Path | None, region: Region) -> dict:
    """The page's texts with the region filled in: {key: text, "buttons": {id: {label, says}}}.

    Raises ContentError (file, line, fix) when a text or a button is missing or not text.
    """
    path = Path(folder) / FILE if folder else None
    if path is None or not path.exists():
        path = default_content_dir() / FILE
    data = load_yaml_file(path)
    if not isinstance(data, dict):
        raise ContentError("the page's texts must be a mapping of key: text", where=str(path))
    out: dict = {}
    for key in TEXTS:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            raise ContentError(f"the page text {key!r} is missing or not text", where=str(path),
                               fix=f'add a line such as {key}: "..." (see the shipped content/{FILE})')
        out[key] = fill(value, region)
    buttons = data.get("buttons")
    out["buttons"] = {}
    for key in BUTTONS:
        entry = buttons.get(key) if isinstance(buttons, dict) else None
        if not (isinstance(entry, dict) and all(isinstance(entry.get(k), str) for k in ("label", "says"))):
            where = f"{path}, line {buttons.line_of(key)}" if hasattr(buttons, "line_of") else str(path)
            raise ContentError(f"the page button {key!r} needs a label and the words it says", where=where,
                               fix=f'e.g. {key}: {{label: "Yes", says: "yes"}}')
        out["buttons"][key] = {"label": fill(entry["label"], region), "says": entry["says"]}
    return out
