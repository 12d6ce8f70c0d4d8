"""Live cue pacing: new faults at once, persisting ones sparingly, never two within the interval."""

from __future__ import annotations

import pytest

from formcheck.records import Cue, Severity
from formcheck.rules import CueDebouncer, evaluate_rep


def _cue(cue_id: str) -> Cue:
    return Cue(id=cue_id, severity=Severity.WARNING, message=cue_id)


def _run(debouncer: CueDebouncer, reps: list[list[str]], seconds_per_rep: float = 4.0) -> list[str | None]:
    said = []
    for i, ids in enumerate(reps):
        cue = debouncer.update([_cue(cue_id) for cue_id in ids], now_s=i * seconds_per_rep)
        said.append(cue.id if cue else None)
    return said


F, N = "feet_too_far", "chin_lifted"


@pytest.mark.parametrize(("reps", "expected"), [
    # a persisting fault: said on the 1st rep, then every 3rd rep it persists
    ([[F]] * 7, [F, None, None, F, None, None, F]),
    # cleared and back: said again at once
    ([[F], [F], [], [F]], [F, None, None, F]),
    # the persisting primary is not due, so a new secondary fault gets the slot
    ([[F], [F, N], [F, N]], [F, N, None]),
    # good reps: silence
    ([[], []], [None, None]),
])
def test_debouncer_sequences(reps, expected):
    assert _run(CueDebouncer(min_interval_s=3.0, repeat_every_n_reps=3), reps) == expected


def test_interval_holds_a_new_cue_until_the_next_chance():
    debouncer = CueDebouncer(min_interval_s=5.0, repeat_every_n_reps=3)
    assert _run(debouncer, [[F], [F, N], [F, N]], seconds_per_rep=3.0) == [F, None, N]


def test_active_lists_the_cues_of_the_last_rep_for_hysteresis():
    debouncer = CueDebouncer()
    debouncer.update([_cue(F), _cue(N)], now_s=0.0)
    assert debouncer.active == {F, N}
    debouncer.update([_cue(N)], now_s=1.0)
    assert debouncer.active == {N}


@pytest.mark.parametrize(("kwargs", "match"), [
    ({"min_interval_s": -1.0}, "min_interval_s: expected >= 0"),
    ({"repeat_every_n_reps": 0}, "repeat_every_n_reps: expected an integer >= 1"),
])
def test_debouncer_rejects_bad_settings(kwargs, match):
    with pytest.raises(ValueError, match=match):
        CueDebouncer(**kwargs)


def test_time_must_run_forward():
    debouncer = CueDebouncer()
    debouncer.update([], now_s=5.0)
    with pytest.raises(ValueError, match="time runs forward"):
        debouncer.update([], now_s=4.0)


def test_live_loop_latches_a_wobbling_fault_and_repeats_it_sparingly(pack, make_rep):
    """Knee readings hovering just above the 75-degree threshold keep the fault latched until 79+."""
    debouncer = CueDebouncer(min_interval_s=0.0, repeat_every_n_reps=3)
    knees = [73.0, 76.0, 77.5, 74.5, 80.0, 76.0]
    fired, said = [], []
    for i, knee in enumerate(knees, start=1):
        rep = make_rep(i, knee_angle_deg=knee, shin_from_vertical_deg=-8.0)
        verdict = evaluate_rep(rep, pack, latched=debouncer.active)
        fired.append([cue.id for cue in verdict.cues])
        cue = debouncer.update(verdict.cues, now_s=3.0 * i)
        said.append(cue.id if cue else None)
    feet = "feet_too_close"
    assert fired == [[feet], [feet], [feet], [feet], [], []]
    assert said == [feet, None, None, feet, None, None]
