"""Each kind of invalid content is rejected with the file, the line and a fix."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from voice.errors import ContentError
from voice.triage.loader import load_content

SEED_000 = ("thehealthboard.com (seed 000), What are the most common causes of buttock and leg pain?, "
            "https://thehealthboard.com/what-are-the-most-common-causes-of-buttock-and-leg-pain.htm, "
            "checked 2026-12-07")
"""The fixture content's citation of seed 000, as its causes.yaml writes it."""

# (id, file, text to replace, replacement, message pattern)
CASES = [
    ("unknown_key", "questions.yaml", "  rephrase: \"Fever?\"", "  rephrase: \"Fever?\"\n  txt: oops",
     r"questions\.yaml, line \d+: unknown key 'txt' in question 'fever'.*allowed keys are"),
    ("unknown_finding", "questions.yaml", "findings: [fever]", "findings: [fevers]",
     r"question 'fever' asks about unknown finding 'fevers'"),
    ("missing_node", "tree.yaml", "next: immune", "next: immun",
     r"tree\.yaml, line \d+: node 'fever' branches to missing node 'immun'"),
    ("dead_end", "tree.yaml", "      - {goto: lifting}", "      - {if: lifting_start, goto: lifting}",
     r"node 'knee' is a dead end"),
    ("cycle", "tree.yaml", "duration: {ask: duration, next: outcome}",
     "duration: {ask: duration, next: knee}", r"the tree has a cycle: .*knee"),
    ("orphan", "tree.yaml", "  duration: {ask: duration, next: outcome}",
     "  duration: {ask: duration, next: outcome}\n  lonely: {ask: fever, next: outcome}",
     r"node 'lonely' can never be reached"),
    ("after_red_flag_not_bool", "tree.yaml", "  age: {ask: age, next: knee}",
     "  age: {ask: age, next: knee, after_red_flag: sometimes}",
     r"tree\.yaml, line \d+: node 'age': `after_red_flag` must be true or false"),
    ("unknown_question", "tree.yaml", "ask: lifting_start", "ask: lifting",
     r"node 'lifting' asks unknown question 'lifting'"),
    ("no_self_care", "causes.yaml", f"    - {{say: \"Use heat.\", source: \"{SEED_000}\"}}\n", "    []\n",
     r"cause 'muscle_strain'.*self"),
    # Every source names publisher, title, https address and the date it was checked.
    ("source_short_name", "causes.yaml", f'source: "{SEED_000}"}}', "source: seed 000}",
     r"causes\.yaml, line \d+: cause 'muscle_strain': source 'seed 000' lacks an https:// address, the date "
     r"it was checked, a publisher and a title.*fix: write each source as 'PUBLISHER, TITLE, https://"),
    ("source_without_date", "red_flags.yaml", "/conditions/back-pain/, checked 2026-12-07",
     "/conditions/back-pain/",
     r"red_flags\.yaml, line \d+: .*source 'NHS, Back pain, https://www\.nhs\.uk/conditions/back-pain/' "
     r"lacks the date it was checked"),
    ("source_without_address", "causes.yaml", 'sources: ["NHS, Back pain, https://www.nhs.uk/conditions/back-pain/',
     'sources: ["NHS, Back pain, www.nhs.uk/conditions/back-pain/',
     r"causes\.yaml, line \d+: cause '\w+': source 'NHS, Back pain, www\.nhs\.uk/conditions/back-pain/, "
     r"checked 2026-12-07' lacks an https:// address"),
    ("source_without_title", "red_flags.yaml", '"NHS, Sciatica, https://www.nhs.uk/conditions/sciatica/',
     '"NHS, https://www.nhs.uk/conditions/sciatica/',
     r"red_flags\.yaml, line \d+: .*lacks a publisher and a title"),
    ("source_bad_date", "red_flags.yaml", "back-pain/, checked 2026-12-07", "back-pain/, checked 2026-13-45",
     r"red_flags\.yaml, line \d+: .*has no real date \(2026-13-45\)"),
    ("no_sources", "causes.yaml", f"sources: [\"{SEED_000}\"]", "sources: []",
     r"cause 'muscle_strain' has no sources"),
    ("red_flag_not_urgent", "red_flags.yaml", "  level: urgent", "  level: soon",
     r"rule 'fever' is a red flag with level 'soon'.*must be emergency or urgent"),
    ("red_flag_unsure_soft", "red_flags.yaml", "  suspects: [cauda_equina]",
     "  unsure_level: soon\n  suspects: [cauda_equina]", r"'not sure' must stay at least urgent"),
    ("action_when_unsure_without_action", "red_flags.yaml", "  suspects: [cauda_equina]",
     "  action_when_unsure: true\n  suspects: [cauda_equina]",
     r"action_when_unsure must be true or false, beside an action"),
    ("unknown_suspect", "red_flags.yaml", "suspects: [spinal_infection]\n  advice: \"A fever with back",
     "suspects: [spine_infection]\n  advice: \"A fever with back", r"unknown suspected cause"),
    ("condition_unknown_finding", "red_flags.yaml", "when: {all: [fever, immune_risk]}",
     "when: {all: [fever, immune_risks]}", r"unknown finding 'immune_risks'"),
    ("condition_bad_form", "red_flags.yaml", "when: {all: [fever, immune_risk]}",
     "when: {both: [fever, immune_risk]}", r"unknown condition keys \['both'\]"),
    ("number_as_yes_no", "escalations.yaml", "when: {number: age, at_least: 50}", "when: age",
     r"'age' is answered with a number, not yes or no"),
    ("choice_value", "escalations.yaml", "in: [more_than_six_weeks]", "in: [forever]",
     r"'forever' is not a value of 'duration'"),
    ("malformed_yaml", "findings.yaml", "fever: {description: fever,", "fever: {description: [fever,",
     r"findings\.yaml, line \d+, column \d+: this is not valid YAML"),
    ("duplicate_key", "findings.yaml", "lifting_start:", "fever:",
     r"the key 'fever' appears twice"),
    ("bad_placeholder", "dispositions.yaml", "Contact {urgent_line}.", "Contact {urgent_lines}.",
     r"unknown placeholder \{urgent_lines\}"),
    ("missing_disposition", "dispositions.yaml",
     "soon: {label: See a doctor soon, advice: "
     "\"Book an appointment with a doctor in the next few days.\"}\n",
     "", r"dispositions\.yaml is missing 'soon'"),
    ("unknown_kind", "questions.yaml", "kind: number", "kind: numeric", r"unknown kind 'numeric'"),
    ("dialog_unknown_key", "dialog.yaml", "goodbye:", "goodby:", r"unknown key 'goodby'"),
    ("evidence_needs_reason", "causes.yaml",
     "{when: {number: age, below: 40}, weight: 1, because: \"you are young\"}",
     "{when: {number: age, below: 40}, weight: 1}", r"this evidence needs a `because` reason"),
]


@pytest.mark.parametrize(("file", "old", "new", "pattern"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_invalid_content_is_rejected_with_where_and_fix(mini_copy, file, old, new, pattern):
    path = mini_copy / file
    text = path.read_text()
    assert old in text, f"the fixture no longer contains {old!r}"
    path.write_text(text.replace(old, new, 1))
    with pytest.raises(ContentError, match=re.compile(pattern, re.S)) as info:
        load_content(mini_copy)
    assert str(mini_copy / file) in str(info.value) or "content" in str(info.value)


def test_missing_file_names_it(mini_copy):
    (mini_copy / "causes.yaml").unlink()
    with pytest.raises(ContentError, match=r"causes\.yaml: the file is missing"):
        load_content(mini_copy)


def test_missing_folder(tmp_path):
    with pytest.raises(ContentError, match="the content folder does not exist"):
        load_content(tmp_path / "nowhere")


def test_yes_and_no_stay_words(mini_copy):
    # YAML 1.1 would turn an unquoted `yes` into True; the loader keeps it a word.
    path = mini_copy / "findings.yaml"
    path.write_text(path.read_text().replace('yes_reason: "you have a fever"', "yes_reason: yes"))
    content = load_content(mini_copy)
    assert content.findings["fever"].yes_reason == "yes"


def test_fixture_content_loads(mini):
    assert mini.tree.start == "ces"
    assert set(mini.causes) == {"sciatica_disc", "muscle_strain", "cauda_equina", "spinal_infection"}


@pytest.mark.parametrize(("listed", "pattern"), [
    ("{number_and_choice_questions: [bye, yes]}",
     r"'yes', which is not a sentence of the grammar for a command"),
    ("{all_questions: [bye, banana]}", r"typed_only lists 'banana', which is not a sentence of the grammar"),
    ("{number_and_choice_questions: [emergency]}",
     r"'emergency': the emergency phrases are always listened for"),
    ("{all_questions: [i need help now]}", r"the emergency phrases are always listened for"),
    ("[bye]", r"`typed_only` must map all_questions and/or number_and_choice_questions"),
    ("{everywhere: [bye]}", r"`typed_only` must map all_questions and/or"),
])
def test_typed_only_lists_only_grammar_sentences(tmp_path, listed, pattern):
    import shutil

    from voice.understanding.grammar import Grammar, default_grammar_dir

    folder = tmp_path / "grammar"
    shutil.copytree(default_grammar_dir(), folder)
    path = folder / "commands.yaml"
    text = path.read_text()
    start = text.index("typed_only:")
    end = text.index("\n", text.index("]", start))
    path.write_text(text[:start] + f"typed_only: {listed}" + text[end:])
    with pytest.raises(ContentError, match=pattern):
        Grammar.load(folder)


def test_typed_only_sentences_are_understood_typed_but_not_listened_for(mini):
    from voice.understanding.grammar import Grammar

    grammar = Grammar.load()
    yes_no, number = mini.questions["ces_screen"], mini.questions["age"]
    on_yes_no = set(grammar.expectation(yes_no).phrases)
    on_number = set(grammar.expectation(number).phrases)
    # Typed shorthand is never listened for ("y" is how "why" sounds).
    assert {"y", "n"} <= grammar.typed_only and not {"y", "n"} & (on_yes_no | on_number)
    # One-word other names of commands: not on number questions; still on yes/no questions, where
    # out of the grammar they were heard as "no" to the cauda equina screen.
    assert {"bye", "again", "undo", "why"} <= grammar.typed_only_not_yes_no - grammar.typed_only
    assert not {"bye", "again", "undo", "why"} & on_number and {"bye", "again", "undo", "why"} <= on_yes_no
    for phrases in (on_yes_no, on_number):
        assert {"stop", "repeat", "go back", "say that again", "i need help now", "emergency"} <= phrases
    assert grammar.understand("bye", number).command == "stop"
    assert grammar.understand("again", number).command == "repeat"
    assert grammar.understand("y", yes_no).answer == "yes" and grammar.understand("n", yes_no).answer == "no"


def _voice(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "voice", *args], input=stdin, capture_output=True, text=True,
                          timeout=120)


def _edit(path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture
def grammar_copy(tmp_path):
    import shutil

    from voice.understanding.grammar import default_grammar_dir

    folder = tmp_path / "grammar"
    shutil.copytree(default_grammar_dir(), folder)
    return folder


def test_check_reports_every_bad_template_with_file_and_fix_and_exits_2(grammar_copy):
    # A bracket left open, a list defined nowhere, and an optional word never closed, in two files.
    _edit(grammar_copy / "answers.yaml", '"(yes|yeah) a (bit|little)"', '"(yes|yeah a (bit|little)"')
    _edit(grammar_copy / "answers.yaml", '"(maybe|possibly) [i (do|have|am)]"', '"(maybe|possibly) {hedge}"')
    _edit(grammar_copy / "commands.yaml", "sentences:", 'sentences:\n          - "[say that again"')
    done = _voice("check", "--grammar", str(grammar_copy))
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert re.search(r"answers\.yaml, line \d+: intent 'answer_yes': the template "
                     r"'\(yes\|yeah a \(bit\|little\)' cannot be read: Unable to find end of group",
                     done.stderr), done.stderr
    assert re.search(r"answers\.yaml, line \d+: intent 'answer_unsure': the template .*uses the list "
                     r"\{hedge\}, which is not defined", done.stderr), done.stderr
    assert re.search(r"commands\.yaml, line \d+: intent '\w+': the template '\[say that again' "
                     r"cannot be read", done.stderr), done.stderr
    assert done.stderr.count("fix: ") == 3
    assert "3 problems found" in done.stderr
    assert "content OK" in done.stdout  # the content is checked too, apart from the grammar


def test_starting_with_a_bad_grammar_folder_says_what_is_wrong(grammar_copy):
    _edit(grammar_copy / "answers.yaml", '"(yes|yeah) a (bit|little)"', '"(yes|yeah) a {amount}"')
    done = _voice("--text", "--grammar", str(grammar_copy), stdin="no\n")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "uses the list {amount}" in done.stderr and "fix: define amount under `lists:`" in done.stderr


def test_check_reports_a_yaml_error_in_each_content_file_and_the_grammar(grammar_copy, tmp_path):
    import shutil

    from voice.triage.loader import default_content_dir

    content = tmp_path / "content"
    shutil.copytree(default_content_dir(), content)
    with (content / "regions.yaml").open("a") as f:
        f.write("broken: [\n")
    with (content / "tree.yaml").open("a") as f:
        f.write("  oops: : x\n")
    _edit(grammar_copy / "numbers.yaml", "intents:",
          "intents:\n  answer_extra:\n    data: [{sentences: ['({n']}]")
    done = _voice("check", "--content", str(content), "--grammar", str(grammar_copy))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert re.search(r"regions\.yaml, line \d+, column \d+: this is not valid YAML", done.stderr), done.stderr
    assert re.search(r"tree\.yaml, line \d+, column \d+: this is not valid YAML", done.stderr), done.stderr
    assert re.search(r"numbers\.yaml, line \d+: intent 'answer_extra'", done.stderr), done.stderr
    assert "3 problems found" in done.stderr


def test_check_of_the_shipped_folders_passes():
    done = _voice("check")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("content OK: ") and "grammar OK: " in done.stdout


def test_check_reports_every_content_problem_not_only_the_first(tmp_path):
    # An editor's afternoon of typos in the shipped content: a misspelt question key, a finding
    # asked about that does not exist, a red flag softened to "soon", a cause that lost its sources
    # and a dialog line with a placeholder nobody fills. Each is a separate problem, in four files.
    import shutil

    from voice.triage.loader import default_content_dir

    content = tmp_path / "content"
    shutil.copytree(default_content_dir(), content)
    questions = (content / "questions.yaml").read_text(encoding="utf-8")
    first_q = re.search(r"^(\w+):\n", questions, re.M).group(1)
    _edit(content / "questions.yaml", "  rephrase:", "  rephrse:")
    _edit(content / "questions.yaml", "findings: [fever]", "findings: [fevr]")
    _edit(content / "red_flags.yaml", "level: emergency", "level: soon")
    _edit(content / "causes.yaml", "  sources: [", "  sources: []\n  old_sources: [")
    _edit(content / "dialog.yaml", 'goodbye: "', 'goodbye: "{patient_name} ')
    done = _voice("check", "--content", str(content))
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    err = done.stderr
    assert re.search(rf"questions\.yaml, line \d+: unknown key 'rephrse' in question '{first_q}'", err), err
    assert re.search(r"questions\.yaml, line \d+: question '\w+' asks about unknown finding 'fevr'", err), err
    assert re.search(r"red_flags\.yaml, line \d+: rule '\w+' is a red flag with level 'soon'", err), err
    assert re.search(r"causes\.yaml, line \d+: unknown key 'old_sources' in cause '\w+'", err), err
    assert re.search(r"dialog\.yaml, line \d+: unknown placeholder \{patient_name\} in 'goodbye'", err), err
    # The questions that broke are not reported again by each node that asks them.
    assert "asks unknown question" not in err and "unknown finding 'fever'" not in err, err
    assert "5 problems found" in err, err


def test_loading_content_with_several_problems_lists_them_all(mini_copy):
    from voice.errors import ContentErrors

    _edit(mini_copy / "questions.yaml", "findings: [fever]", "findings: [fevers]")
    _edit(mini_copy / "tree.yaml", "next: immune", "next: immun")
    _edit(mini_copy / "dispositions.yaml", "Contact {urgent_line}.", "Contact {urgent_lines}.")
    with pytest.raises(ContentErrors) as info:
        load_content(mini_copy)
    messages = [str(p) for p in info.value.problems]
    assert len(messages) == 3, messages
    assert any("unknown finding 'fevers'" in m for m in messages)
    assert any("branches to missing node 'immun'" in m for m in messages)
    assert any("unknown placeholder {urgent_lines}" in m for m in messages)
