"""Free answers: the generic finding mechanism, durations by the clock, numbers, commands, the idle
kiosk, bad vocabulary files, and the cauda equina patient of issue 13 in a whole session."""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import date

import pytest
from helpers import of, run_session

from voice.app.text_io import ScriptedListener, TranscriptSpeaker
from voice.dialog.events import Events
from voice.dialog.session import Session, SessionSettings
from voice.errors import ContentError
from voice.triage.model import Kind, Question
from voice.understanding import Grammar, default_grammar_dir


def ask(findings: tuple[str, ...], kind: Kind = Kind.YES_NO) -> Question:
    return Question("probe", kind, findings, "Is it so?", "Is it so?", "", "", "")


@pytest.fixture
def folder(tmp_path):
    target = tmp_path / "grammar"
    shutil.copytree(default_grammar_dir(), target)
    return target


def answer(grammar: Grammar, text: str, question: Question | None):
    meaning = grammar.understand(text, question)
    if meaning is None:
        return None
    if meaning.command:
        return f"command:{meaning.command}"
    if meaning.out_of_range:
        return "out_of_range"
    return "wake" if meaning.wake else meaning.answer


def test_a_finding_said_is_a_yes_to_any_question_that_asks_about_it(folder):
    """The mechanism is keyed by finding id: a finding added to findings.yaml works on every question
    that lists it, alone or in a group, said plainly, denied or hedged."""
    (folder / "findings.yaml").write_text(
        (folder / "findings.yaml").read_text() + '\nankle_click:\n  "yes":\n    - ankle ... click*\n')
    grammar = Grammar.load(folder)
    alone, grouped = ask(("ankle_click",)), ask(("fever", "ankle_click"))
    for question in (alone, grouped):
        assert answer(grammar, "my ankle keeps clicking", question) == "yes"
        assert answer(grammar, "no, but my ankle clicks", question) == "yes"
        assert answer(grammar, "no my ankle doesn't click", question) == "no"
        assert answer(grammar, "my ankle isn't clicking", question) == "no"
        assert answer(grammar, "my ankle might be clicking", question) == "unsure"
    # A question that does not ask about it is not answered by it.
    assert answer(grammar, "my ankle keeps clicking", ask(("fever",))) is None


def test_every_finding_with_vocabulary_is_a_finding_of_the_content(grammar, shipped):
    known = set(shipped.findings)
    assert set(grammar.natural.words.findings) <= known


def test_the_red_flag_screen_reads_what_people_assert_and_deny(grammar, shipped):
    ces = shipped.questions["ces_screen"]
    for text in ("yes, I can't pee", "yes numbness", "yeah I'm numb down there", "I've wet myself",
                 "no numbness but I can't pee", "nope. actually yes, my bum is numb"):
        assert answer(grammar, text, ces) == "yes", text
    for text in ("no numbness down there", "I don't have any trouble peeing", "no, it's just the one leg",
                 "both legs have been bad for years, nothing new", "no i don't think i'm numb down there"):
        assert answer(grammar, text, ces) == "no", text
    assert answer(grammar, "yes and no", ces) == "unsure"
    # Someone else's illness is not the person's: asked again, not a yes.
    assert answer(grammar, "my mum had cancer", shipped.questions["cancer_history"]) is None


def test_a_shy_sexual_sign_with_nothing_as_its_subject_is_a_yes(grammar, shipped):
    """Round 6: "nothing's been working down there" was read as a leading no on the cauda equina
    screen (an emergency sent home). Said with "nothing" or "not" as the subject, it says the sign."""
    q = shipped.questions
    for text in ("bit embarrassing, but nothing's been working down there since Tuesday, and that's not"
                 " like me",
                 "nothing has been happening down there", "things haven't been working down there",
                 "it's not been working down there", "everything's stopped working down there",
                 "I can't perform", "my libido's gone", "nothing down there works"):
        for question in ("ces_screen", "sexual_dysfunction"):
            assert answer(grammar, text, q[question]) == "yes", (question, text)
    for text in ("nothing wrong down there", "no, my sex drive is fine", "nothing like that"):
        assert answer(grammar, text, q["ces_screen"]) == "no", text


def test_both_legs_sore_from_new_training_is_not_the_nerve_sign(grammar, shipped):
    """Rounds 5 and 6: "both legs are sore, but that's just from the training" sent a teenager to
    emergency. Explained by exercise it is not the sign asked alone, and not a yes to a screen (each
    sign is then asked alone); numbness, weakness or tingling said as well keeps it the sign."""
    q = shipped.questions
    explained = ("both legs are sore, but that's just from the training, she can feel everything fine",
                 "both legs ache after leg day", "both of them, the gym made them stiff")
    for text in explained:
        assert answer(grammar, text, q["both_legs_new"]) == "no", text
        assert answer(grammar, text, q["ces_screen_child"]) == "unsure", text
        assert answer(grammar, text, q["ces_screen"]) == "unsure", text
    for text in ("both legs numb since the gym", "both legs sore and tingly after squats",
                 "both legs are killing me since the gym",
                 "both legs are sore from the training but now I can't feel my bum"):
        for question in ("both_legs_new", "ces_screen"):
            assert answer(grammar, text, q[question]) == "yes", (question, text)


def test_go_back_is_a_command_only_when_said_as_one(grammar, shipped):
    """Round 8: "I keep having to go back" (to the toilet) was the back command, and a cauda equina
    patient was sent back to the age question 30 times."""
    q = shipped.questions
    for text in ("go back", "can we go back", "wait go back", "no, go back to the last question",
                 "go back one", "please go back", "go back a question please"):
        assert answer(grammar, text, q["ces_screen"]) == "command:back", text
    for text in ("I go, but it never feels like I've emptied properly, I keep having to go back",
                 "i have to go back to the loo a lot"):
        assert answer(grammar, text, q["ces_screen"]) == "yes", text


def test_round_nine_signs_in_own_words(grammar, shipped):
    """Round 9's three missed emergencies, each said in the person's own words."""
    q = shipped.questions
    for question, text in (
            ("ces_screen",
             "yeah. Things down there haven't been working since the weekend. Rather not say more."),
            ("weakness_worsening",
             "it was just catching my toes last week, now my foot slaps down and I'm tripping on kerbs"),
            ("major_trauma", "I got thrown over a fence, landed flat on my back on hard ground"),
            ("fever", "she's warm, I haven't got a thermometer but she's flushed and clingy")):
        assert answer(grammar, text, q[question]) == "yes", (question, text)
    assert answer(grammar, "I'd rather not say", q["ces_screen"]) == "unsure"
    # A denied sign does not keep a harmless explanation from counting.
    muscle = "both legs ache, the thighs mostly, but it's like muscle ache, no numbness or anything"
    assert answer(grammar, muscle, q["both_legs_new"]) == "no"
    assert answer(grammar, "both legs ache like a muscle ache and now numb", q["both_legs_new"]) == "yes"


def test_a_denial_that_is_itself_denied_is_not_a_no(grammar, shipped):
    """A finding's denial ("my chest is fine") said with a negation ("my chest is not fine") denied
    nothing: read as a no it turned red-flag yeses into noes. It leaves the answer not sure."""
    q = shipped.questions
    for question, text in (("chest_pain", "my chest is not fine"),
                           ("chest_pain", "my breathing isn't normal"),
                           ("weakness_worsening", "it isn't the same"), ("cold_pale_leg", "it's not warm"),
                           ("cannot_bear_weight", "yes I can stand, I walked here"),
                           ("general_screen", "I'm not fine at all"),
                           ("ces_screen", "things aren't normal down there")):
        assert answer(grammar, text, q[question]) == "unsure", text
    # A no that starts the answer agrees with the denial after it, and "just" says it against what
    # came before ("not weak, just sore").
    for question, text in (("chest_pain", "no my breathing is fine"), ("chest_pain", "no breathing's fine"),
                           ("leg_weakness", "no it's not weak just sore"), ("cold_pale_leg", "no it's warm"),
                           ("general_screen", "never, not at all"), ("general_screen", "no i'm fine")):
        assert answer(grammar, text, q[question]) == "no", text
    # A yes with a denial that it denies says yes twice.
    trousers = "Yes, my trousers are falling off me and I am not dieting."
    assert answer(grammar, trousers, q["weight_loss"]) == "yes"


def test_durations_are_reckoned_from_the_clock(grammar, shipped):
    duration = shipped.questions["duration"]
    grammar = Grammar.load()
    grammar.natural.today = lambda: date(2027, 1, 14)
    assert answer(grammar, "since Christmas", duration) == "one_to_six_weeks"
    assert answer(grammar, "since last tuesday", duration) == "less_than_week"
    assert answer(grammar, "since the 3rd", duration) == "one_to_six_weeks"
    assert answer(grammar, "since new year's eve", duration) == "one_to_six_weeks"  # not a number of years
    # "Less than" and "more than" move the count across the choices' bounds, however it is said.
    assert answer(grammar, "um less than a week i think", duration) == "less_than_week"
    assert answer(grammar, "more than 6 weeks", duration) == "more_than_six_weeks"
    assert answer(grammar, "nearly a week", duration) == "less_than_week"
    assert answer(grammar, "just over a week", duration) == "one_to_six_weeks"
    assert answer(grammar, "since mid december", duration) == "one_to_six_weeks"  # the 15th, not the 1st
    assert answer(grammar, "it started at the beginning of the month", duration) == "one_to_six_weeks"
    grammar.natural.today = lambda: date(2027, 6, 1)
    assert answer(grammar, "since Christmas", duration) == "more_than_six_weeks"
    grammar.natural.today = lambda: date(2026, 12, 29)
    assert answer(grammar, "since Christmas", duration) == "less_than_week"
    assert answer(grammar, "since the 3rd", duration) == "one_to_six_weeks"


def test_numbers_take_the_higher_and_refuse_the_impossible(grammar, shipped):
    age, pain = shipped.questions["age"], shipped.questions["pain_score"]
    assert answer(grammar, "seven maybe eight", pain) == 8
    assert answer(grammar, "8.5", pain) == 9
    assert answer(grammar, "12 out of 10", pain) == "out_of_range"
    assert answer(grammar, "-5", pain) == "out_of_range"
    assert answer(grammar, "-5", age) == "out_of_range"
    assert answer(grammar, "I'm 45 and I've had it 3 weeks", age) == 45
    assert answer(grammar, "I'm 150", age) == "out_of_range"
    assert answer(grammar, "33yo", age) == 33
    assert answer(grammar, "seven ouy of ten", pain) == 7  # a typo in "out of ten" is still the scale


def test_help_and_emergency_are_told_apart(grammar, shipped):
    ces = shipped.questions["ces_screen"]
    for text in ("I need help", "help me", "please help", "I can't breathe", "call an ambulance"):
        assert answer(grammar, text, ces) == "command:help_now", text
    assert answer(grammar, "could you speed it up a bit", ces) == "command:faster"  # not a yes
    for text in ("help", "can you help me understand", "help me understand the question",
                 "what's that supposed to mean", "I need help with this question"):
        assert answer(grammar, text, ces) == "command:help", text
    # Said not to need one, it is not a call for one.
    assert answer(grammar, "no, I don't need an ambulance", ces) == "no"
    assert answer(grammar, "I don't need help", ces) is None
    # An emergency said without the word "help" or an article, and what only sounds like one.
    for text in ("please call ambulance immediately", "somebody ring triple zero", "i think its a stroke",
                 "I've fallen and I can't get up", "my wife is choking"):
        assert answer(grammar, text, ces) == "command:help_now", text
    for text in ("no i can't get up the stairs easily", "my mum had a turn last year",
                 "i had a stroke five years ago"):
        assert answer(grammar, text, ces) != "command:help_now", text


def test_the_idle_kiosk_wakes_on_help_me_but_not_on_an_emergency(grammar):
    assert answer(grammar, "I need help", None) == "wake"
    assert answer(grammar, "help me", None) == "wake"
    assert answer(grammar, "please call an ambulance", None) == "command:help_now"
    assert answer(grammar, "I can't breathe", None) == "command:help_now"
    assert answer(grammar, "my leg hurts", None) is None
    # What a waiting room may say of something else is no alarm there; said to a question it is.
    for text in ("come quick", "somebody get the door"):
        assert answer(grammar, text, None) in (None, "wake"), text
    assert answer(grammar, "he's stopped breathing", None) == "command:help_now"


def test_the_listened_for_sentences_stay_the_grammar_s_own(grammar, shipped):
    """Free phrasing is read after recognition; recognizers still get the small sentence set."""
    ces = shipped.questions["ces_screen"]
    expect = grammar.expectation(ces, guard="yes")
    assert "yes i cant pee" not in expect.phrases and "i need help" not in expect.phrases
    assert expect.guarded and all(grammar.understand(p, ces).answer == "yes" for p in expect.guarded)


@pytest.mark.parametrize("old, new, message", [
    ("unsure: [yes and no,", 'unsure: ["(yes and no",', "is not a valid template"),
    ("  - command: none\n", "  - sometimes: [x]\n    command: none\n", "each command entry has"),
    ("  - command: none\n", "  - command: dance\n", "there is no command 'dance'"),
    ("  units: {hour:", "  units: {hour: many, hours:", "expected words mapped to numbers"),
    ('valentines: "02-14"', 'valentines: "02-30"', "'valentines', '02-30', is no day of the year"),
    ('valentines: "02-14"', 'valentines: "Feb 14"', "the date of 'valentines' is not month-day"),
    ("  weekday_aliases: {", "  weekday_aliases: {7: 8, ", "expected words mapped to words"),
])
def test_a_broken_phrasing_file_says_where_and_how_to_fix(folder, old, new, message):
    path = folder / "phrasing.yaml"
    text = path.read_text()
    assert old in text
    line = text[:text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError) as err:
        Grammar.load(folder)
    assert "phrasing.yaml" in str(err.value) and "fix:" in str(err.value) and message in str(err.value)
    # The line is the broken entry's own.
    found = int(re.search(r"phrasing\.yaml, line (\d+)", str(err.value))[1])
    assert found == line, (found, line)


@pytest.mark.parametrize("key", ["yes", "long_standing", "recent", "explained", "unexplained"])
def test_a_broken_finding_phrase_says_which_finding_in_which_file_and_line(folder, key):
    path = folder / "findings.yaml"
    text = path.read_text()
    path.write_text(text + f'\nankle_click:\n  "{key}": ["(ankle"]\n')
    with pytest.raises(ContentError) as err:
        Grammar.load(folder)
    assert "ankle_click" in str(err.value) and "(ankle" in str(err.value)
    # The findings file and the line of the broken list, not the phrasing file's name.
    assert f"findings.yaml, line {text.count(chr(10)) + 3}" in str(err.value), str(err.value)


def test_the_cauda_equina_patient_of_issue_13_gets_emergency_advice(shipped, grammar):
    """Typed as the patient typed it: taken as "not sure" and sent to 111 before."""
    lines = ["45", "yes, I can't pee", "yes numbness", "yeah I'm numb down there"]
    events, _ = run_session(shipped, grammar, lines)
    (outcome,) = of(events, "outcome")
    assert outcome["disposition"] == "emergency"
    heard = [h for h in of(events, "heard") if h["question"] == "ces_screen"]
    assert heard[0]["answer"] == "yes"


def test_a_whole_session_in_natural_words(shipped):
    """A person who never says a plain yes or no, a bare number or a listed duration still gets
    through, and an impossible age is asked again."""
    grammar = Grammar.load()
    grammar.natural.today = lambda: date(2027, 1, 14)
    said = {
        "ces_screen": ["no, it's just the one leg"], "leg_weakness": ["no, it's sore but it works"],
        "danger_screen": ["nothing of the sort"], "general_screen": ["can't say I have"],
        "age": ["-5", "my age is thirty one"], "pregnant": ["no, I'm a man"],
        "pain_below_knee": ["yes, right down to my foot"], "duration": ["since last tuesday"],
        "pain_score": ["seven maybe eight"],
    }

    def answer_for(expect):
        queue = said.get(expect.question)
        if queue:
            return queue.pop(0)
        return "yes that's right" if expect.question.startswith("readback") else "nope, not at all"

    out = io.StringIO()
    Session(shipped, grammar, ScriptedListener(answer=answer_for), TranscriptSpeaker(None), Events(out),
            settings=SessionSettings()).run()
    events = [json.loads(line) for line in out.getvalue().splitlines()]
    heard = {e["question"]: e["answer"] for e in of(events, "heard")}
    assert heard["ces_screen"] == "no" and heard["danger_screen"] == "no" and heard["general_screen"] == "no"
    assert heard["age"] == 31 and heard["pain_below_knee"] == "yes"
    assert [e["question"] for e in of(events, "nomatch")].count("age") == 1
    assert heard["duration"] == "less_than_week" and heard["pain_score"] == 8
    (outcome,) = of(events, "outcome")
    assert outcome["disposition"] in ("self_care", "soon")
    assert events[-1]["reason"] == "complete"


def test_the_recognizer_prompt_comes_from_the_grammar_with_what_the_turn_listens_for(grammar, shipped):
    """grammar/prompts.yaml reaches the recognizer in the turn's Expectation (speech reads no grammar
    file): Whisper is primed with the kind's answers whose words the turn listens for."""
    from voice.speech.whisper_input import build_prompt

    questions = shipped.questions
    age = grammar.expectation(questions["age"])
    assert "42." in age.prompt and "Not sure." in age.prompt
    assert build_prompt(age).startswith("Seven. Forty. 42.")
    screen = grammar.expectation(questions["ces_screen"])
    assert screen.prompt == ("Yes.", "No.", "Not sure.") and build_prompt(screen) == "Yes. No. Not sure."
    assert grammar.expectation(None).prompt and build_prompt(None) is None


def test_a_check_is_primed_with_its_own_replies(grammar):
    """A spoken "correct" to "I heard 45. Is that right?" was written "come in" with the yes/no
    prompt, and the question was asked again; a check's turn is primed with its replies."""
    from voice.speech.whisper_input import build_prompt
    from voice.triage.model import Kind, Question
    from voice.understanding.yes_no import CHECK

    question = Question(CHECK, Kind.YES_NO, (), "I heard 45. Is that right?", "", "", "", "")
    check = grammar.expectation(question)
    assert check.checking and build_prompt(check) == "Yes. Correct. No. That's wrong."
    assert [check.meaning(p.rstrip(".").lower()) for p in check.prompt] == ["yes", "yes", "no", "no"]


def test_a_malformed_prompts_file_is_a_content_error_naming_it(tmp_path):
    import shutil

    shutil.copytree(default_grammar_dir(), tmp_path / "grammar")
    (tmp_path / "grammar" / "prompts.yaml").write_text("yes_no: Yes.\n")
    with pytest.raises(ContentError, match="prompts.yaml"):
        Grammar.load(tmp_path / "grammar")


def test_a_malformed_yes_no_list_of_misheard_words_names_the_file_and_line(tmp_path):
    import shutil

    shutil.copytree(default_grammar_dir(), tmp_path / "grammar")
    (tmp_path / "grammar" / "misheard.yaml").write_text("teen_ty: {15: 50}\nyes_no: [uh huh, uh uh]\n")
    with pytest.raises(ContentError, match="yes_no") as raised:
        Grammar.load(tmp_path / "grammar")
    assert "misheard.yaml, line 2" in str(raised.value.where) and "uh huh" in raised.value.fix
