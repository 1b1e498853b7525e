"""Red-flag signs said shyly or round about, by class (blind round 13): "down below" said to feel
different, not needing to pee for hours, not knowing until too late, a foot that flaps or drags,
hobbling a step or two holding on, and both legs blamed on the muscles beside a denial. Each class is
held with the answers that must stay no beside it: a new phrase must not turn a denial into a yes."""

from __future__ import annotations

import pytest
from helpers import heard

DOWN_BELOW_NOT_THE_SAME = (
    "well, er, things downstairs don't feel the same, if you know what I mean",
    "things down there just aren't right", "everything down below doesn't feel the same",
    "things aren't right down below", "it hasn't felt the same down there since Saturday",
    "things down there haven't felt normal since the weekend",
)
DOWN_BELOW_AS_EVER = (
    "no, feels the same as ever down there", "everything down there is fine",
    "things downstairs are normal", "no, things down there are the same as ever",
    "no, it all feels the same down below",
)


@pytest.mark.parametrize("question", ["sexual_dysfunction", "saddle_numbness", "ces_screen"])
def test_down_below_said_not_to_feel_the_same_is_the_sign(grammar, shipped, question):
    """Round 13: "things downstairs don't feel the same, if you know what I mean" was not understood
    six times, and a man with sciatica and a new loss of sexual function was sent to urgent care."""
    q = shipped.questions[question]
    for text in DOWN_BELOW_NOT_THE_SAME:
        assert heard(grammar, text, q) == "yes", text
    for text in DOWN_BELOW_AS_EVER:
        assert heard(grammar, text, q) == "no", text
    if question != "saddle_numbness":  # not working is function, not feeling
        assert heard(grammar, "things downstairs haven't been working the way they should", q) == "yes"


NOT_NEEDED_TO_GO = (
    "I haven't actually needed to go since this morning, which isn't like me at all",
    "I haven't even had a wee since breakfast", "I've not actually needed a wee all day",
    "haven't passed water since lunchtime", "I haven't really needed to pee for hours",
)
NOT_KNOWING_UNTIL_TOO_LATE = (
    "this is embarrassing... I didn't know I needed to go until it was too late",
    "I didn't realise I needed to go", "I got caught short without any warning",
    "I had no warning I needed the loo",
    "I don't always feel that I need to go any more",
)
STILL_GOES_AS_ALWAYS = (
    ("bladder_problem", "I've been to the loo fine this morning"),
    ("bladder_problem", "no, I went for a wee as normal"),
    ("bladder_problem", "no, I always know when I need to go"),
    ("bladder_problem", "no, I get plenty of warning"),
    ("bladder_problem", "no, I've never been caught short"),
    ("bladder_problem", "I haven't had any wee problems since the op"),
    ("bladder_problem", "no, the pain came on with no warning when I went to lift the box"),
    ("bowel_problem", "no, I always know when I need to go"),
    ("bowel_problem", "no, I still get plenty of warning"),
    ("bowel_problem", "no, never been caught short"),
    ("ces_screen", "no, I've been to the loo fine this morning"),
)


def test_not_needing_to_go_for_hours_or_not_knowing_until_too_late_is_the_sign(grammar, shipped):
    """Round 13: not needing to pee since the morning (painless retention, GIRFT's pathway) and not
    knowing until too late (a bladder or bowel sign: on either question a yes) were not understood six
    times each."""
    q = shipped.questions
    for text in NOT_NEEDED_TO_GO:
        for question in ("bladder_problem", "ces_screen"):
            assert heard(grammar, text, q[question]) == "yes", (question, text)
    for text in NOT_KNOWING_UNTIL_TOO_LATE:
        for question in ("bladder_problem", "bowel_problem", "ces_screen"):
            assert heard(grammar, text, q[question]) == "yes", (question, text)
    for question, text in STILL_GOES_AS_ALWAYS:
        assert heard(grammar, text, q[question]) == "no", (question, text)


def test_a_foot_that_flaps_or_drags_is_leg_weakness(grammar, shipped):
    """Round 13: "my foot flaps down when I walk" (a foot drop) was not understood three times."""
    q = shipped.questions["leg_weakness"]
    for text in ("my foot flaps down when I walk", "my foot slaps on the floor", "the foot just flops",
                 "I'm dragging my foot", "I keep scuffing my toes", "my foot's gone floppy",
                 "I drag my leg a bit now"):
        assert heard(grammar, text, q) == "yes", text
    for text in ("my foot's fine", "no, my foot doesn't drag", "I can walk normally",
                 "no, it only hurts when I sit with my feet dangling",
                 "no, my legs are fine", "no, my foot isn't flapping or anything"):
        assert heard(grammar, text, q) == "no", text


def test_hobbling_a_step_or_two_holding_on_is_not_bearing_weight(grammar, shipped):
    """Round 13: an 84-year-old after a fall, "I can hobble a step or two holding on to the worktop",
    was not understood three times (issue 24: an older person who can only just hobble is an
    emergency, not urgent)."""
    q = shipped.questions["cannot_bear_weight"]
    for text in ("well, I can hobble a step or two holding on to the worktop",
                 "I can just about hobble with the frame, but only just",
                 "I can only shuffle a few steps", "I can only manage a few steps",
                 "she can walk if she's holding on to the furniture",
                 "I can barely stand"):
        assert heard(grammar, text, q) == "yes", text
    for text in ("I can walk normally", "no, I can walk fine", "no, I can walk fine without holding on",
                 "I'm walking about fine", "no, I can take a few steps, it's just sore"):
        assert heard(grammar, text, q) == "no", text


def test_a_muscle_ache_said_to_be_nothing_like_sciatica_is_not_the_nerve_sign(grammar, shipped):
    """Round 13: a statin user's "both legs ache, but it's the muscles, nothing like sciatica" went to
    emergency: the nerve word denied ("nothing like sciatica") kept the sign as if it were said. A
    nerve word said plainly still keeps it."""
    q = shipped.questions
    text = "both legs ache, but it's the muscles, nothing like sciatica"
    assert heard(grammar, text, q["both_legs_new"]) == "no"
    assert heard(grammar, text, q["ces_screen"]) == "unsure"
    for text in ("both legs ache, it's the muscles, but it feels like sciatica",
                 "both legs ache from the gym, not sure if it's sciatica",
                 "both legs ache, it's the muscles, but they're numb too"):
        for question in ("both_legs_new", "ces_screen"):
            assert heard(grammar, text, q[question]) == "yes", (question, text)


def test_round_trips_of_earlier_rounds_are_read(grammar, shipped):
    """Answers earlier rounds' patients were asked again for: a night a parent worries about, a nag at
    night, turning in bed a nightmare in pregnancy, and a boy "walking alright" (no limp)."""
    q = shipped.questions
    assert heard(grammar, "it's the nights that worry me, she's up crying with it and Calpol doesn't "
                 "touch it", q["night_pain"]) == "yes"
    assert heard(grammar, "it's there lying down too, it's a nag at night", q["night_pain"]) == "yes"
    assert heard(grammar, "she's up in the night with it, paracetamol doesn't touch it",
                 q["night_pain"]) == "yes"
    for text in ("she sleeps through the night", "no, it goes when I'm lying down", "no, it's fine at night",
                 "no, I just woke up with it on Monday", "no, I'm still resting it like they said"):
        assert heard(grammar, text, q["night_pain"]) == "no", text
    assert heard(grammar, "turning over in bed is a nightmare, and I go up the stairs one at a time",
                 q["pelvic_girdle"]) == "yes"
    assert heard(grammar, "he's walking alright, bit stiff on the stairs", q["limp"]) == "no"
