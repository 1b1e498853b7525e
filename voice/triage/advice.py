"""The advice for a set of answers: the rules that apply, the causes ranked, the disposition, the outcome.

Pure functions of the content and the answers; the engine (voice.triage.engine) calls them for the
answers given and for the answers as they would be after each possible answer to a question.
"""

from __future__ import annotations

from dataclasses import dataclass

from .causes import Cause
from .conditions import UNSURE, YES, Answers, Fact
from .model import Content, Disposition, Rule

MAX_CAUSES = 3


@dataclass(frozen=True)
class RankedCause:
    """One cause in the outcome, with the reasons drawn from what the person said."""

    cause: Cause
    score: float
    because: tuple[str, ...]


@dataclass(frozen=True)
class Outcome:
    """The advice at the end of a dialog."""

    disposition: Disposition
    red_flags: tuple[str, ...]
    """Finding ids behind the red flags that drove the advice."""
    rules: tuple[tuple[Rule, Disposition], ...]
    """Red flags and escalations that apply, with the level each applies at, most urgent first."""
    causes: tuple[RankedCause, ...]
    ended_early: bool
    """True when a red flag ended the dialog before the tree was finished."""


def applying_rules(content: Content, answers: Answers) -> list[tuple[Rule, Disposition, bool]]:
    """(rule, level it applies at, definite?) for every rule that applies, most urgent first."""
    result = []
    for rule in content.red_flags + content.escalations:
        if rule.when.evaluate(answers) is True:
            result.append((rule, rule.level, True))
        elif rule.when.evaluate(answers, unsure_as_yes=True) is True:
            result.append((rule, _unsure_level(rule, answers), False))
    result.sort(key=lambda item: -item[1].rank)
    return result


def _unsure_level(rule: Rule, answers: Answers) -> Disposition:
    """The level of a rule that holds only on "not sure" answers. A `unsure_level` above urgent
    needs the person's own "not sure" to that sign: a whole "any of these?" answered not sure
    only counts as urgent until each of its signs has been asked on its own."""
    if rule.unsure_level.rank <= Disposition.URGENT.rank or not answers.group_unsure:
        return rule.unsure_level
    own = answers.copy()
    for f in answers.group_unsure:
        own.values.pop(f, None)
    if rule.when.evaluate(own, unsure_as_yes=True) is True:
        return rule.unsure_level
    return Disposition.URGENT


def rank(content: Content, answers: Answers) -> list[RankedCause]:
    """The causes with a positive score, highest first (ties in the order of causes.yaml)."""
    ranked = []
    for index, cause in enumerate(content.causes.values()):
        if cause.requires and cause.requires.evaluate(answers, unsure_as_yes=True) is not True:
            continue  # it cannot apply (a pregnancy cause when pregnancy was denied or never asked)
        score = cause.prior
        reasons: list[tuple[float, str]] = []
        for ev in cause.evidence:
            if ev.when.evaluate(answers) is True:
                score += ev.weight
                if ev.weight > 0:
                    reasons.append((ev.weight, ev.because))
        reasons.sort(key=lambda r: -r[0])
        ranked.append((score, -index, RankedCause(cause, score, tuple(dict.fromkeys(r for _, r in reasons)))))
    ranked.sort(key=lambda item: (item[0], item[1]), reverse=True)
    return [rc for score, _, rc in ranked if score > 0]


def disposition(content: Content, answers: Answers, ranked: list[RankedCause] | None = None) -> Disposition:
    """The most urgent of the rules that apply and the level of the most likely cause."""
    level = Disposition.SELF_CARE
    for _rule, rule_level, _definite in applying_rules(content, answers):
        level = Disposition.most_urgent(level, rule_level)
    ranked = rank(content, answers) if ranked is None else ranked
    if ranked:
        level = Disposition.most_urgent(level, ranked[0].cause.level)
    return level


def advise(content: Content, answers: Answers, asked: list[str], ended_early: bool) -> Outcome:
    """The advice for these answers (`asked`: the question ids answered, in order)."""
    rules = applying_rules(content, answers)
    ranked = rank(content, answers)
    level = disposition(content, answers, ranked)
    red_rules = [(r, lvl) for r, lvl, _ in rules if r in content.red_flags]
    flags: list[str] = []
    for rule, _lvl in red_rules:
        for f in sorted(rule.when.findings()):
            if answers.values.get(f) in (YES, UNSURE) or any(f in g for g in answers.any_yes):
                if Fact(f).evaluate(answers, unsure_as_yes=True) or any(f in g for g in answers.any_yes):
                    flags.append(f)
    causes: list[RankedCause] = []
    by_id = {rc.cause.id: rc for rc in ranked}
    serious_first = [r for r, lvl in red_rules if lvl.rank >= Disposition.URGENT.rank]
    for rule in serious_first:
        for cid in rule.suspects:
            requires = content.causes[cid].requires
            if requires and requires.evaluate(answers, unsure_as_yes=True) is not True:
                continue  # it cannot apply (a pregnancy cause for someone not pregnant)
            if cid not in {c.cause.id for c in causes}:
                rc = by_id.get(cid)
                because = rc.because if rc and rc.because else _rule_reasons(content, answers, asked, rule)
                causes.append(RankedCause(content.causes[cid], rc.score if rc else 0.0, because))
    if level is not Disposition.EMERGENCY or not causes:
        for rc in ranked:
            if rc.cause.id not in {c.cause.id for c in causes}:
                if rc.cause.serious and not any(rc.cause.id in r.suspects for r, _ in red_rules):
                    # A serious cause is only named when a red flag points to it.
                    continue
                causes.append(rc)
    if level is not Disposition.EMERGENCY:
        causes = _explained_first(causes, set(flags))
    return Outcome(level, tuple(dict.fromkeys(flags)), tuple((r, lvl) for r, lvl, _ in rules),
                   tuple(causes[:MAX_CAUSES]), ended_early)


def _explained_first(causes: list[RankedCause], flags: set[str]) -> list[RankedCause]:
    """Below an emergency, a common cause that itself accounts for the warning sign (night pain
    in inflammatory back pain) and has more evidence for it (its score beyond how common it is)
    than every suspect of the red flags is named first; the level does not change, and the
    suspects are still named."""
    suspects = [rc for rc in causes if rc.cause.serious]
    if not suspects:
        return causes
    best = max(rc.score - rc.cause.prior for rc in suspects)
    explaining = [rc for rc in causes if not rc.cause.serious and rc.score - rc.cause.prior > best
                  and any(ev.weight > 0 and ev.when.findings() & flags for ev in rc.cause.evidence)]
    if not explaining:
        return causes
    lead = max(explaining, key=lambda rc: rc.score)
    rest = [rc for rc in causes if rc is not lead]
    return [lead, *rest]


def _rule_reasons(content: Content, answers: Answers, asked: list[str], rule: Rule) -> tuple[str, ...]:
    """Why a red flag's suspect is named: the findings said yes, then those answered "not sure",
    each as "you were not sure about ..." with the question's words (never as if it were yes)."""
    reasons = []
    unsure_questions: list[str] = []
    # A sign the person was not sure about on its own is named; the screen's "not sure" then adds nothing.
    own_unsure = any(answers.values.get(f) == UNSURE and f not in answers.group_unsure
                     for f in rule.when.findings())
    for f in sorted(rule.when.findings()):
        finding = content.findings.get(f)
        if finding and Fact(f).evaluate(answers) is True:
            reasons.append(finding.yes_reason)
        elif finding and answers.values.get(f) == UNSURE and not (own_unsure and f in answers.group_unsure):
            asking = [q for q in asked if f in content.questions[q].findings]
            if asking and asking[-1] not in unsure_questions:
                unsure_questions.append(asking[-1])
    for qid in unsure_questions:
        words = content.questions[qid].readback
        reasons.append(content.say("reason_unsure").format(what=words[:1].lower() + words[1:]))
    if not reasons:
        for group in answers.any_yes:
            if group & rule.when.findings():
                # A screen answered yes: which sign is not known, so the hedged words.
                reasons.extend(content.findings[f].maybe_reason or content.findings[f].yes_reason
                               for f in sorted(group)[:2])
    return tuple(reasons[:2])
