"""The content types read from inline YAML by their `from_dict`, without a content folder."""

from __future__ import annotations

import pytest

from voice.errors import ContentError
from voice.triage.conditions import Fact
from voice.triage.model import Finding, Kind, Question
from voice.triage.reader import ContentReader
from voice.triage.tree import OUTCOME, Tree
from voice.yamlio import load_yaml

QUESTION = """\
duration:
  kind: choice
  findings: [duration]
  choices:
    short: {label: "less than a week", max_days: 6}
    long: {label: "a week or more"}
  text: "How long have you had it?"
  rephrase: "How long?"
  help: "Say less than a week, or a week or more."
  why: "Time matters."
  readback: "how long"
"""


@pytest.fixture
def reader(tmp_path) -> ContentReader:
    return ContentReader(tmp_path)


def read(reader: ContentReader, name: str, text: str) -> object:
    reader.file = name
    return load_yaml(text, source=name)


def test_a_choice_question_from_inline_yaml(reader):
    data = read(reader, "questions.yaml", QUESTION)
    question = Question.from_dict(reader, "duration", data["duration"], data)
    assert question.kind is Kind.CHOICE and question.findings == ("duration",)
    assert [(c.id, c.label, c.max_days) for c in question.choices] == [
        ("short", "less than a week", 6), ("long", "a week or more", None)]
    assert question.help == "Say less than a week, or a week or more."


def test_a_question_with_one_choice_is_refused_with_its_line(reader, tmp_path):
    data = read(reader, "questions.yaml", QUESTION.replace('    long: {label: "a week or more"}\n', ""))
    with pytest.raises(ContentError, match=r"a choice question needs at least two choices") as info:
        Question.from_dict(reader, "duration", data["duration"], data)
    assert info.value.where == f"{tmp_path / 'questions.yaml'}, line 4"


def test_a_tree_from_inline_yaml_and_its_graph_checks(reader):
    reader.findings = {"fever": Finding("fever", "fever", "you have a fever", "you have no fever")}
    questions = read(reader, "questions.yaml", """\
fever: {kind: yes_no, findings: [fever], text: "Fever?", rephrase: "Fever?", help: "Yes or no.",
        why: "Infection.", readback: "fever"}
age: {kind: number, findings: [age], min: 0, max: 120, text: "Age?", rephrase: "Your age?",
      help: "A number.", why: "Age.", readback: "age"}
""")
    reader.questions = {qid: Question.from_dict(reader, qid, entry, questions)
                        for qid, entry in questions.items()}
    tree = Tree.from_dict(reader, read(reader, "tree.yaml", """\
start: fever
nodes:
  fever:
    ask: fever
    next:
      - {if: fever, goto: outcome}
      - {goto: age}
  age: {ask: age, next: outcome}
"""))
    assert tree.start == "fever"
    assert [(b.condition, b.target) for b in tree.nodes["fever"].branches] == [(Fact("fever"), OUTCOME),
                                                                              (None, "age")]
    with pytest.raises(ContentError, match=r"the tree has a cycle: fever -> age -> fever"):
        Tree.from_dict(reader, read(reader, "tree.yaml", "start: fever\nnodes:\n"
                                    "  fever: {ask: fever, next: age}\n  age: {ask: age, next: fever}\n"))
