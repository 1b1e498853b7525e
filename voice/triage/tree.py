"""The decision tree of tree.yaml: nodes and their branches, read and checked as a graph.

Every branch target exists, the last branch of a node is always taken, no node is an orphan and
there is no cycle, so every path from the start ends at the outcome.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..graph import find_cycle, reachable
from .conditions import Condition

if TYPE_CHECKING:
    from ..yamlio import Mapping
    from .reader import ContentReader

OUTCOME = "outcome"
"""The branch target that ends the tree."""


@dataclass(frozen=True)
class Branch:
    """One way out of a tree node: the first whose condition holds is taken."""

    condition: Condition | None
    """None: always (the last branch)."""
    target: str
    """A node id or `outcome`."""

    @classmethod
    def from_dict(cls, r: ContentReader, b: object, node: Mapping, what: str, last: bool) -> Branch:
        """One `{if: ..., goto: ...}` of a node's `next` list; only the last may leave out `if`."""
        b = r.mapping(b, what, node, "next")
        r.keys(b, {"goto"} if last else {"goto", "if"}, {"if"} if last else set(), what)
        cond = r.condition(b, "if", what) if "if" in b else None
        return cls(cond, str(b["goto"]))


@dataclass(frozen=True)
class Node:
    """One step of the decision tree."""

    id: str
    ask: str
    """Question id."""
    when: Condition | None
    """Guard: the node is skipped unless this holds."""
    branches: tuple[Branch, ...]
    """Where to go next."""
    after_red_flag: bool = False
    """Asked even once an urgent red flag has fired, because its answer can still change the advice
    (pregnancy changes where to go); other nodes are then asked only if they could make it an emergency."""

    @classmethod
    def from_dict(cls, r: ContentReader, nid: str, entry: object, nodes_data: Mapping) -> Node:
        """One node of tree.yaml; `nodes_data` is every node, for the targets of its branches."""
        entry = r.mapping(entry, f"node {nid!r}", nodes_data, nid)
        what = f"node {nid!r}"
        if nid == OUTCOME:
            r.fail(f"{OUTCOME!r} is reserved for the end of the tree", nodes_data, nid, fix="rename the node")
        r.keys(entry, {"ask", "next"}, {"when", "after_red_flag"}, what)
        after_red_flag = entry.get("after_red_flag", False)
        if not isinstance(after_red_flag, bool):
            r.fail(f"{what}: `after_red_flag` must be true or false", entry, "after_red_flag")
        if entry["ask"] not in r.questions and not r.is_broken(f"question:{entry['ask']}") \
                and not r.is_broken("questions"):
            r.fail(f"{what} asks unknown question {entry['ask']!r}", entry, "ask",
                   fix="use a question id from questions.yaml")
        when = r.condition(entry, "when", what) if "when" in entry else None
        nxt = entry["next"]
        branches: list[Branch] = []
        if isinstance(nxt, str):
            branches.append(Branch(None, nxt))
        elif isinstance(nxt, list) and nxt:
            for i, b in enumerate(nxt):
                last = i == len(nxt) - 1
                branches.append(Branch.from_dict(r, b, entry, f"{what}: branch {i + 1}", last))
            if branches[-1].condition is not None:
                r.fail(f"{what} is a dead end: no branch is taken when no `if` holds", entry, "next",
                       fix="end the list with a branch that has only `goto`")
        else:
            r.fail(f"{what}: `next` must be a node id, `outcome`, or a list of branches", entry, "next")
        for b in branches:
            if b.target != OUTCOME and b.target not in nodes_data:
                r.fail(f"{what} branches to missing node {b.target!r}", entry, "next",
                       fix=f"add node {b.target!r} or branch to an existing node or `outcome`")
        return cls(nid, entry["ask"], when, tuple(branches), after_red_flag)


@dataclass(frozen=True)
class Tree:
    """The decision tree."""

    start: str
    nodes: dict[str, Node]

    @classmethod
    def from_dict(cls, r: ContentReader, data: object) -> Tree:
        """tree.yaml: `start` and `nodes`, each node checked, then the graph as a whole."""
        data = r.mapping(data, "tree.yaml")
        r.keys(data, {"start", "nodes"}, set(), "tree.yaml")
        nodes_data = r.mapping(data["nodes"], "nodes", data, "nodes")
        nodes: dict[str, Node] = {}
        for nid, entry in nodes_data.items():
            with r.item("tree"):
                nodes[nid] = Node.from_dict(r, nid, entry, nodes_data)
        start = str(data["start"])
        if start not in nodes_data:
            r.fail(f"start node {start!r} does not exist", data, "start")
        if not r.is_broken("tree"):
            check_graph(nodes, start, lambda msg, nid, fix=None: r.fail(msg, nodes_data, nid, fix=fix))
        return cls(start, nodes)


def check_graph(nodes: dict[str, Node], start: str, fail) -> None:
    """No cycles, no orphans; with default branches and existing targets every path ends at outcome."""
    edges = {nid: [b.target for b in node.branches if b.target != OUTCOME] for nid, node in nodes.items()}
    cycle = find_cycle(edges, start)
    if cycle is not None:
        fail(f"the tree has a cycle: {' -> '.join(cycle)}", cycle[-2],
             "make the branch go forward to a later node or `outcome`")
    reached = reachable(edges, start)
    orphans = [n for n in nodes if n not in reached]
    if orphans:
        fail(f"node {orphans[0]!r} can never be reached from the start", orphans[0],
             "branch to it from another node, or delete it")
