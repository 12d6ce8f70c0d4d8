"""The 0-100 form score: a rep starts at 100 and loses a fixed penalty for each cue it was given.

Formula (also in docs/scoring.md):

    rep score = max(0, 100 - sum(penalty[cue.severity] for cue given to the rep))
    set score = max(0, round(mean(rep scores) - sum(penalty[cue.severity] for set-level cue)))
    set score = None when no rep was counted or the view was refused

Penalties come from the rule pack's `[scoring]` table (shipped: error 25, warning 15, info 0). Only cues
that were given count: a cue suppressed by a more important one, or a rule that abstained because its
metric was missing or uncertain, costs nothing. A flat penalty per cue (rather than one scaled by how far
past the threshold the value was) keeps the score explainable to a coach in one sentence and keeps it
stable when a value sits near a threshold.
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from formcheck.records import Cue, Severity

MAX_SCORE = 100


@dataclass(frozen=True)
class Penalties:
    """Points a rep loses for one cue of each severity."""

    error: int = 25
    warning: int = 15
    info: int = 0

    def __post_init__(self) -> None:
        for severity in Severity:
            points = getattr(self, severity.value)
            if isinstance(points, bool) or not isinstance(points, int) or not 0 <= points <= MAX_SCORE:
                raise ValueError(f"penalty for {severity.value}: expected an integer 0..{MAX_SCORE}, "
                                 f"got {points!r}")

    def of(self, severity: Severity) -> int:
        """The penalty for one cue of `severity`."""
        return int(getattr(self, Severity(severity).value))


def rep_score(cues: Sequence[Cue], penalties: Penalties) -> int:
    """100 minus the penalties of the cues given to one rep, never below 0."""
    return max(0, MAX_SCORE - sum(penalties.of(cue.severity) for cue in cues))


def set_score(rep_scores: Sequence[int], set_cues: Sequence[Cue], penalties: Penalties) -> int | None:
    """Mean rep score minus the penalties of set-level cues, never below 0; None without reps."""
    if not rep_scores:
        return None
    mean = statistics.fmean(rep_scores) - sum(penalties.of(cue.severity) for cue in set_cues)
    return max(0, round(mean))
