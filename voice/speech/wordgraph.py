"""Allowed sentences as a word graph: the finite-state grammar PocketSphinx decodes against.

A trie of the sentences, minimized (states with the same future merged, so shared prefixes and
suffixes are shared), in the form `Decoder.create_fsg` takes. The largest answer set (about 5000
age sentences) compiles to about 100 states quickly, where a flat JSGF alternation of the same
sentences was far slower to compile and to decode (docs/speech-measurements.md).
"""

from __future__ import annotations


def word_graph(phrases: tuple[str, ...] | list[str]) -> tuple[int, int, list[tuple]]:
    """A minimal acyclic word automaton accepting exactly `phrases`.

    Returns (start_state, final_state, transitions) in the form `Decoder.create_fsg` takes:
    (from, to, probability, word) for words and (from, to, probability) for the empty move to the
    final state. Each state spreads its probability evenly over its ways out.
    """
    children: list[dict[str, int]] = [{}]
    final = [False]
    for phrase in phrases:
        state = 0
        for word in phrase.split():
            nxt = children[state].get(word)
            if nxt is None:
                nxt = len(children)
                children.append({})
                final.append(False)
                children[state][word] = nxt
            state = nxt
        final[state] = True
    # Merge states with the same future (bottom-up, post-order).
    order: list[int] = []
    stack = [(0, False)]
    while stack:
        node, done = stack.pop()
        if done:
            order.append(node)
            continue
        stack.append((node, True))
        stack.extend((child, False) for child in children[node].values())
    rep: dict[int, int] = {}
    canon: dict[tuple, int] = {}
    for node in order:
        sig = (final[node], tuple(sorted((w, rep[c]) for w, c in children[node].items())))
        rep[node] = canon.setdefault(sig, node)
    number: dict[int, int] = {rep[0]: 0}
    todo = [rep[0]]
    edges: list[tuple[int, int | None, str | None, float]] = []
    seen: set[int] = set()
    while todo:
        node = todo.pop()
        if node in seen:
            continue
        seen.add(node)
        outs = sorted(children[node].items())
        ways = len(outs) + (1 if final[node] else 0)
        for word, child in outs:
            target = rep[child]
            if target not in number:
                number[target] = len(number)
            edges.append((node, target, word, 1.0 / ways))
            todo.append(target)
        if final[node]:
            edges.append((node, None, None, 1.0 / ways))
    end = len(number)
    transitions: list[tuple] = []
    for a, b, word, p in edges:
        to = end if b is None else number[b]
        transitions.append((number[a], to, p, word) if word else (number[a], to, p))
    return 0, end, transitions
