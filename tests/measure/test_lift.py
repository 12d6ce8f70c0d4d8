"""The signal reps are counted on (`lift.py`): the torso's rise, from the hip the pose model saw."""

from dataclasses import replace

import numpy as np
import pytest

from formcheck.measure.lift import BAR, SEEN_HIP, lift_signal, torso_rise
from formcheck.measure.lockout import TORSO_REPS
from formcheck.measure.reps import segment_reps
from lift_factory import Rep, lift_joints, lift_profile


def _joints(reps: list[Rep], fps: float = 30.0, noise: float = 0.0):
    t, lift = lift_profile(reps, fps)
    return lift_joints(t, lift, noise_px=noise, seed=1), lift


@pytest.mark.parametrize(("lift", "expected"), [(0.0, -27.06), (1.0, 0.0)])
def test_torso_rise_is_the_slope_from_head_and_shoulder_to_hip(lift, expected):
    # lift_factory: ear and shoulder at y 300 (x -100 and 0), hip from (185, 420) up to (200, 300)
    joints = lift_joints(np.array([0]), np.array([lift]))
    values, conf = torso_rise(joints)
    assert values[0] == pytest.approx(expected, abs=0.01)
    assert conf[0] == pytest.approx(0.95)


def test_torso_rise_rises_with_the_hips():
    joints, lift = _joints([Rep()])
    values, _ = torso_rise(joints)
    assert np.corrcoef(values, lift)[0, 1] > 0.99
    assert values.max() - values.min() == pytest.approx(27.06, abs=0.1)


@pytest.mark.parametrize(("hip_conf", "seen", "counted"), [
    (0.95, False, 4),  # no plate: the hip itself
    (0.0, True, 4),  # hip hidden (plate): the hip where the model saw it carries the count
    (0.0, False, 0),  # hip hidden and nothing else: nothing to count on
])
def test_reps_are_counted_on_the_seen_hip_when_the_hip_is_hidden(hip_conf, seen, counted):
    joints, _ = _joints([Rep()] * 4, noise=1.0)
    if seen:
        joints = joints.with_point(SEEN_HIP, joints.xy_of("hip"), joints.conf_of("hip"))
    joints = joints.with_point("hip", np.full_like(joints.xy_of("hip"), np.nan) if hip_conf == 0 else
                               joints.xy_of("hip"), np.full(len(joints), hip_conf))
    lift = lift_signal(joints)
    assert lift.source == "torso rise"
    reps, _ = segment_reps(joints.t_ms, lift.values, lift.confidence, lift.config)
    assert len(reps) == counted


def test_a_bar_seen_often_is_counted_on_instead():
    joints, _ = _joints([Rep()] * 2)
    joints = joints.with_point(BAR, joints.xy_of("hip") + np.array([15.0, -25.0]), np.full(len(joints), 0.9))
    assert lift_signal(joints).source == "bar height"


@pytest.mark.parametrize(("edge_band", "hold_at_least_s"), [(0.05, 0.0), (0.1, 1.5)])
def test_an_overshoot_at_the_top_leaves_the_hold_whole_with_the_torso_edges(edge_band, hold_at_least_s):
    # the torso's slope overshoots by 8% of the rise for 0.3 s as the hips arrive, then holds 1.6 s
    fps = 30.0
    points = [(0.0, -30.0), (1.0, -30.0), (2.0, -0.84), (2.3, -0.84), (2.5, -3.0), (4.0, -3.0), (5.0, -30.0),
              (6.0, -30.0)]
    times, values = zip(*points, strict=True)
    t = np.arange(0.0, times[-1], 1.0 / fps)
    signal = np.interp(t, times, values)
    config = replace(TORSO_REPS, edge_band=edge_band)
    reps, _ = segment_reps(np.round(t * 1000).astype(np.int64), signal, config=config)
    assert len(reps) == 1
    assert reps[0].hold_s >= hold_at_least_s
    if hold_at_least_s == 0.0:  # the narrow band sees only the overshoot: the hold all but vanishes
        assert reps[0].hold_s < 0.5
    assert TORSO_REPS.edge_band == 0.1
