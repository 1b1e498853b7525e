"""Load a content folder strictly and check its graph; every error names file, line and fix."""

from __future__ import annotations

import string
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from ..errors import ContentError, ContentErrors
from ..shipped import shipped_folder
from ..yamlio import Mapping, load_yaml_file
from .conditions import Condition, Fact, Not, NumberTest, ChoiceTest, number_tests, parse_condition
from .model import (
    OUTCOME,
    Branch,
    Cause,
    Choice,
    Content,
    Disposition,
    DispositionText,
    Evidence,
    Finding,
    Kind,
    Node,
    Question,
    Region,
    Rule,
    Tip,
    Tree,
)

FILES = (
    "regions.yaml", "dispositions.yaml", "findings.yaml", "questions.yaml", "tree.yaml",
    "red_flags.yaml", "escalations.yaml", "causes.yaml", "dialog.yaml",
)

PLACEHOLDERS = {
    # region settings, usable in every spoken text
    "emergency_number", "urgent_line", "emergency_place",
    # dialog only: filled by the session
    "question", "rephrase", "answers", "help", "why", "label", "answer", "choices", "name",
    "reasons", "example", "items", "heard", "what", "count", "advice", "value", "low", "high",
}

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
    "confirm_heard": str, "confirm_again": str,
    # a number not understood, asked as yes or no; the range it gives, as read back
    "number_ladder": str, "number_at_least": str, "range_under": str, "range_from": str, "range_between": str,
    # a command heard with low confidence is checked in these words ("I heard {heard}")
    "heard_back": str, "heard_restart": str, "heard_stop": str, "heard_help_now": str,
    "heard_slower": str, "heard_faster": str, "heard_louder": str, "heard_quieter": str,
    "outcome_red_flag": str, "outcome_unsure_emergency": str, "reason_unsure": str,
    "outcome_causes_one": str, "outcome_causes_many": str,
    "cause_with_reasons": str, "cause_same_reasons": str, "cause_plain": str, "cause_numbered": list, "reason_join": str,
    "self_care_intro": str, "self_care_intro_urgent": str, "self_care_intro_emergency": str, "safety_net": str, "not_diagnosis": str,
    "goodbye": str, "help_now": str,
    "slower": str, "faster": str, "louder": str, "quieter": str, "at_limit": str,
    "device_lost": str, "device_back": str, "audio_unreadable": str,
    # kiosk
    "idle_invite": str, "kiosk_welcome": str, "kiosk_reset": str, "kiosk_alert": str,
    "kiosk_alert_failed": str,
    "screen_answers": str, "screen_commands": str, "screen_heard": str, "screen_press_enter": str,
    "screen_no_alert": str,
    "summary_title": str, "summary_answers": str, "summary_red_flags": str, "summary_advice": str,
    "summary_none": str, "summary_no_advice": str,
}


def default_content_dir() -> Path:
    """The content folder shipped inside the installed package (or the source tree)."""
    return shipped_folder("content")


class _Reader:
    """Helpers that turn YAML mappings into checked values, with file and line in errors."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.file = ""
        self.problems: list[ContentError] = []
        """Every problem found so far (`voice-triage check` reports them all)."""
        self.broken: set[str] = set()
        """Items that had a problem ("question:pain_score"): what refers to them is not reported again."""

    @contextmanager
    def item(self, *refs: str) -> Iterator[None]:
        """A problem inside is recorded and the rest of this item skipped, so checking goes on with
        the next item; `refs` name what is then broken."""
        try:
            yield
        except ContentError as err:
            self.problems.append(err)
            self.broken.update(refs)

    def is_broken(self, ref: str) -> bool:
        """True when `ref` had a problem of its own (a reference to it is not a second problem)."""
        return ref in self.broken

    def where(self, node: object = None, key: str | None = None) -> str:
        line = 0
        if isinstance(node, Mapping):
            line = node.line_of(key) if key else node.line
        path = self.folder / self.file
        return f"{path}, line {line}" if line else str(path)

    def fail(self, message: str, node: object = None, key: str | None = None, fix: str | None = None):
        raise ContentError(message, where=self.where(node, key), fix=fix)

    def load(self, name: str) -> object:
        self.file = name
        return load_yaml_file(self.folder / name)

    def mapping(self, data: object, what: str, node: object = None, key: str | None = None) -> Mapping:
        if not isinstance(data, dict):
            self.fail(f"{what} must be a mapping of keys to values", node, key)
        return data  # type: ignore[return-value]

    def keys(self, data: Mapping, required: set[str], optional: set[str], what: str) -> None:
        unknown = set(data) - required - optional
        if unknown:
            key = sorted(unknown)[0]
            self.fail(
                f"unknown key {key!r} in {what}",
                data, key,
                fix=f"the allowed keys are: {', '.join(sorted(required | optional))}",
            )
        missing = required - set(data)
        if missing:
            self.fail(
                f"{what} is missing {', '.join(repr(k) for k in sorted(missing))}",
                data,
                fix="add it (content/README.md documents each key)",
            )

    def text(self, data: Mapping, key: str, what: str, allowed: set[str] = PLACEHOLDERS) -> str:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{what}: {key!r} must be non-empty text", data, key)
        self.placeholders(value, data, key, allowed)
        return " ".join(value.split())

    def placeholders(self, value: str, node: Mapping, key: str, allowed: set[str]) -> None:
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as err:
            self.fail(f"broken {{placeholder}} in {key!r}: {err}", node, key, fix="use {name} or {{ }}")
        bad = names - allowed
        if bad:
            self.fail(
                f"unknown placeholder {{{sorted(bad)[0]}}} in {key!r}", node, key,
                fix=f"use one of: {', '.join('{' + p + '}' for p in sorted(allowed))}",
            )

    def condition(self, data: Mapping, key: str, what: str) -> Condition:
        try:
            return parse_condition(data[key])
        except ContentError as err:
            self.fail(f"{what}: {err.message}", data, key, fix=err.fix)


REGION_PLACEHOLDERS = {"emergency_number", "urgent_line", "emergency_place"}


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
    r = _Reader(folder)

    # regions.yaml
    regions: dict[str, Region] = {}
    default_region = ""
    with r.item("regions"):
        data = r.mapping(r.load("regions.yaml"), "regions.yaml")
        r.keys(data, {"default", "regions"}, set(), "regions.yaml")
        for rid, entry in r.mapping(data["regions"], "regions", data, "regions").items():
            with r.item("regions"):
                entry = r.mapping(entry, f"region {rid!r}", data["regions"], rid)
                r.keys(entry, {"name", "emergency_number", "urgent_line", "emergency_place"}, set(),
                       f"region {rid!r}")
                regions[rid] = Region(rid, *(r.text(entry, k, f"region {rid!r}", set()) for k in
                                             ("name", "emergency_number", "urgent_line", "emergency_place")))
        default_region = str(data["default"])
        if default_region not in regions and not r.is_broken("regions"):
            r.fail(f"default region {default_region!r} is not defined", data, "default",
                   fix=f"use one of: {', '.join(sorted(regions))}")

    # dispositions.yaml
    dispositions = {}
    with r.item():
        data = r.mapping(r.load("dispositions.yaml"), "dispositions.yaml")
        r.keys(data, {d.value for d in Disposition}, set(), "dispositions.yaml")
        for d in Disposition:
            with r.item():
                entry = r.mapping(data[d.value], d.value, data, d.value)
                r.keys(entry, {"label", "advice"}, set(), f"disposition {d.value!r}")
                dispositions[d] = DispositionText(
                    d, r.text(entry, "label", d.value, set()),
                    r.text(entry, "advice", d.value, REGION_PLACEHOLDERS),
                )

    # findings.yaml
    findings: dict[str, Finding] = {}
    with r.item("findings"):
        data = r.mapping(r.load("findings.yaml"), "findings.yaml")
        for fid, entry in data.items():
            with r.item(f"finding:{fid}"):
                entry = r.mapping(entry, f"finding {fid!r}", data, fid)
                r.keys(entry, {"description", "yes_reason", "no_reason"}, {"maybe_reason"}, f"finding {fid!r}")
                findings[fid] = Finding(fid, *(r.text(entry, k, f"finding {fid!r}", set())
                                               for k in ("description", "yes_reason", "no_reason")),
                                        maybe_reason=r.text(entry, "maybe_reason", f"finding {fid!r}", set())
                                        if "maybe_reason" in entry else "")

    # questions.yaml
    questions: dict[str, Question] = {}
    value_findings: dict[str, Kind] = {}  # number and choice findings
    with r.item("questions"):
        data = r.mapping(r.load("questions.yaml"), "questions.yaml")
        for qid, entry in data.items():
            fids = entry.get("findings") if isinstance(entry, dict) else None
            refs = [f"finding:{f}" for f in fids if isinstance(f, str)] if isinstance(fids, list) else []
            with r.item(f"question:{qid}", *refs):
                questions[qid] = _question(r, qid, entry, data, findings, value_findings)
    known = set(findings) | set(value_findings)

    def check_condition(cond: Condition, node: Mapping, key: str, what: str) -> None:
        for f in cond.findings():
            if f not in known and not r.is_broken(f"finding:{f}") and not r.is_broken("findings"):
                r.fail(f"{what}: unknown finding {f!r}", node, key,
                       fix="use a finding id from findings.yaml or a number/choice question's finding")
        if not r.is_broken("questions"):
            _check_kinds(cond, value_findings, questions, lambda m: r.fail(f"{what}: {m}", node, key))

    # tree.yaml
    nodes: dict[str, Node] = {}
    start = ""
    with r.item("tree"):
        data = r.mapping(r.load("tree.yaml"), "tree.yaml")
        r.keys(data, {"start", "nodes"}, set(), "tree.yaml")
        nodes_data = r.mapping(data["nodes"], "nodes", data, "nodes")
        for nid, entry in nodes_data.items():
            with r.item("tree"):
                nodes[nid] = _node(r, nid, entry, nodes_data, questions, check_condition)
        start = str(data["start"])
        if start not in nodes_data:
            r.fail(f"start node {start!r} does not exist", data, "start")
        if not r.is_broken("tree"):
            _check_graph(nodes, start, lambda msg, nid, fix=None: r.fail(msg, nodes_data, nid, fix=fix))

    # causes.yaml
    causes: dict[str, Cause] = {}
    with r.item("causes"):
        data = r.mapping(r.load("causes.yaml"), "causes.yaml")
        for cid, entry in data.items():
            with r.item(f"cause:{cid}"):
                causes[cid] = _cause(r, cid, entry, data, findings, check_condition)

    # red_flags.yaml and escalations.yaml
    red_flags = _rules(r, "red_flags.yaml", {Disposition.EMERGENCY, Disposition.URGENT}, causes, check_condition)
    escalations = _rules(r, "escalations.yaml", {Disposition.SOON}, causes, check_condition)

    # dialog.yaml
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

    if len(r.problems) == 1:
        raise r.problems[0]
    if r.problems:
        raise ContentErrors(r.problems)
    return Content(str(folder), regions, default_region, dispositions, findings, questions,
                   Tree(start, nodes), red_flags, escalations, causes, dialog)


def _question(r: _Reader, qid: str, entry: object, data: Mapping, findings: dict[str, Finding],
              value_findings: dict[str, Kind]) -> Question:
    """One entry of questions.yaml; a number or choice question's finding goes into value_findings."""
    entry = r.mapping(entry, f"question {qid!r}", data, qid)
    what = f"question {qid!r}"
    base = {"kind", "findings", "text", "rephrase", "help", "why", "readback"}
    r.keys(entry, base, {"source", "min", "max", "unit", "at_least", "choices"}, what)
    try:
        kind = Kind(entry["kind"])
    except ValueError:
        r.fail(f"{what}: unknown kind {entry['kind']!r}", entry, "kind",
               fix="use yes_no, number or choice")
    fids = entry["findings"]
    if not isinstance(fids, list) or not fids or not all(isinstance(f, str) for f in fids):
        r.fail(f"{what}: findings must be a non-empty list of finding ids", entry, "findings")
    if kind is not Kind.YES_NO and len(fids) != 1:
        r.fail(f"{what}: a {kind.value} question asks about exactly one finding", entry, "findings")
    if kind is Kind.YES_NO:
        for f in fids:
            if f not in findings and not r.is_broken(f"finding:{f}") and not r.is_broken("findings"):
                r.fail(f"{what} asks about unknown finding {f!r}", entry, "findings",
                       fix="use a finding id defined in findings.yaml (protocol.md lists them)")
    kwargs = {}
    if kind is Kind.NUMBER:
        for key in ("min", "max"):
            if not isinstance(entry.get(key), int):
                r.fail(f"{what}: a number question needs an integer {key!r}", entry, key)
        kwargs = {"minimum": entry["min"], "maximum": entry["max"], "unit": entry.get("unit")}
        if "at_least" in entry:
            kwargs["at_least"] = r.text(entry, "at_least", what, REGION_PLACEHOLDERS | {"value"})
    elif kind is Kind.CHOICE:
        choices_data = r.mapping(entry.get("choices"), f"{what}: choices", entry, "choices")
        choices = []
        for cid, c in choices_data.items():
            c = r.mapping(c, f"choice {cid!r}", choices_data, cid)
            r.keys(c, {"label"}, {"max_days"}, f"choice {cid!r} of {what}")
            choices.append(Choice(cid, r.text(c, "label", f"choice {cid!r}", set()), c.get("max_days")))
        if len(choices) < 2:
            r.fail(f"{what}: a choice question needs at least two choices", entry, "choices")
        kwargs = {"choices": tuple(choices)}
    elif {"min", "max", "at_least", "choices"} & set(entry):
        r.fail(f"{what}: min, max, at_least and choices belong to number and choice questions", entry)
    question = Question(
        id=qid, kind=kind, findings=tuple(fids),
        text=r.text(entry, "text", what, REGION_PLACEHOLDERS),
        rephrase=r.text(entry, "rephrase", what, REGION_PLACEHOLDERS),
        help=r.text(entry, "help", what, REGION_PLACEHOLDERS),
        why=r.text(entry, "why", what, REGION_PLACEHOLDERS),
        readback=r.text(entry, "readback", what, set()),
        source=str(entry.get("source", "")), **kwargs,
    )
    if kind is not Kind.YES_NO:
        value_findings[fids[0]] = kind
    return question


def _node(r: _Reader, nid: str, entry: object, nodes_data: Mapping, questions: dict[str, Question],
          check_condition) -> Node:
    """One node of tree.yaml."""
    entry = r.mapping(entry, f"node {nid!r}", nodes_data, nid)
    what = f"node {nid!r}"
    if nid == OUTCOME:
        r.fail(f"{OUTCOME!r} is reserved for the end of the tree", nodes_data, nid, fix="rename the node")
    r.keys(entry, {"ask", "next"}, {"when", "after_red_flag"}, what)
    after_red_flag = entry.get("after_red_flag", False)
    if not isinstance(after_red_flag, bool):
        r.fail(f"{what}: `after_red_flag` must be true or false", entry, "after_red_flag")
    if entry["ask"] not in questions and not r.is_broken(f"question:{entry['ask']}") and not r.is_broken("questions"):
        r.fail(f"{what} asks unknown question {entry['ask']!r}", entry, "ask",
               fix="use a question id from questions.yaml")
    when = r.condition(entry, "when", what) if "when" in entry else None
    if when:
        check_condition(when, entry, "when", what)
    nxt = entry["next"]
    branches: list[Branch] = []
    if isinstance(nxt, str):
        branches.append(Branch(None, nxt))
    elif isinstance(nxt, list) and nxt:
        for i, b in enumerate(nxt):
            b = r.mapping(b, f"{what}: branch {i + 1}", entry, "next")
            last = i == len(nxt) - 1
            r.keys(b, {"goto"} if last else {"goto", "if"}, {"if"} if last else set(),
                   f"{what}: branch {i + 1}")
            cond = r.condition(b, "if", f"{what}: branch {i + 1}") if "if" in b else None
            if cond:
                check_condition(cond, b, "if", f"{what}: branch {i + 1}")
            branches.append(Branch(cond, str(b["goto"])))
        if branches[-1].condition is not None:
            r.fail(f"{what} is a dead end: no branch is taken when no `if` holds", entry, "next",
                   fix="end the list with a branch that has only `goto`")
    else:
        r.fail(f"{what}: `next` must be a node id, `outcome`, or a list of branches", entry, "next")
    for b in branches:
        if b.target != OUTCOME and b.target not in nodes_data:
            r.fail(f"{what} branches to missing node {b.target!r}", entry, "next",
                   fix=f"add node {b.target!r} or branch to an existing node or `outcome`")
    return Node(nid, entry["ask"], when, tuple(branches), after_red_flag)


def _cause(r: _Reader, cid: str, entry: object, data: Mapping, findings: dict[str, Finding],
           check_condition) -> Cause:
    """One entry of causes.yaml."""
    entry = r.mapping(entry, f"cause {cid!r}", data, cid)
    what = f"cause {cid!r}"
    r.keys(entry, {"name", "description", "serious", "prior", "level", "evidence",
                   "self_care", "see_doctor", "sources"}, {"requires"}, what)
    level = _level(r, entry, "level", what)
    requires = r.condition(entry, "requires", what) if "requires" in entry else None
    if requires is not None:
        check_condition(requires, entry, "requires", what)
    evidence = []
    for item in entry["evidence"] or []:
        item = r.mapping(item, f"{what}: evidence", entry, "evidence")
        r.keys(item, {"when", "weight"}, {"because"}, f"{what}: evidence")
        cond = r.condition(item, "when", f"{what}: evidence")
        check_condition(cond, item, "when", f"{what}: evidence")
        because = item.get("because")
        if because is None:
            because = _default_reason(cond, findings)
            if because is None:
                r.fail(f"{what}: this evidence needs a `because` reason", item, "when",
                       fix="add because: a short phrase that finishes 'because ...'")
        if not isinstance(item["weight"], (int, float)) or isinstance(item["weight"], bool):
            r.fail(f"{what}: weight must be a number", item, "weight")
        evidence.append(Evidence(cond, float(item["weight"]), " ".join(str(because).split())))
    tips = []
    if not isinstance(entry["self_care"], list) or not entry["self_care"]:
        r.fail(f"{what} has no self-care tips", entry, "self_care",
               fix="add at least one tip: {say: ..., source: ...}")
    for tip in entry["self_care"]:
        tip = r.mapping(tip, f"{what}: self_care tip", entry, "self_care")
        r.keys(tip, {"say", "source"}, {"levels", "when"}, f"{what}: self_care tip")
        tip_when = r.condition(tip, "when", f"{what}: self_care tip") if "when" in tip else None
        if tip_when is not None:
            check_condition(tip_when, tip, "when", f"{what}: self_care tip")
        tips.append(Tip(r.text(tip, "say", what, REGION_PLACEHOLDERS), r.text(tip, "source", what, set()),
                        _levels(r, tip, f"{what}: self_care tip") if "levels" in tip else None, tip_when))
    see_doctor = _see_doctor(r, entry, level, what)
    sources = entry["sources"]
    if not isinstance(sources, list) or not sources or not all(isinstance(s, str) and s for s in sources):
        r.fail(f"{what} has no sources", entry, "sources",
               fix="list where its facts come from, e.g. [NHS sciatica, seed 001]")
    if not isinstance(entry["serious"], bool):
        r.fail(f"{what}: serious must be true or false", entry, "serious")
    if not isinstance(entry["prior"], (int, float)) or isinstance(entry["prior"], bool):
        r.fail(f"{what}: prior must be a number", entry, "prior")
    return Cause(
        cid, r.text(entry, "name", what, set()), r.text(entry, "description", what, REGION_PLACEHOLDERS),
        entry["serious"], float(entry["prior"]), level, tuple(evidence), tuple(tips),
        see_doctor, tuple(sources), requires,
    )


def _level(r: _Reader, entry: Mapping, key: str, what: str) -> Disposition:
    try:
        return Disposition(entry[key])
    except ValueError:
        r.fail(f"{what}: unknown level {entry[key]!r}", entry, key,
               fix="use emergency, urgent, soon or self_care")


def _levels(r: _Reader, entry: Mapping, what: str) -> frozenset[Disposition]:
    """A `levels:` list of advice levels."""
    value = entry["levels"]
    if not isinstance(value, list) or not value:
        r.fail(f"{what}: levels must be a non-empty list", entry, "levels",
               fix="list the outcome levels it fits, e.g. [self_care, soon]")
    levels = set()
    for item in value:
        try:
            levels.add(Disposition(item))
        except ValueError:
            r.fail(f"{what}: unknown level {item!r} in levels", entry, "levels",
                   fix="use emergency, urgent, soon or self_care")
    return frozenset(levels)


def _see_doctor(r: _Reader, entry: Mapping, level: Disposition, what: str) -> dict[Disposition, str]:
    """`see_doctor`: one text (said when the outcome is at the cause's own level), or texts by level."""
    value = entry["see_doctor"]
    if isinstance(value, str):
        return {level: r.text(entry, "see_doctor", what, REGION_PLACEHOLDERS)}
    texts = r.mapping(value, f"{what}: see_doctor", entry, "see_doctor")
    result = {}
    for key in texts:
        try:
            at = Disposition(key)
        except ValueError:
            r.fail(f"{what}: see_doctor has unknown level {key!r}", texts, key,
                   fix="key each text by the outcome level it is said at: emergency, urgent, soon, self_care")
        result[at] = r.text(texts, key, f"{what}: see_doctor", REGION_PLACEHOLDERS)
    return result


def _rules(r: _Reader, name: str, levels: set[Disposition], causes: dict, check_condition) -> tuple[Rule, ...]:
    rules, seen = [], set()
    with r.item():
        data = r.load(name)
        if not isinstance(data, list):
            r.fail(f"{name} must be a list of rules")
        for entry in data:
            with r.item():
                rules.append(_rule(r, name, entry, data, levels, causes, check_condition, seen))
    return tuple(rules)


def _rule(r: _Reader, name: str, entry: object, data: list, levels: set[Disposition], causes: dict,
          check_condition, seen: set[str]) -> Rule:
    """One rule of red_flags.yaml or escalations.yaml."""
    allowed = " or ".join(sorted(level.value for level in levels))
    entry = r.mapping(entry, "a rule", data)
    r.keys(entry, {"id", "when", "level", "suspects", "advice", "source"}, {"unsure_level", "action"}, "a rule")
    rid = str(entry["id"])
    what = f"rule {rid!r}"
    if rid in seen:
        r.fail(f"{what} is defined twice", entry, "id")
    seen.add(rid)
    level = _level(r, entry, "level", what)
    if level not in levels:
        kind = "a red flag" if name == "red_flags.yaml" else "an escalation"
        r.fail(f"{what} is {kind} with level {level.value!r}", entry, "level",
               fix=f"{kind} must be {allowed}" + (
                   "; move milder reasons to see a doctor to escalations.yaml" if name == "red_flags.yaml" else ""))
    if "unsure_level" in entry:
        unsure = _level(r, entry, "unsure_level", what)
    else:
        unsure = Disposition.URGENT if level is Disposition.EMERGENCY else level
    if unsure.rank > level.rank:
        r.fail(f"{what}: unsure_level is more urgent than level", entry, "unsure_level")
    if name == "red_flags.yaml" and unsure.rank < Disposition.URGENT.rank:
        r.fail(f"{what}: a red flag answered 'not sure' must stay at least urgent", entry, "unsure_level",
               fix="use urgent or emergency: a 'not sure' is never read as no")
    cond = r.condition(entry, "when", what)
    check_condition(cond, entry, "when", what)
    suspects = entry["suspects"]
    if not isinstance(suspects, list) or not all(s in causes or r.is_broken(f"cause:{s}") or r.is_broken("causes")
                                                 for s in suspects):
        bad = [s for s in suspects or [] if s not in causes] if isinstance(suspects, list) else suspects
        r.fail(f"{what}: unknown suspected cause {bad!r}", entry, "suspects",
               fix="list cause ids from causes.yaml")
    action = r.text(entry, "action", what, REGION_PLACEHOLDERS) if "action" in entry else ""
    return Rule(rid, cond, level, unsure, tuple(suspects),
                r.text(entry, "advice", what, REGION_PLACEHOLDERS), r.text(entry, "source", what, set()), action)


def _default_reason(cond: Condition, findings: dict[str, Finding]) -> str | None:
    if isinstance(cond, Fact) and cond.finding in findings:
        return findings[cond.finding].yes_reason
    if isinstance(cond, Not) and isinstance(cond.part, Fact) and cond.part.finding in findings:
        return findings[cond.part.finding].no_reason
    return None


def _check_kinds(cond: Condition, value_findings: dict[str, Kind], questions: dict, fail) -> None:
    """Yes/no tests on yes/no findings, number tests on numbers, choice tests on choices."""
    stack = [cond]
    while stack:
        c = stack.pop()
        parts = getattr(c, "parts", None) or ([c.part] if isinstance(c, Not) else [])
        stack.extend(parts)
        if isinstance(c, Fact) and c.finding in value_findings:
            fail(f"{c.finding!r} is answered with a {value_findings[c.finding].value}, not yes or no")
        if isinstance(c, NumberTest) and value_findings.get(c.finding) is not Kind.NUMBER:
            fail(f"{c.finding!r} is not a number")
        if isinstance(c, ChoiceTest):
            if value_findings.get(c.finding) is not Kind.CHOICE:
                fail(f"{c.finding!r} is not a choice")
            q = next(q for q in questions.values() if q.findings == (c.finding,))
            bad = [v for v in c.values if v not in {ch.id for ch in q.choices}]
            if bad:
                fail(f"{bad[0]!r} is not a value of {c.finding!r}")


def _check_graph(nodes: dict[str, Node], start: str, fail) -> None:
    """No cycles, no orphans; with default branches and existing targets every path ends at outcome."""
    state: dict[str, int] = {}  # 1 visiting, 2 done
    order: list[str] = []

    def visit(nid: str, path: list[str]) -> None:
        state[nid] = 1
        for b in nodes[nid].branches:
            if b.target == OUTCOME:
                continue
            if state.get(b.target) == 1:
                loop = " -> ".join(path[path.index(b.target):] + [nid, b.target]) if b.target in path else f"{nid} -> {b.target}"
                fail(f"the tree has a cycle: {loop}", nid, "make the branch go forward to a later node or `outcome`")
            if b.target not in state:
                visit(b.target, path + [nid])
        state[nid] = 2
        order.append(nid)

    visit(start, [])
    orphans = [n for n in nodes if n not in state]
    if orphans:
        fail(f"node {orphans[0]!r} can never be reached from the start", orphans[0],
             "branch to it from another node, or delete it")
    _ = number_tests  # re-exported for the engine
