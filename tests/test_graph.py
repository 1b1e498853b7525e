"""The one graph helper behind the dialog states', the triage phases' and the question tree's checks."""

from __future__ import annotations

from voice.errors import TriageError
from voice.graph import find_cycle, reachable, reaching
from voice.triage.phases import PhaseError

EDGES = {"start": ["a", "b"], "a": ["end"], "b": ["c"], "c": ["b"], "lonely": ["end"], "end": []}


def test_reachable_from_the_start_and_reaching_the_end():
    assert reachable(EDGES, "start") == {"start", "a", "b", "c", "end"}
    assert reaching(EDGES, "end") == {"end", "a", "start", "lonely"}
    assert reachable(EDGES, "end") == {"end"} and reaching(EDGES, "lonely") == {"lonely"}


def test_the_first_cycle_of_a_depth_first_walk_is_named_from_its_first_node_back_to_it():
    assert find_cycle(EDGES, "start") == ["b", "c", "b"]
    assert find_cycle(EDGES, "a") is None
    assert find_cycle({"x": ["x"]}, "x") == ["x", "x"]
    # Targets are taken in the order given: the same graph always reports the same cycle.
    two = {"s": ["p", "q"], "p": ["p2"], "p2": ["p"], "q": ["q"]}
    assert find_cycle(two, "s") == ["p", "p2", "p"]


def test_a_phase_error_is_reported_like_every_other_error_of_the_program():
    assert issubclass(PhaseError, TriageError)
    err = PhaseError("'change' is not allowed", fix="a bug: report it")
    assert str(err).endswith("fix: a bug: report it")
