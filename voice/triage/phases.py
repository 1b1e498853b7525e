"""The phases of one triage and the transitions between them, as a table checked at import.

The engine walks the tree in `walk`; at its end the answers are read back. A "no" to the read-back
asks which answer to change (`which`), that answer is asked again (`correcting`), and the walk goes
on from there. When the read-back is confirmed, or nothing is to change, the answers stand
(`confirmed`) and the outcome follows. Going back one answer returns to the phase that answer was
given in; starting again returns to `walk`.
"""

from __future__ import annotations

from enum import StrEnum

from ..errors import TriageError
from ..graph import reachable, reaching


class Phase(StrEnum):
    """Where one triage is: what its next step asks."""

    WALK = "walk"
    """The tree's questions; at the end, the read-back of the answers to confirm."""
    WHICH = "which"
    """The read-back was not confirmed: which answer is to change."""
    CORRECTING = "correcting"
    """The answer chosen to change, asked again."""
    CONFIRMED = "confirmed"
    """The answers stand: the outcome follows."""


START = Phase.WALK
END = Phase.CONFIRMED

TRANSITIONS: dict[tuple[str, Phase], Phase] = {
    # (event, from): to
    ("answer", Phase.WALK): Phase.WALK,
    ("readback_no", Phase.WALK): Phase.WHICH,
    ("readback_yes", Phase.WALK): Phase.CONFIRMED,
    ("change", Phase.WHICH): Phase.CORRECTING,
    ("keep", Phase.WHICH): Phase.CONFIRMED,
    ("corrected", Phase.CORRECTING): Phase.WALK,
}
"""Every allowed step. `back` (to the phase of the answer undone) and `restart` (to START) are
allowed in every phase and are not listed."""


class PhaseError(TriageError):
    """A step its phase does not allow was asked of the engine, or the table of phases is broken
    (a bug in the engine or its table: the session reports it as any other TriageError)."""


def next_phase(phase: Phase, event: str, table: dict[tuple[str, Phase], Phase] = TRANSITIONS) -> Phase:
    """The phase after `event` in `phase`; PhaseError when the table does not allow it there."""
    try:
        return table[(event, phase)]
    except KeyError:
        allowed = sorted(e for e, p in table if p is phase)
        raise PhaseError(f"{event!r} is not allowed in phase {phase.value!r} "
                         f"(allowed there: {', '.join(allowed) or 'only back and restart'})") from None


def check_transitions(table: dict[tuple[str, Phase], Phase], start: Phase = START, end: Phase = END) -> None:
    """Every phase is reached from `start`, the end is reached from every phase, and the end
    leads nowhere (only back or restart leave it). Raises PhaseError naming the phase."""
    edges: dict[Phase, set[Phase]] = {phase: set() for phase in Phase}
    for (_event, source), target in table.items():
        edges[source].add(target)
    from_start, to_end = reachable(edges, start), reaching(edges, end)
    for phase in Phase:
        if phase not in from_start:
            raise PhaseError(f"phase {phase.value!r} can never be reached from {start.value!r}")
        if phase not in to_end:
            raise PhaseError(f"phase {phase.value!r} never leads to {end.value!r}: "
                             "the outcome is never given")
    if edges[end]:
        raise PhaseError(f"phase {end.value!r} must end the dialog, but it leads to "
                         f"{', '.join(sorted(p.value for p in edges[end]))}")


check_transitions(TRANSITIONS)
