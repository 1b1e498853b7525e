"""Every hassil template of a grammar folder checked before use: one problem per bad template.

hassil parses a template only when it first matches or samples it, so a bracket left open or a
{list} that is defined nowhere would otherwise surface as a traceback in the middle of a session.
"""

from __future__ import annotations

import re
from pathlib import Path

from hassil.expression import Group, ListReference, RuleReference
from hassil.parse_expression import parse_sentence
from hassil.parser import ParseError

from ..errors import ContentError

TURNS = {"yes_no": "yes-or-no", "number": "number", "choice": "duration", "labels": "choice",
         "wake": "kiosk wake"}
"""How a kind of turn is called in messages."""
SUPPLIED_LISTS = {"number": {"value"}}
"""Slot lists the program itself gives a group (a number question's range)."""
_INLINE_RANGE = re.compile(r"-?\d+\.\.-?\d+(?:,\d+)?$")


def template_problems(folder: Path, data: dict[str, dict],
                      groups: dict[str, tuple[str, ...]]) -> list[ContentError]:
    """Every template of `data` (file stem -> parsed YAML) that hassil cannot parse, or that names a
    {list} or <rule> that the files it is used with do not define."""
    problems: list[ContentError] = []
    for stem, content in data.items():
        where = folder / f"{stem}.yaml"
        used_in = [kind for kind, files in groups.items() if stem in files]
        lists = {kind: SUPPLIED_LISTS.get(kind, set()).union(
                     *(_names(data[f], "lists") for f in groups[kind]))
                 for kind in used_in}
        rules = {kind: set().union(*(_names(data[f], "expansion_rules") for f in groups[kind]))
                 for kind in used_in}
        templates = [(f"expansion rule {name!r}", text, content.get("expansion_rules"), name)
                     for name, text in (content.get("expansion_rules") or {}).items()]
        intents = content.get("intents") or {}
        if not isinstance(intents, dict):
            problems.append(ContentError("`intents` must map intent names to their sentences",
                                         where=str(where), fix="see grammar/answers.yaml for the format"))
            continue
        for intent, body in intents.items():
            entries = body.get("data") if isinstance(body, dict) else None
            sentences = [s for e in entries or [] if isinstance(e, dict) for s in e.get("sentences") or []]
            if not sentences:
                problems.append(ContentError(
                    f"intent {intent!r} has no sentences", where=_at(where, intents, intent),
                    fix='write it as: data: [{sentences: ["..."]}]'))
            templates += [(f"intent {intent!r}", s, intents, intent) for s in sentences]
        for what, text, node, key in templates:
            at = _at(where, node, key)
            if not isinstance(text, str) or not text.strip():
                problems.append(ContentError(f"{what}: a sentence must be non-empty text, not {text!r}",
                                             where=at, fix="quote the sentence"))
                continue
            try:
                expression = parse_sentence(text).expression
            except ParseError as err:
                problems.append(ContentError(
                    f"{what}: the template {text!r} cannot be read: {err}", where=at,
                    fix="close every ( with ) and every [ with ]; put alternatives inside (a|b)"))
                continue
            for ref in _references(expression):
                if isinstance(ref, ListReference) and not _INLINE_RANGE.match(ref.list_name):
                    missing = [k for k in used_in if ref.list_name not in lists[k]]
                    if missing:
                        usable = sorted(set.intersection(*lists.values())) if lists else []
                        problems.append(ContentError(
                            f"{what}: the template {text!r} uses the list {{{ref.list_name}}}, which is not "
                            f"defined for {_turns(missing)} questions", where=at,
                            fix=f"define {ref.list_name} under `lists:` in {stem}.yaml, or "
                                + (f"use one of: {', '.join('{' + n + '}' for n in usable)}" if usable
                                   else "write the words out")))
                elif isinstance(ref, RuleReference):
                    missing = [k for k in used_in if ref.rule_name not in rules[k]]
                    if missing:
                        problems.append(ContentError(
                            f"{what}: the template {text!r} uses the rule <{ref.rule_name}>, which is not "
                            f"defined for {_turns(missing)} questions", where=at,
                            fix=f"define {ref.rule_name} under `expansion_rules:` in {stem}.yaml"))
    return problems


def _turns(kinds: list[str]) -> str:
    names = [TURNS.get(k, k) for k in kinds]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _names(content: dict, key: str) -> set[str]:
    value = content.get(key)
    return set(value) if isinstance(value, dict) else set()


def _at(path: Path, node: object, key: str) -> str:
    line = node.line_of(key) if hasattr(node, "line_of") else 0
    return f"{path}, line {line}" if line else str(path)


def _references(expression):
    if isinstance(expression, (ListReference, RuleReference)):
        yield expression
    elif isinstance(expression, Group):
        for item in expression.items:
            yield from _references(item)
