"""One clear message per outcome.

The outcome states one action and one time frame: every sentence that is not an "if ..." names no
other level's action or time frame than the disposition's, and an "if ..." names only a more
urgent one. Checked over every outcome the test patients of tests/vignettes/ reach through the
real session, and on the content itself: every tip and see-a-doctor text can be spoken somewhere.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from helpers import of
from helpers import run_session as run_typed

from bench.evaluation.patient import SessionResult
from bench.evaluation.vignettes import DEFAULT_VIGNETTE_DIR, Vignette, load_vignettes
from voice.app.summary import summarize
from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import Events
from voice.dialog.session import Session
from voice.errors import ContentError
from voice.triage.advice import rank
from voice.triage.engine import Triage
from voice.triage.loader import load_content
from voice.triage.model import Disposition
from voice.triage.sources import citations

VIGNETTES = load_vignettes(DEFAULT_VIGNETTE_DIR)
SHIPPED = load_content()
UK = SHIPPED.regions["uk"]

# Words that name an action or a time frame, each with the level it belongs to (UK region, the
# default). A level may have several time frames ("in the next few days" and "in the next week or
# two" are both soon): an outcome keeps to the ones its disposition's own advice names.
FRAMES: dict[str, tuple[Disposition, re.Pattern]] = {
    "999": (Disposition.EMERGENCY, re.compile(r"\b999\b")),
    "A and E": (Disposition.EMERGENCY, re.compile(r"\bA and E\b")),
    "emergency": (Disposition.EMERGENCY, re.compile(r"\bemergency\b", re.I)),
    "today": (Disposition.URGENT, re.compile(r"\btoday\b|\bsame day\b|\bwithin a day\b", re.I)),
    "NHS 111": (Disposition.URGENT, re.compile(r"\bNHS 111\b")),
    "book": (Disposition.SOON, re.compile(r"\bbook\b|\bappointment\b", re.I)),
    "week or two": (Disposition.SOON, re.compile(r"\bweek or two\b", re.I)),
    "few days": (Disposition.SOON, re.compile(r"\bfew days\b", re.I)),
    "coming weeks": (Disposition.SOON, re.compile(r"\bcoming weeks\b|\bfew weeks\b", re.I)),
    "at home": (Disposition.SELF_CARE, re.compile(r"\bat home\b", re.I)),
}
CONDITIONAL = re.compile(r"(^|\W)if\b", re.I)
MAX_WORDS = 25
"""Longest sentence, in words, that a listener can take in at once."""
SAFETY_NET_SIGNS = (
    ("pee or poo", "new trouble starting or controlling pee or poo"),
    ("numbness between your legs", "numbness between the legs"),
    ("numbness or weakness in both legs", "numbness or weakness in both legs"),
    ("getting weaker", "a weak leg getting weaker (an emergency, as the rule makes it)"),
)
"""Signs every outcome but an emergency names; the fever and one-leg signs are named only where
they would change the level (soon and self-care) and the person does not have them already."""


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.?!])\s+", text.strip()) if s]


def frames_named(sentence: str) -> set[str]:
    return {name for name, (_, pattern) in FRAMES.items() if pattern.search(sentence)}


def levels_named(sentence: str) -> set[Disposition]:
    return {FRAMES[name][0] for name in frames_named(sentence)}


def _own_frames() -> dict[Disposition, set[str]]:
    """The action and time frames each disposition's own advice names."""
    region = {"emergency_number": UK.emergency_number, "urgent_line": UK.urgent_line,
              "emergency_place": UK.emergency_place}
    return {level: frames_named(text.advice.format(**region)) for level, text in SHIPPED.dispositions.items()}


OWN_FRAMES = _own_frames()


def contradictions(disposition: Disposition, text: str) -> list[str]:
    """Sentences that name another action or time frame than the disposition's own: a plain
    sentence may name only the frames of the disposition's advice; an "if ..." sentence (what to
    do if something changes) may name a more urgent level too, never a less urgent one."""
    bad = []
    for sentence in sentences(text):
        named = frames_named(sentence)
        if CONDITIONAL.search(sentence):
            wrong = {name for name in named if FRAMES[name][0].rank < disposition.rank}
        else:
            wrong = named - OWN_FRAMES[disposition]
        if wrong:
            bad.append(f"[{', '.join(sorted(wrong))}] {sentence}")
    return bad


@pytest.fixture(scope="module")
def outcomes(typed_sessions) -> dict[str, tuple[Vignette, SessionResult]]:
    """Every test patient through the real text session (shared with tests/test_vignettes.py)."""
    results = typed_sessions.all(VIGNETTES)
    for result in results:
        assert result.error is None, f"{result.vignette}: {result.error}"
        assert result.outcome_text, f"{result.vignette}: the outcome said nothing"
    return {v.id: (v, r) for v, r in zip(VIGNETTES, results, strict=True)}


# ------------------------------------------------------------------ the checker itself


def test_checker_reads_each_disposition_as_its_own_level():
    for level, text in SHIPPED.dispositions.items():
        advice = text.advice.format(emergency_number=UK.emergency_number, urgent_line=UK.urgent_line,
                                    emergency_place=UK.emergency_place)
        assert levels_named(advice) == {level}, advice
        assert not contradictions(level, advice)


def test_checker_catches_the_contradictions_of_the_review():
    emergency = "This needs emergency care. Call 999 now, or go straight to A and E."
    assert contradictions(Disposition.EMERGENCY, emergency + " A doctor should see you today.")
    soon = "Try to be seen in the next week or two."
    assert contradictions(Disposition.SOON, soon + " See a sports physiotherapist in the next few days.")
    assert contradictions(Disposition.URGENT, "Contact NHS 111 now. See a doctor in the coming weeks.")
    assert contradictions(Disposition.URGENT, "Contact NHS 111 now. Go to A and E now.")
    assert contradictions(Disposition.URGENT, "Contact NHS 111 now. If it is not easing, book a doctor.")
    assert not contradictions(Disposition.SOON, "Book an appointment. If you get a fever, get help today.")


# ------------------------------------------------------------------ every outcome the patients reach


@pytest.mark.slow
def test_one_action_and_one_time_frame(outcomes):
    problems = []
    for vid, (_, result) in outcomes.items():
        level = Disposition(result.disposition)
        first = sentences(result.outcome_text)[:2]
        assert level in set().union(*(levels_named(s) for s in first)), f"{vid}: {first}"
        problems += [f"{vid} ({level.value}): {bad}" for bad in contradictions(level, result.outcome_text)]
    assert not problems, "\n".join(problems)


@pytest.mark.slow
def test_every_sentence_short_enough_to_take_in_by_ear(outcomes):
    long = [f"{vid}: {len(s.split())} words: {s}" for vid, (_, r) in outcomes.items()
            for s in sentences(r.outcome_text) if len(s.split()) > MAX_WORDS]
    assert not long, "\n".join(long)


@pytest.mark.slow
def test_reasons_are_never_invented_from_not_sure(outcomes):
    """A finding answered "not sure" is never given as a reason as if it were yes."""
    checked = 0
    for vid, (vignette, result) in outcomes.items():
        for finding in vignette.unsure - vignette.yes:
            said_as_yes = SHIPPED.findings[finding].yes_reason
            assert f"because {said_as_yes}" not in result.outcome_text, vid
            assert f"and {said_as_yes}" not in result.outcome_text, vid
        if vignette.unsure and result.disposition == "urgent" and not result.red_flags == []:
            checked += "you were not sure about" in result.outcome_text
    assert checked >= 3, "too few test patients were named a cause because of a 'not sure'"


@pytest.mark.slow
def test_causes_that_cannot_apply_are_never_named(outcomes):
    for vid, (vignette, result) in outcomes.items():
        if "pregnant" not in vignette.yes | vignette.unsure:
            assert not {"pregnancy_sciatica", "pelvic_girdle_pain"} & set(result.causes), (vid, result.causes)
        if "cancer_history" not in vignette.yes:
            assert "cancer team" not in result.outcome_text, vid


@pytest.mark.slow
def test_pregnant_women_hear_the_anti_inflammatory_warning_first(outcomes):
    pregnant = [(v, r) for v, r in outcomes.values() if "pregnant" in v.yes]
    assert len(pregnant) >= 3
    for vignette, result in pregnant:
        text = result.outcome_text
        assert "Ask a pharmacist whether an anti-inflammatory" not in text, vignette.id
        pregnancy_first = result.causes[0] in ("pregnancy_sciatica", "pelvic_girdle_pain")
        if result.disposition != "emergency" and pregnancy_first:
            intro = {"urgent": "self_care_intro_urgent"}.get(result.disposition, "self_care_intro")
            tips = text.split(SHIPPED.say(intro), 1)[1]
            assert sentences(tips)[0].startswith("Do not take anti-inflammatory painkillers"), vignette.id


@pytest.mark.slow
def test_pregnancy_warning_signs_lead_to_the_maternity_unit_alone(outcomes):
    """One action: "call your maternity unit", never "contact NHS 111" beside it. (An emergency, such
    as an ectopic pregnancy with faintness, is the emergency number's.)"""
    warned = [(v, r) for v, r in outcomes.values() if "pregnancy_warning" in v.yes and "pregnant" in v.yes
              and r.disposition != "emergency"]
    assert warned
    for vignette, result in warned:
        first, *rest = sentences(result.outcome_text)[:2]
        assert "maternity unit" in " ".join([first, *rest]), vignette.id
        plain = [s for s in sentences(result.outcome_text) if not CONDITIONAL.search(s)]
        assert not any("NHS 111" in s for s in plain), vignette.id


@pytest.mark.slow
def test_escalation_advice_reaches_the_person(outcomes):
    """The advice of escalations.yaml is spoken when the outcome is at its level."""
    said = set()
    for _, result in outcomes.values():
        for rule in SHIPPED.escalations:
            if rule.advice.split(". ")[0] in result.outcome_text:
                said.add(rule.id)
    assert {"pregnant", "walking_cramp", "possible_hamstring_tear", "inflammatory_back_pain", "getting_worse",
            "new_pain_over_50"} <= said, said


@pytest.mark.slow
def test_the_safety_net_names_the_signs_to_remember(outcomes):
    for vid, (vignette, result) in outcomes.items():
        if result.disposition == "emergency":
            continue
        text = result.outcome_text.lower()
        missing = [name for words, name in SAFETY_NET_SIGNS if words not in text]
        assert not missing, f"{vid}: the safety-net does not name {missing}"
        if "fever" in vignette.yes:
            assert "if you get a fever" not in text, vid
        elif result.disposition in ("soon", "self_care"):
            assert "if you get a fever" in text, vid
        if "leg gets weaker" in text or "leg becomes weak" in text:
            assert result.disposition in ("soon", "self_care"), f"{vid}: 111 for a weakening leg"


# ------------------------------------------------------------------ the content


def _limit(level: Disposition) -> int:
    return 2 if level is Disposition.EMERGENCY else 3


def _levels_said_at(cause) -> list[Disposition]:
    """The outcome levels at which a cause can come first: its own and above, and for a serious
    cause named by a red flag answered "not sure", urgent."""
    urgent = Disposition.URGENT
    lowest = urgent if cause.serious and cause.level.rank > urgent.rank else cause.level
    return [lv for lv in Disposition if lv.rank >= lowest.rank]


def test_every_self_care_tip_can_be_spoken():
    """Only the first tips that fit are spoken: each tip must be among them at some level (tips
    with a `when` may be absent, so they never push a later tip out in this count)."""
    unreachable = []
    for cause in SHIPPED.causes.values():
        levels = _levels_said_at(cause)
        for i, tip in enumerate(cause.self_care):
            before = [[t for t in cause.self_care[:i] if t.fits(lv) and t.when is None] for lv in levels]
            if not any(tip.fits(lv) and len(b) < _limit(lv) for lv, b in zip(levels, before, strict=True)):
                unreachable.append(f"{cause.id}: {tip.say}")
    assert not unreachable, "\n".join(unreachable)


def test_see_doctor_is_only_keyed_by_levels_it_can_be_said_at():
    for cause in SHIPPED.causes.values():
        for level in cause.see_doctor:
            assert level in _levels_said_at(cause), f"{cause.id}: see_doctor {level.value} is never said"


def test_content_agrees_with_its_own_levels():
    """Tips, see-a-doctor texts and rule advice pass the same checker at the levels they are said at."""
    def filled(text: str) -> str:
        return text.format(emergency_number=UK.emergency_number, urgent_line=UK.urgent_line,
                           emergency_place=UK.emergency_place)

    problems = []
    for cause in SHIPPED.causes.values():
        for level, text in cause.see_doctor.items():
            problems += [f"{cause.id} see_doctor: {b}" for b in contradictions(level, filled(text))]
        for tip in cause.self_care:
            for level in _levels_said_at(cause):
                if tip.fits(level):
                    problems += [f"{cause.id} tip at {level.value}: {b}"
                                 for b in contradictions(level, filled(tip.say))]
    for rule in SHIPPED.red_flags + SHIPPED.escalations:
        for text in (rule.advice, rule.action):
            problems += [f"{rule.id}: {b}" for b in contradictions(rule.level, filled(text))]
    assert not problems, "\n".join(problems)


def test_pregnancy_causes_require_pregnancy():
    for cid in ("pregnancy_sciatica", "pelvic_girdle_pain"):
        assert SHIPPED.causes[cid].requires is not None
        assert "pregnant" in SHIPPED.causes[cid].requires.findings()


SEED_000 = ("thehealthboard.com (seed 000), What are the most common causes of buttock and leg pain?, "
            "https://thehealthboard.com/what-are-the-most-common-causes-of-buttock-and-leg-pain.htm, "
            "checked 2026-12-07")
HEAT_TIP = f'    - {{say: "Use heat.", source: "{SEED_000}"}}\n'


@pytest.mark.parametrize("old, new, message", [
    ('  see_doctor: "See a doctor today."\n', '  see_doctor:\n    later: "See a doctor."\n',
     "see_doctor has unknown level 'later'"),
    (HEAT_TIP, HEAT_TIP.replace("}", ", levels: [someday]}"), "unknown level 'someday' in levels"),
    (HEAT_TIP, HEAT_TIP.replace("}", ", when: no_such_finding}"), "unknown finding 'no_such_finding'"),
], ids=["see_doctor_level", "tip_level", "tip_when"])
def test_bad_outcome_tags_are_clear_errors(mini_copy, old, new, message):
    path = mini_copy / "causes.yaml"
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError, match=re.escape(message)):
        load_content(mini_copy)


def _citations_used() -> dict[str, str]:
    """Every citation of the shipped content, and the first place that uses it."""
    used: dict[str, str] = {}
    texts = []
    for cause in SHIPPED.causes.values():
        texts += [(tip.source, f"cause {cause.id}") for tip in cause.self_care]
        texts += [(text, f"cause {cause.id}") for text in cause.sources]
    texts += [(rule.source, f"rule {rule.id}") for rule in SHIPPED.red_flags + SHIPPED.escalations]
    texts += [(q.source, f"question {q.id}") for q in SHIPPED.questions.values() if q.source]
    for text, where in texts:
        for found in citations(text):
            assert not isinstance(found, str), f"{where}: {found}"  # the loader rejects these
            used.setdefault(found.address, where)
    return used


def test_every_source_is_traceable():
    """Each source names publisher, title, https address and the date it was checked (the loader
    checks the form), was checked by now, and its address is in content/README.md's Sources table
    with the reason it was chosen."""
    readme = (Path(SHIPPED.folder) / "README.md").read_text(encoding="utf-8")
    table = readme.split("\n## Sources\n", 1)[1]
    used = _citations_used()
    assert len(used) >= 30
    missing = [f"{address} (first used by {where})" for address, where in sorted(used.items())
               if f"<{address}>" not in table]
    assert not missing, "sources not listed in content/README.md: " + ", ".join(missing)


# ------------------------------------------------------------------ units, on the small fixture content


def test_a_not_sure_is_named_as_not_sure_in_the_reasons_and_the_summary(mini, grammar):
    events, session = run_typed(mini, grammar, ["not sure", "no", "35", "yes", "3 weeks", "yes"])
    (outcome,) = of(events, "outcome")
    assert outcome["disposition"] == "urgent"
    assert outcome["causes"][0]["because"] == ["you were not sure about numb bottom or pee changes"]
    assert "may be numb" not in outcome["text"] and "may have changed" not in outcome["text"]
    # What to do if the person finds they do have the sign, and no emergency advice as if they had it.
    assert mini.say("outcome_unsure_emergency").format(emergency_number="999") in outcome["text"]
    assert mini.red_flags[0].advice not in outcome["text"]
    summary = summarize(session, "complete")
    assert summary.red_flags and all(flag.endswith("(not sure)") for flag in summary.red_flags)


def test_a_rule_with_an_action_says_it_first(mini_copy, grammar):
    path = mini_copy / "red_flags.yaml"
    text = path.read_text()
    fever = text.index("- id: fever")
    source = text.index("  source:", fever)
    end = text.index("\n", source) + 1
    path.write_text(text[:end] + '  action: "Call your fever clinic today."\n' + text[end:])
    content = load_content(mini_copy)
    events, session = run_typed(content, grammar, ["no", "yes", "no", "35", "yes", "3 weeks", "yes"])
    (outcome,) = of(events, "outcome")
    assert outcome["disposition"] == "urgent"
    assert outcome["text"].startswith("Call your fever clinic today.")
    assert content.dispositions[Disposition.URGENT].advice.split(".")[0] not in outcome["text"]
    assert summarize(session, "complete").advice == "Call your fever clinic today."


@pytest.mark.parametrize("pregnant, named", [(None, False), ("no", False), ("unsure", True), ("yes", True)],
                         ids=["not_asked", "no", "not_sure", "yes"])
def test_a_pregnancy_cause_is_named_only_when_pregnancy_is_yes_or_not_sure(pregnant, named):
    triage = Triage(SHIPPED)
    values = {"age": 75, "pain_below_knee": "yes", "leg_numbness": "yes"}
    if pregnant is not None:
        values["pregnant"] = pregnant
    triage.answers.values.update(values)
    ranked = {rc.cause.id for rc in rank(SHIPPED, triage.answers)}  # every cause that may be named
    assert ("pregnancy_sciatica" in ranked) is named, ranked
    if not named:
        assert "pregnancy_sciatica" not in {rc.cause.id for rc in triage.outcome().causes}


def test_tips_keep_to_their_levels_and_conditions():
    """The top cause's tips as the session picks them: the pregnancy ones only in pregnancy (the
    anti-inflammatory warning first), the limp one only after a fall, the level's own tips only."""
    def tips(cause_id: str, level: Disposition, **values) -> list[str]:
        triage = Triage(SHIPPED)
        triage.answers.values.update(values)
        cause = SHIPPED.causes[cause_id]
        return [t.say for t in cause.self_care
                if t.fits(level) and (t.when is None or t.when.evaluate(triage.answers) is True)][:3]

    assert not any("cancer team" in t for t in tips("spinal_cancer", Disposition.URGENT, weight_loss="yes"))
    kidney = "As you are pregnant, call your maternity unit today as well."
    assert tips("kidney_infection", Disposition.URGENT, pregnant="yes")[0] == kidney
    assert kidney not in tips("kidney_infection", Disposition.URGENT, pregnant="unsure")
    limp = "A limp can strain the back and buttock too."
    assert any(t.startswith(limp) for t in tips("muscle_strain", Disposition.SELF_CARE, fall_or_injury="yes"))
    assert not any(t.startswith(limp) for t in tips("muscle_strain", Disposition.SELF_CARE))
    pregnant = tips("muscle_strain", Disposition.SELF_CARE, pregnant="yes")
    assert pregnant[0].startswith("In pregnancy, do not take")
    assert not any("anti-inflammatory painkiller is safe" in t for t in pregnant)
    not_pregnant = tips("muscle_strain", Disposition.SELF_CARE)
    assert any("anti-inflammatory painkiller is safe" in t for t in not_pregnant)
    for cid in ("pregnancy_sciatica", "pelvic_girdle_pain"):
        assert tips(cid, Disposition.SOON, pregnant="yes")[0].startswith("Do not take anti-inflammatory")
    assert not any("call 999" in t.lower() for t in tips("dvt", Disposition.EMERGENCY))


def test_help_now_gives_one_action(grammar):
    """"I need help now": call, unlock the door and stay where you are; never "or go to A and E"."""
    events, _ = run_typed(SHIPPED, grammar, ["I need help now"])
    (outcome,) = of(events, "outcome")
    assert outcome["disposition"] == "emergency"
    assert outcome["text"] == SHIPPED.say("help_now").format(emergency_number="999")
    assert "A and E" not in outcome["text"]


def test_every_outcome_sentence_in_the_content_is_short():
    """Each sentence the outcome can say, as written, is short enough to take in by ear."""
    texts = [(f"{r.id} advice", r.advice) for r in SHIPPED.red_flags + SHIPPED.escalations]
    texts += [(f"{r.id} action", r.action) for r in SHIPPED.red_flags + SHIPPED.escalations if r.action]
    texts += [(f"{level.value} advice", d.advice) for level, d in SHIPPED.dispositions.items()]
    for cause in SHIPPED.causes.values():
        texts += [(f"{cause.id} name", cause.name)]
        texts += [(f"{cause.id} tip", tip.say) for tip in cause.self_care]
        texts += [(f"{cause.id} see_doctor", text) for text in cause.see_doctor.values()]
    for key in ("outcome_unsure_emergency", "emergency_if", "not_diagnosis", "help_now", "offer_more"):
        texts.append((key, SHIPPED.say(key)))
    texts += [(f"{level.value} safety_net", line.say) for level, d in SHIPPED.dispositions.items()
              for line in d.safety_net]
    long = [f"{where}: {len(s.split())} words: {s}" for where, text in texts for s in sentences(text)
            if len(s.split()) > MAX_WORDS]
    assert not long, "\n".join(long)


def test_a_definite_yes_is_given_back_as_said_and_a_screen_yes_stays_hedged():
    """yes_reason follows a definite yes ("you said ..."); maybe_reason, for a screen of several signs
    answered yes, keeps "may"; the cauda equina signs (only ever asked together) keep "may"."""
    hedged = {f.id for f in SHIPPED.findings.values() if f.maybe_reason}
    assert {"fever", "chest_pain", "cold_pale_leg", "pregnancy_emergency"} <= hedged
    for finding in SHIPPED.findings.values():
        if finding.maybe_reason:
            assert finding.yes_reason.startswith("you said "), finding.id
            assert " may " in f" {finding.maybe_reason} ", finding.id
    for fid in ("saddle_numbness", "bladder_problem", "bowel_problem", "sexual_dysfunction", "both_legs_new"):
        assert " may " in f" {SHIPPED.findings[fid].yes_reason} ", fid


def test_a_pregnant_woman_not_sure_about_a_warning_sign_calls_her_maternity_unit(shipped, grammar):
    """Not sure whether the baby moves less, or whether fluid leaked: urgent, and the one action is
    her maternity unit's, as for a yes (the rule's `action_when_unsure`), never NHS 111 beside it."""
    said = {"age": "30", "pregnant_or_birth": "yes, I am pregnant", "duration": "two days",
            "pregnancy_screen": "not sure",
            "pregnancy_warning": "I'm not sure", "pain_score": "3", "readback_confirm": "yes"}
    out = io.StringIO()
    listener = ScriptedListener(answer=lambda expect: said.get(expect.question, "no"))
    session = Session(shipped, grammar, listener, TranscriptSpeaker(None), Events(out))
    session.run()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    (outcome,) = of(events, "outcome")
    assert outcome["disposition"] == "urgent"
    assert session.triage.answers.values["pregnancy_warning"] == "unsure"
    first, second = sentences(outcome["text"])[:2]
    assert "maternity unit" in first + " " + second
    assert not any("NHS 111" in s for s in sentences(outcome["text"]) if not CONDITIONAL.search(s))
