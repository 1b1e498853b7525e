"""Red-flag signs said in the person's own words, by class (blind round 12): the other leg joining in,
a sign said in few words or in a second language, a fall played down, weight refused in a carer's
words, and both legs blamed on the muscles or on tablets. Each class is held with the answers that
must stay no beside it: a new phrase must not turn a denial into a yes."""

from __future__ import annotations

import pytest
from helpers import heard

OTHER_LEG_JOINS = (
    "it was only ever the left, but since Tuesday the right one's joined in",
    "now the other leg has joined in", "the other leg's caught it now", "the right's in on it now",
    "now the left one has followed", "it's gone into the other leg", "it crossed over to the other leg",
    "it's started in my other leg", "the other side's kicked off as well",
    "the other leg's doing the same now", "it started on the left and now the right's got it too",
    "my good leg has started hurting as well", "the left was first, then the right followed on Sunday",
)
OTHER_LEG_STAYS_OUT = (
    "no, the other leg is fine", "the other one hasn't joined in", "the other leg hasn't caught it",
    "no, it hasn't gone into the other leg", "the other leg's never been affected", "no, only ever the left",
    "no, just the one leg", "both legs are fine", "no, nothing like that", "the right one's fine too",
    "the other leg is fine now",
)


def _each_read_as(grammar, shipped, pairs, meaning):
    """Every (question id, answer) of `pairs` means `meaning`."""
    for question, text in pairs:
        assert heard(grammar, text, shipped.questions[question]) == meaning, (question, text)


@pytest.mark.parametrize("question", ["both_legs_new", "ces_screen"])
def test_the_other_leg_joining_in_is_both_legs(grammar, shipped, question):
    """Round 12: "the right one's joined in" was not understood six times, and an emergency was sent
    to urgent care. The other leg joining in, following, catching it, or the pain going into it."""
    q = shipped.questions[question]
    for text in OTHER_LEG_JOINS:
        assert heard(grammar, text, q) == "yes", text
    for text in OTHER_LEG_STAYS_OUT:
        assert heard(grammar, text, q) == "no", text


TELEGRAPHIC_SIGNS = (
    ("bladder_problem", "pee not come. since morning, nothing. before always ok"),
    ("bladder_problem", "pee no come"), ("bladder_problem", "wee not coming since morning"),
    ("bladder_problem", "no pee come today"), ("bowel_problem", "poo not come"),
    ("bowel_problem", "poo no come three day"), ("leg_weakness", "leg no strong"),
    ("leg_weakness", "leg not strong now"), ("leg_weakness", "foot no lift"),
    ("leg_numbness", "foot no feel"), ("saddle_numbness", "bottom no feel"),
)
PLAIN_DENIALS = (
    ("bladder_problem", "nothing with my waterworks"), ("bladder_problem", "no, pee is fine"),
    ("bladder_problem", "pee ok, no problem"), ("bladder_problem", "I can pee fine"),
    ("bladder_problem", "no, pee come normal"), ("bowel_problem", "no, poo normal"),
    ("bowel_problem", "poo fine, no problem"), ("leg_weakness", "my leg is strong"),
    ("leg_weakness", "no, leg strong"), ("leg_numbness", "my foot doesn't feel numb"),
    ("leg_numbness", "foot not feel numb"), ("saddle_numbness", "no, bottom feel normal"),
    ("saddle_numbness", "no, nothing down there"),
)


def test_a_sign_said_in_few_words_is_the_sign_and_a_denial_stays_a_no(grammar, shipped):
    """Round 12: "pee not come ... nothing" (a man with little English, retaining urine) was read as
    a no to the cauda equina screen. In few words the negation describes the sign; a denial in few
    words ("pee come normal", "leg strong") stays a no."""
    q = shipped.questions
    for question, text in TELEGRAPHIC_SIGNS:
        assert heard(grammar, text, q[question]) == "yes", (question, text)
        if question in ("bladder_problem", "bowel_problem", "saddle_numbness"):
            assert heard(grammar, text, q["ces_screen"]) == "yes", text
    _each_read_as(grammar, shipped, PLAIN_DENIALS, "no")
    for text in ("nothing with my waterworks", "pee come fine, poo come fine", "nothing wrong down there"):
        assert heard(grammar, text, q["ces_screen"]) == "no", text
    # The urge gone, said with a negation (a round 2 patient was asked it six times).
    urge = "I just haven't felt like I need to go at all today, which isn't like me"
    assert heard(grammar, urge, q["ces_screen"]) == heard(grammar, urge, q["bladder_problem"]) == "yes"


FALLS_PLAYED_DOWN = (
    "well, she slid off the chair onto the carpet, it wasn't much of a fall really",
    "it wasn't much of a fall", "not a big fall, she just slid off the chair", "only a little knock",
    "she just slid off the chair", "her legs went from under her", "I found her on the floor",
    "she missed the chair", "she lost her footing on the step", "not really a fall, more of a stumble",
)
NO_FALL = (
    "I've not fallen", "no, I didn't fall or anything", "no, it just came on by itself",
    "no fall, nothing like that", "I haven't slipped or tripped", "she didn't slide off anything",
    "she hasn't lost her balance", "I haven't stumbled",
)


@pytest.mark.parametrize("question", ["fall_or_injury", "danger_screen"])
def test_a_fall_played_down_is_a_fall(grammar, shipped, question):
    """Round 12: a carer's "it wasn't much of a fall really" was a no, and a woman of 91 who slid off
    her chair was not asked whether she could bear weight."""
    q = shipped.questions[question]
    for text in FALLS_PLAYED_DOWN:
        assert heard(grammar, text, q) == "yes", text
    for text in NO_FALL:
        assert heard(grammar, text, q) == "no", text


def test_weight_refused_in_a_carer_s_words_is_not_bearing_weight(grammar, shipped):
    """Round 12: "she'll stand with her frame if we hold her, but she won't put her weight through that
    side" was not understood."""
    q = shipped.questions["cannot_bear_weight"]
    for text in ("she'll stand with her frame if we hold her, but she won't put her weight through that side",
                 "she won't put weight through it", "she won't stand on it unless held",
                 "she won't take her weight on that leg", "she keeps her weight off that leg",
                 "she only stands if we hold her up", "he's not putting any weight on it",
                 "she won't let that foot touch the floor", "she won't weight bear on it",
                 "she can't take a step without us holding her"):
        assert heard(grammar, text, q) == "yes", text
    for text in ("I can put weight on it fine", "she's walking on it", "she'll stand on it fine",
                 "he can stand and walk, just slowly"):
        assert heard(grammar, text, q) == "no", text


def test_both_legs_blamed_on_the_muscles_or_tablets_is_not_the_nerve_sign(grammar, shipped):
    """Round 12: a statin user's "both legs ache ... but it's the muscles, I think it's the tablets" was
    the cauda equina screen's both-legs sign (emergency; the muscle breakdown never asked about). Blamed
    on the muscles or tablets, asked alone it is a no, and on the screen not sure (each sign is then
    asked alone); numbness or weakness keeps it the sign, and so does an explanation denied or hedged."""
    q = shipped.questions
    for text in ("both legs ache, the thighs mostly, but it's the muscles, I think it's the tablets",
                 "both legs ache since I started the statin, it's a side effect of the tablets",
                 "no, well, both legs ache but that's from the gym"):
        assert heard(grammar, text, q["both_legs_new"]) == "no", text
        assert heard(grammar, text, q["ces_screen"]) == "unsure", text
    for text in ("both legs ache and they're weak, it's the tablets",
                 "both legs numb, I think it's the tablets", "both legs ache, I don't think it's the tablets",
                 "both legs ache, maybe it's the tablets", "both legs ache, it's not the muscles"):
        for question in ("both_legs_new", "ces_screen"):
            assert heard(grammar, text, q[question]) == "yes", (question, text)


ROUND_14_SIGNS = (
    ("calf_swelling", "it's puffed up compared to the other one, and warm"),
    ("danger_screen", "it's puffed up compared to the other one, and warm"),
    ("major_trauma", "well, she's a big horse, and we were going fast"),
    ("both_legs_weak", "not weak as such, they just feel like jelly and I've been tripping"),
    ("cancer_history", "the prostate, but they said it was all sorted"),
    ("general_screen", "the prostate, but they said it was all sorted"),
    ("pregnancy_warning",
     "now you ask, she's not been kicking as much as usual today, but she might be sleeping"),
    ("pregnancy_screen", "she hasn't been moving as much today"),
    # Round 15: a cancer had and gone is a cancer history.
    ("general_screen", "I had it years ago, all clear now though"),
    ("cancer_history", "I had it years ago, all clear now though"),
    ("cancer_history", "she's had it before, in her breast"),
    # Round 16: woken by it at 4 am, a stone lost, a bump going tight.
    ("night_pain", "I wake up about 4am with it, then it eases once I get moving"),
    ("weight_loss", "about a stone, and I'm eating the same"),
    ("pregnancy_warning", "my bump keeps going tight, regular like"),
    ("pregnancy_screen", "my bump keeps going tight, regular like"),
)
EXPLAINED_BY_SPORT = ("both legs ache, but that's from the PE lesson", "both legs ache after games",
                      "both my legs are stiff from tennis")
ROUND_14_DENIALS = (
    ("calf_swelling", "no, not puffed up"), ("major_trauma", "no, just a slow trot"),
    ("both_legs_weak", "no, just the one"), ("both_legs_weak", "they're fine"),
    ("cancer_history", "no, never"), ("cancer_history", "no, I've never had it"),
    ("night_pain", "I don't wake up with it"), ("night_pain", "no, I sleep fine"),
    ("weight_loss", "no, not even a pound"), ("pregnancy_warning", "no, my bump isn't going tight"),
    ("pregnancy_warning", "no, she's kicking as much as usual"),
    ("pregnancy_warning", "no, kicking loads"),
)


def test_round_14_signs_in_own_words_and_their_denials(grammar, shipped):
    """Round 14: a calf "puffed up" (a clot after a flight, read as no to the list because "warm" is
    no cold foot), a fall from a horse "going fast", legs "like jelly" and both, a cancer named by
    where it was, a baby "not kicking as much as usual"; each denial stays a no."""
    _each_read_as(grammar, shipped, ROUND_14_SIGNS, "yes")
    _each_read_as(grammar, shipped, ROUND_14_DENIALS, "no")
    q = shipped.questions
    # Both legs aching from a PE lesson or a game, like from training: no alone, each sign asked on
    # the screen; numb is still the sign.
    for text in EXPLAINED_BY_SPORT:
        assert heard(grammar, text, q["both_legs_new"]) == "no", text
        assert heard(grammar, text, q["ces_screen"]) == "unsure", text
    assert heard(grammar, "both legs are numb since the PE lesson", q["ces_screen"]) == "yes"
    # Round 15: long-standing said without "for"; a recent start keeps it the sign.
    years = "both legs, but it's been like that a couple of years"
    assert heard(grammar, years, q["both_legs_new"]) == "no"
    assert heard(grammar, years, q["ces_screen"]) == "unsure"
    assert heard(grammar, "both legs, it's been like that since Tuesday", q["ces_screen"]) == "yes"


A_BIRTH_IN_SIX_WEEKS = (
    "I had a baby four weeks ago", "no, but I had my baby three weeks ago", "I gave birth five weeks ago",
    "I'm not pregnant, I gave birth five weeks ago", "well I had the baby four weeks ago, if that counts",
    "she's two weeks old", "he's only ten days old", "c-section three weeks ago",
    "my little one was born a few weeks ago", "yes I had twins three weeks ago", "I'm postnatal",
    "yes i had a maybe four weeks ago",  # Whisper tiny's writing of a spoken "yes I had a baby ..."
    "yes, my little boy's a month old", "my baby is a month old", "I had her a month ago",
)
PREGNANT_NOW = ("yes, I'm 20 weeks", "I'm thirty weeks pregnant", "twenty weeks along", "yes, expecting")
NEITHER = ("no, my baby is four months old", "I had a baby last year", "no, I'm a man",
           "no, I had her five months ago", "no", "I'm past all that", "no, he's a year old",
           "no, I had twins 3 months ago")


def test_a_birth_in_the_last_six_weeks_said_as_people_say_it(grammar, shipped):
    """Round 3's postnatal patient said the birth only in passing ("I had the baby four weeks ago, if
    that counts"). Asked with pregnancy, a birth in the last six weeks, in days or weeks, or a baby's
    age, is a yes that names the birth; weeks pregnant name the pregnancy (not the birth); a birth
    months or years ago, or neither, is a no."""
    q = shipped.questions["pregnant_or_birth"]
    for text in A_BIRTH_IN_SIX_WEEKS:
        assert heard(grammar, text, q) == "yes", text
        assert grammar.named(text, q) == ("recent_birth",), text
    for text in PREGNANT_NOW:
        assert heard(grammar, text, q) == "yes", text
        assert "recent_birth" not in grammar.named(text, q), text
    for text in NEITHER:
        assert heard(grammar, text, q) in ("no", None), text
        assert heard(grammar, text, q) != "yes", text


ROUND_17_SIGNS = (
    ("fever", "not a temperature as such, but I've had the shakes in bed"),
    ("general_screen", "not a temperature as such, but I've had the shakes in bed"),
    ("fever", "I've been shivery at night"), ("fever", "I've had the sweats and the chills"),
    ("calf_swelling", "it looks fatter than the other one, and it's warm"),
    ("danger_screen", "it looks fatter than the other one, and it's warm"),
    ("calf_swelling", "my left calf is thicker than the other leg"),
    ("cold_pale_leg", "her foot's gone a whitey colour and it's freezing compared to the other one"),
    ("danger_screen", "her foot's gone a whitey colour and it's freezing compared to the other one"),
    ("cold_pale_leg", "it's colder than the other one"),
)
ROUND_17_DENIALS = (
    ("fever", "no, I haven't had the shakes"), ("fever", "no temperature, no shakes"),
    ("calf_swelling", "no, it's the same size as the other"),
    ("cold_pale_leg", "no, it's not colder than the other"), ("cold_pale_leg", "no, it's a normal colour"),
)


def test_round_17_signs_in_own_words_and_their_denials(grammar, shipped):
    """Round 17: the shakes in bed three weeks after a back injection (read as not sure: urgent for an
    emergency), a calf "fatter than the other one" after a long flight (the list read as no: self-care
    for a clot), and a carer's "whitey colour ... freezing compared to the other one" (asked six
    times). Each denial stays a no."""
    _each_read_as(grammar, shipped, ROUND_17_SIGNS, "yes")
    _each_read_as(grammar, shipped, ROUND_17_DENIALS, "no")
