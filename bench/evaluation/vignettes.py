"""Test patients (vignettes): loading and strict validation of tests/vignettes/<id>.yaml.

A vignette is one patient as they would tell it, the findings they would say yes to, the ones
they do not know, their age, pain score and duration, and the advice level and cause that a safe
triage must reach. Every id is a fixed id of the session protocol (docs/protocol.md).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from voice.errors import ContentError, TriageError
from voice.yamlio import load_yaml

DEFAULT_VIGNETTE_DIR = Path(__file__).resolve().parents[2] / "tests" / "vignettes"
"""tests/vignettes/ of the source tree."""

DISPOSITIONS: tuple[str, ...] = ("emergency", "urgent", "soon", "self_care")
"""Protocol disposition ids, most urgent first."""

YES_NO_FINDINGS: frozenset[str] = frozenset(
    """
    saddle_numbness bladder_problem bowel_problem sexual_dysfunction both_legs_new leg_weakness
    both_legs_weak sudden_severe_pain cold_pale_leg pregnancy_emergency
    weakness_worsening fall_or_injury major_trauma fragile_bones cannot_bear_weight fever
    immune_risk cancer_history weight_loss night_pain abdominal_pain_faint chest_pain
    calf_swelling dark_urine painful_urination pregnancy_warning pregnant
    back_pain pain_below_knee leg_numbness worse_sitting worse_cough_sneeze
    walking_eased_by_sitting walking_cramp_eased_standing vascular_risk sudden_pop thigh_bruising
    new_exercise worse_crossing_leg sitting_bone_pain long_sitting lifting_start groin_stiffness
    morning_stiffness_long pelvic_girdle getting_worse
    recent_spinal_procedure clot_risk calf_tender tense_swollen_leg muscle_breakdown_risk
    colicky_flank_pain limp recent_birth
    """.split()
)
"""Protocol yes/no finding ids."""

NUMBER_FINDINGS: dict[str, tuple[int, int]] = {"age": (0, 120), "pain_score": (0, 10)}
"""Protocol number finding ids and their allowed range."""

CHOICE_FINDINGS: dict[str, tuple[str, ...]] = {
    "duration": ("less_than_week", "one_to_six_weeks", "more_than_six_weeks"),
}
"""Protocol choice finding ids and their value ids."""

CAUSES: frozenset[str] = frozenset(
    """
    sciatica_disc spinal_stenosis piriformis_syndrome hamstring_strain hamstring_tear
    hamstring_tendinopathy muscle_strain exercise_soreness prolonged_sitting spine_arthritis
    hip_arthritis pregnancy_sciatica pelvic_girdle_pain axial_spondyloarthritis
    cauda_equina spinal_infection spinal_cancer fracture vascular_claudication aortic_aneurysm
    dvt rhabdomyolysis kidney_infection compartment_syndrome acute_limb_ischaemia
    pulmonary_embolism kidney_stone septic_arthritis childhood_hip pregnancy_complication
    """.split()
)
"""Protocol cause ids."""

IMPLIED: dict[str, tuple[str, ...]] = {
    "both_legs_weak": ("leg_weakness",),
    "weakness_worsening": ("leg_weakness",),
    "major_trauma": ("fall_or_injury",),
    "recent_birth": ("clot_risk",),
}
"""Findings that say another by the protocol's own definitions: a person whose legs are both weak says
yes to "is a leg or foot weak?", a serious accident started with an accident, and a birth in the last
six weeks is one of the clot risks. Added to a vignette's yes list unless it lists them as unsure."""

TOP_KEYS = ("id", "story", "yes", "unsure", "age", "pain_score", "duration", "says", "expect", "note")
REQUIRED_KEYS = ("id", "story", "yes", "expect")
EXPECT_KEYS = ("disposition", "cause")
ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")


class VignetteError(TriageError):
    """A vignette file is malformed or uses an id the protocol does not have."""


def read_yaml(path: Path) -> Any:
    """Read one YAML file strictly (voice.yamlio: yes/no stay strings, a key twice is an error);
    errors name the file."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as err:
        raise VignetteError(f"cannot be read: {err}", where=str(path)) from None
    try:
        return load_yaml(text, source=str(path))
    except ContentError as err:
        raise VignetteError(err.message, where=err.where, fix=err.fix) from None


@dataclass(frozen=True)
class Vignette:
    """One test patient."""

    id: str
    """Vignette id, the file name without .yaml."""
    story: str
    """What the patient says, in their own words."""
    yes: frozenset[str]
    """Yes/no findings this patient says yes to; every other one is answered no."""
    unsure: frozenset[str]
    """Findings this patient does not know: answered "not sure"."""
    numbers: dict[str, int]
    """Number findings (age, pain_score) this patient knows."""
    choices: dict[str, str]
    """Choice findings (duration) this patient knows, as value ids."""
    expect_disposition: str
    """The advice level a correct triage gives."""
    expect_cause: str
    """The cause that must be among the three most likely causes."""
    note: str = ""
    """Why the expectation is right (reference row), for reviewers."""
    says: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """The patient's own words for a yes/no finding, used instead of the stock phrasings whenever a
    question asks about it (e.g. saddle_numbness: "no, but my inner thighs are numb")."""
    path: str = ""
    """File it was loaded from."""


def _fail(path: Path, message: str, fix: str | None = None) -> VignetteError:
    return VignetteError(message, where=str(path), fix=fix)


def _check_keys(path: Path, data: dict, allowed: tuple[str, ...], what: str) -> None:
    unknown = [k for k in data if k not in allowed]
    if unknown:
        raise _fail(
            path,
            f"unknown key {unknown[0]!r} in {what}",
            fix=f"use only these keys: {', '.join(allowed)}",
        )


def _finding_list(path: Path, data: dict, key: str) -> frozenset[str]:
    value = data.get(key, [])
    if value is None:
        value = []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _fail(path, f"{key!r} must be a list of finding ids", fix='write e.g. ["back_pain"]')
    known = YES_NO_FINDINGS if key == "yes" else YES_NO_FINDINGS | set(NUMBER_FINDINGS) | set(CHOICE_FINDINGS)
    for finding in value:
        if finding not in known:
            raise _fail(
                path,
                f"{finding!r} in {key!r} is not a protocol finding id",
                fix="use a finding id of docs/protocol.md (yes/no findings for 'yes')",
            )
    if len(set(value)) != len(value):
        raise _fail(path, f"a finding is listed twice in {key!r}")
    return frozenset(value)


def _says(path: Path, value: Any) -> dict[str, tuple[str, ...]]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise _fail(path, "'says' must map a yes/no finding id to the patient's words",
                    fix='write e.g. says: {saddle_numbness: "no, but my inner thighs are numb"}')
    says: dict[str, tuple[str, ...]] = {}
    for finding, words in value.items():
        if finding not in YES_NO_FINDINGS:
            raise _fail(path, f"{finding!r} in 'says' is not a protocol yes/no finding id")
        phrases = [words] if isinstance(words, str) else words
        if not isinstance(phrases, list) or not phrases or not all(
                isinstance(w, str) and w.strip() for w in phrases):
            raise _fail(path, f"'says' for {finding!r} must be the words, or a list of them")
        says[finding] = tuple(phrases)
    return says


def vignette_from_dict(data: Any, path: Path | str = "<vignette>") -> Vignette:
    """Validate one parsed vignette; every error names the file and the fix."""
    path = Path(path)
    if not isinstance(data, dict):
        raise _fail(path, "a vignette must be a mapping of keys", fix="start with 'id: ...'")
    _check_keys(path, data, TOP_KEYS, "the vignette")
    for key in REQUIRED_KEYS:
        if key not in data:
            raise _fail(path, f"the key {key!r} is missing", fix=f"add {key!r}")

    vid = data["id"]
    if not isinstance(vid, str) or not ID_PATTERN.match(vid):
        raise _fail(path, f"id {vid!r} must be lower case letters, digits and _")
    if path.suffix == ".yaml" and path.stem != vid:
        raise _fail(path, f"id {vid!r} differs from the file name", fix=f"name the file {vid}.yaml")
    story = data["story"]
    if not isinstance(story, str) or not story.strip():
        raise _fail(path, "'story' must be the patient's words, not empty")

    yes = _finding_list(path, data, "yes")
    unsure = _finding_list(path, data, "unsure")
    yes = yes | (frozenset(f for given in yes for f in IMPLIED.get(given, ())) - unsure)
    both = sorted(yes & unsure)
    if both:
        raise _fail(path, f"{both[0]!r} is in both 'yes' and 'unsure'", fix="keep it in one list")

    numbers: dict[str, int] = {}
    for key, (low, high) in NUMBER_FINDINGS.items():
        if key in data:
            value = data[key]
            if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
                raise _fail(path, f"{key!r} must be a whole number from {low} to {high}, not {value!r}")
            if key in unsure:
                raise _fail(path, f"{key!r} has a value and is also listed as unsure")
            numbers[key] = value
    choices: dict[str, str] = {}
    for key, values in CHOICE_FINDINGS.items():
        if key in data:
            value = data[key]
            if value not in values:
                raise _fail(path, f"{key!r} must be one of {', '.join(values)}, not {value!r}")
            if key in unsure:
                raise _fail(path, f"{key!r} has a value and is also listed as unsure")
            choices[key] = value

    expect = data["expect"]
    if not isinstance(expect, dict):
        raise _fail(path, "'expect' must be a mapping with disposition and cause")
    _check_keys(path, expect, EXPECT_KEYS, "'expect'")
    for key in EXPECT_KEYS:
        if key not in expect:
            raise _fail(path, f"'expect' lacks {key!r}", fix=f"add {key!r} under 'expect'")
    if expect["disposition"] not in DISPOSITIONS:
        raise _fail(
            path,
            f"expected disposition {expect['disposition']!r} is not a protocol disposition",
            fix=f"use one of {', '.join(DISPOSITIONS)}",
        )
    if expect["cause"] not in CAUSES:
        raise _fail(
            path,
            f"expected cause {expect['cause']!r} is not a protocol cause id",
            fix="use a cause id of docs/protocol.md",
        )
    says = _says(path, data.get("says", {}))
    note = data.get("note", "")
    if not isinstance(note, str):
        raise _fail(path, "'note' must be text")

    return Vignette(
        id=vid,
        story=" ".join(story.split()),
        yes=yes,
        unsure=unsure,
        numbers=numbers,
        choices=choices,
        expect_disposition=expect["disposition"],
        expect_cause=expect["cause"],
        note=" ".join(note.split()),
        path=str(path),
        says=says,
    )


def load_vignette(path: Path | str) -> Vignette:
    """Load and validate one vignette file."""
    path = Path(path)
    return vignette_from_dict(read_yaml(path), path)


def load_vignettes(directory: Path | str | None = None) -> list[Vignette]:
    """Load every <id>.yaml of a folder and its subfolders (one subfolder per blind round);
    files starting with "_" are data, not vignettes."""
    directory = Path(directory) if directory is not None else DEFAULT_VIGNETTE_DIR
    if not directory.is_dir():
        raise VignetteError("the vignette folder does not exist", where=str(directory))
    files = sorted(p for p in directory.rglob("*.yaml") if not p.name.startswith("_"))
    if not files:
        raise VignetteError("no vignette files (*.yaml) here", where=str(directory))
    vignettes = [load_vignette(p) for p in files]
    seen: dict[str, str] = {}
    for v in vignettes:
        if v.id in seen:
            raise VignetteError(f"id {v.id!r} is also used by {seen[v.id]}", where=v.path)
        seen[v.id] = v.path
    return vignettes


def level_rank(disposition: str | None) -> int:
    """3 for emergency down to 0 for self-care; -1 for no advice at all."""
    if disposition not in DISPOSITIONS:
        return -1
    return len(DISPOSITIONS) - 1 - DISPOSITIONS.index(disposition)
