"""Load a content folder strictly and check its graph; every error names file, line and fix.

`load_content` opens each file and reads its entries with their type's `from_dict`
(voice.triage.model, voice.triage.causes, voice.triage.tree) through one ContentReader
(voice.triage.reader), which keeps every problem so that `voice-triage check` reports them all.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..errors import ContentError, ContentErrors
from ..shipped import shipped_folder
from .causes import Cause
from .model import Content, Disposition, DispositionText, Finding, Question, Region, Rule
from .reader import PLACEHOLDERS, ContentReader
from .tree import Tree

FILES = (
    "regions.yaml", "dispositions.yaml", "findings.yaml", "questions.yaml", "tree.yaml",
    "red_flags.yaml", "escalations.yaml", "causes.yaml", "dialog.yaml",
)

# The dialog keys the session uses. Values are spoken text; lists give one text per retry.
DIALOG_KEYS = {
    "welcome": str, "how_to_answer": str, "disclaimer": str, "speech_basic": str,
    "noinput": list, "nomatch": list, "give_up": str, "out_of_range": str,
    "answers_yes_no": str, "answers_number": str, "answers_choice": str, "or_word": str,
    "yes_word": str, "no_word": str, "unsure_word": str,
    "help_reply": str, "repeat_intro": str, "back_done": str, "back_nothing": str,
    "restart": str, "stopped": str, "still_there": str, "timeout_end": str,
    "readback_intro": str, "readback_item": str, "readback_confirm": str, "readback_which": str,
    "readback_thanks": str, "readback_none": str, "readback_keep": str,
    # a screen's yes that named some of its signs: the others, asked together (voice.triage.regroup)
    "screen_rest": str, "screen_rest_again": str, "and_word": str,
    "confirm_heard": str, "confirm_again": str,
    # a number not understood, asked as yes or no; the range it gives, as read back
    "number_ladder": str, "number_at_least": str, "range_under": str, "range_from": str, "range_between": str,
    # a command heard with low confidence is checked in these words ("I heard {heard}")
    "heard_back": str, "heard_restart": str, "heard_stop": str, "heard_help_now": str,
    "heard_slower": str, "heard_faster": str, "heard_louder": str, "heard_quieter": str,
    "outcome_red_flag": str, "outcome_unsure_emergency": str, "reason_unsure": str,
    "cause_top": str, "cause_top_plain": str, "cause_also": str, "outcome_causes_other": str,
    "cause_with_reasons": str, "cause_same_reasons": str, "cause_plain": str, "cause_numbered": list,
    "reason_join": str, "emergency_if": str,
    "self_care_intro": str, "self_care_intro_urgent": str, "self_care_intro_emergency": str,
    "offer_more": str, "offer_more_rephrase": str, "more_declined": str, "not_diagnosis": str,
    "goodbye": str, "help_now": str,
    "slower": str, "faster": str, "louder": str, "quieter": str, "at_limit": str,
    "device_lost": str, "device_back": str, "audio_unreadable": str,
    # kiosk
    "idle_invite": str, "kiosk_welcome": str, "kiosk_reset": str, "kiosk_alert": str,
    "kiosk_alert_failed": str,
    "screen_answers": str, "screen_commands": str, "screen_heard": str, "screen_press_enter": str,
    "screen_no_alert": str,
    "summary_title": str, "summary_answers": str, "summary_red_flags": str, "summary_advice": str,
    "summary_said": str,
    "summary_none": str, "summary_no_advice": str,
}


def default_content_dir() -> Path:
    """The content folder shipped inside the installed package (or the source tree)."""
    return shipped_folder("content")


def load_content(folder: Path | str | None = None) -> Content:
    """Load and check every content file of a folder (the shipped one by default).

    Raises ContentError for one problem, ContentErrors (with `.problems`) for several: each file and
    each item in it is checked even after a problem elsewhere."""
    folder = Path(folder) if folder else default_content_dir()
    if not folder.is_dir():
        raise ContentError(
            "the content folder does not exist", where=str(folder),
            fix="pass --content with a folder holding the content YAML files",
        )
    r = ContentReader(folder)
    regions, default_region = _regions(r)
    r.findings = _entries(r, "findings.yaml", "finding", Finding.from_dict)
    r.questions = _entries(r, "questions.yaml", "question", Question.from_dict, refs=_findings_asked)
    dispositions = _dispositions(r)  # after the questions: its safety-net lines have conditions
    tree = Tree("", {})
    with r.item("tree"):
        tree = Tree.from_dict(r, r.load("tree.yaml"))
    r.causes = _entries(r, "causes.yaml", "cause", Cause.from_dict)
    red_flags = _rules(r, "red_flags.yaml", {Disposition.EMERGENCY, Disposition.URGENT})
    escalations = _rules(r, "escalations.yaml", {Disposition.SOON})
    dialog = _dialog(r)
    if len(r.problems) == 1:
        raise r.problems[0]
    if r.problems:
        raise ContentErrors(r.problems)
    return Content(str(folder), regions, default_region, dispositions, r.findings, r.questions,
                   tree, red_flags, escalations, r.causes, dialog)


def _entries(r: ContentReader, name: str, ref: str, from_dict: Callable,
             refs: Callable[[object], list[str]] = lambda entry: []) -> dict:
    """A file mapping ids to entries, each read by `from_dict`. A broken entry is left out and marked
    broken as `{ref}:{id}` (and as `refs(entry)`); a broken file as its name ("findings")."""
    result: dict = {}
    with r.item(name.removesuffix(".yaml")):
        data = r.mapping(r.load(name), name)
        for key, entry in data.items():
            with r.item(f"{ref}:{key}", *refs(entry)):
                result[key] = from_dict(r, key, entry, data)
    return result


def _findings_asked(entry: object) -> list[str]:
    """A question's findings as references ("finding:fever"): broken when the question is."""
    fids = entry.get("findings") if isinstance(entry, dict) else None
    return [f"finding:{f}" for f in fids if isinstance(f, str)] if isinstance(fids, list) else []


def _regions(r: ContentReader) -> tuple[dict[str, Region], str]:
    """regions.yaml: the regions and the default one."""
    regions: dict[str, Region] = {}
    default_region = ""
    with r.item("regions"):
        data = r.mapping(r.load("regions.yaml"), "regions.yaml")
        r.keys(data, {"default", "regions"}, set(), "regions.yaml")
        for rid, entry in r.mapping(data["regions"], "regions", data, "regions").items():
            with r.item("regions"):
                regions[rid] = Region.from_dict(r, rid, entry, data["regions"])
        default_region = str(data["default"])
        if default_region not in regions and not r.is_broken("regions"):
            r.fail(f"default region {default_region!r} is not defined", data, "default",
                   fix=f"use one of: {', '.join(sorted(regions))}")
    return regions, default_region


def _dispositions(r: ContentReader) -> dict[Disposition, DispositionText]:
    """dispositions.yaml: what is said for each advice level."""
    dispositions = {}
    with r.item():
        data = r.mapping(r.load("dispositions.yaml"), "dispositions.yaml")
        r.keys(data, {d.value for d in Disposition}, set(), "dispositions.yaml")
        for d in Disposition:
            with r.item():
                dispositions[d] = DispositionText.from_dict(r, d, data)
    return dispositions


def _rules(r: ContentReader, name: str, levels: set[Disposition]) -> tuple[Rule, ...]:
    """red_flags.yaml or escalations.yaml: a list of rules at these levels."""
    rules, taken = [], set()
    with r.item():
        data = r.load(name)
        if not isinstance(data, list):
            r.fail(f"{name} must be a list of rules")
        for entry in data:
            with r.item():
                rules.append(Rule.from_dict(r, name, entry, data, levels, taken))
    return tuple(rules)


def _dialog(r: ContentReader) -> dict[str, object]:
    """dialog.yaml: every key of DIALOG_KEYS, a text or a list of texts (one per retry)."""
    dialog: dict[str, object] = {}
    with r.item():
        data = r.mapping(r.load("dialog.yaml"), "dialog.yaml")
        with r.item():
            r.keys(data, set(), set(DIALOG_KEYS), "dialog.yaml")
        missing = sorted(set(DIALOG_KEYS) - set(data))
        if missing:
            with r.item():
                r.fail(f"dialog.yaml is missing {', '.join(repr(k) for k in missing)}", data,
                       fix="add it (content/README.md documents each key)")
        for key, typ in DIALOG_KEYS.items():
            if key not in data:
                continue
            with r.item():
                value = data[key]
                if typ is list:
                    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
                        r.fail(f"dialog {key!r} must be a list of texts (one per retry)", data, key)
                    for v in value:
                        r.placeholders(v, data, key, PLACEHOLDERS)
                    dialog[key] = [" ".join(v.split()) for v in value]
                else:
                    dialog[key] = r.text(data, key, "dialog.yaml")
    return dialog
