"""The score formula of docs/scoring.md."""

from __future__ import annotations

import pytest

from formcheck.records import Cue, Severity
from formcheck.rules import Penalties, rep_score, set_score

PENALTIES = Penalties(error=25, warning=15, info=0)


def _cues(*severities: Severity) -> list[Cue]:
    return [Cue(id=f"c{i}", severity=s, message="m") for i, s in enumerate(severities)]


@pytest.mark.parametrize(("severities", "expected"), [
    ((), 100),
    ((Severity.INFO,), 100),
    ((Severity.WARNING,), 85),
    ((Severity.ERROR,), 75),
    ((Severity.ERROR, Severity.WARNING, Severity.INFO), 60),
    ((Severity.ERROR,) * 5, 0),  # floored at 0
])
def test_rep_score(severities, expected):
    assert rep_score(_cues(*severities), PENALTIES) == expected


@pytest.mark.parametrize(("scores", "set_severities", "expected"), [
    ([], (), None),
    ([], (Severity.ERROR,), None),
    ([100, 85, 70], (), 85),
    ([100, 85], (), 92),  # 92.5 rounds half to even
    ([100, 85, 70], (Severity.WARNING,), 70),
    ([10, 20], (Severity.ERROR,), 0),
])
def test_set_score(scores, set_severities, expected):
    assert set_score(scores, _cues(*set_severities), PENALTIES) == expected


@pytest.mark.parametrize("points", [-1, 101, 2.5, True])
def test_penalties_reject_values_outside_0_to_100(points):
    with pytest.raises(ValueError, match=r"expected an integer 0\.\.100"):
        Penalties(warning=points)
