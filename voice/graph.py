"""Checks on a directed graph given as `{node: its targets}`: the dialog's states, the triage's phases
and the content's question tree are each checked with these when they are read.

Targets are visited in the order given, so what a check reports first is the same on every run.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from typing import TypeVar

N = TypeVar("N", bound=Hashable)


def reachable(edges: Mapping[N, Iterable[N]], start: N) -> set[N]:
    """Every node a path from `start` reaches (`start` included)."""
    seen, todo = {start}, [start]
    while todo:
        for target in edges.get(todo.pop(), ()):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def reaching(edges: Mapping[N, Iterable[N]], end: N) -> set[N]:
    """Every node with a path to `end` (`end` included)."""
    back: dict[N, list[N]] = {}
    for source, targets in edges.items():
        for target in targets:
            back.setdefault(target, []).append(source)
    return reachable(back, end)


def find_cycle(edges: Mapping[N, Iterable[N]], start: N) -> list[N] | None:
    """The first cycle a depth-first walk from `start` meets, as its nodes from the first back to
    it (`[a, b, a]`); None when no path from `start` goes round."""
    state: dict[N, bool] = {}  # True while on the current path, False once done

    def visit(node: N, path: list[N]) -> list[N] | None:
        state[node] = True
        path.append(node)
        for target in edges.get(node, ()):
            if state.get(target) is True:
                return path[path.index(target):] + [target]
            if target not in state:
                cycle = visit(target, path)
                if cycle is not None:
                    return cycle
        path.pop()
        state[node] = False
        return None

    return visit(start, [])
