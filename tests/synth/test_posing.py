"""Hip-thrust posing: the solvers hit their targets with the feet planted and the back on the bench."""

from __future__ import annotations

import numpy as np
import pytest

from formcheck.measure import geometry
from formcheck.synth.posing import (
    BAR_RADIUS,
    BENCH_EDGE,
    PAD_RADIUS,
    HipThrustBody,
    aim_arms,
    load_body,
    lockout_lumbar_deg,
    pose_table,
    sagittal_px,
    solve_lockout,
    with_bar_pad,
)


@pytest.fixture(scope="module")
def body() -> HipThrustBody:
    return load_body()


def _knee_and_hip(body: HipThrustBody, pose: object) -> tuple[float, float, np.ndarray]:
    s, h, k, a = body.heads(pose, "upperarm01.L", "upperleg01.L", "lowerleg01.L", "foot.L")
    ss, hh, kk, aa = sagittal_px(np.stack([s, h, k, a]))
    return float(geometry.knee_angle(hh, kk, aa)), float(geometry.hip_extension(ss, hh, kk)), a


@pytest.mark.parametrize(("knee", "hip_ext"), [(70.0, 180.0), (90.0, 180.0), (115.0, 180.0),
                                                (90.0, 160.0), (90.0, 200.0)])
def test_lockout_hits_the_requested_angles_with_feet_on_the_floor(body: HipThrustBody, knee: float,
                                                                  hip_ext: float) -> None:
    pose, ankle_z = solve_lockout(body, knee, hip_ext, lockout_lumbar_deg(hip_ext, 15.0), 0.0)
    got_knee, got_hip, ankle = _knee_and_hip(body, pose)
    assert got_knee == pytest.approx(knee, abs=0.01)
    assert got_hip == pytest.approx(hip_ext, abs=0.01)
    assert ankle[1] == pytest.approx(body.ankle_height, abs=1e-4)
    assert ankle[2] == pytest.approx(ankle_z)


def test_wider_knee_angle_means_feet_further_out(body: HipThrustBody) -> None:
    feet = [solve_lockout(body, k, 180.0, 15.0, 0.0)[1] for k in (70.0, 90.0, 115.0)]
    assert feet[0] < feet[1] < feet[2]


def test_feet_stay_planted_and_back_stays_on_the_bench_through_the_rep(body: HipThrustBody) -> None:
    table = pose_table(body, 90.0, 180.0, 15.0, 0.0, samples=9)
    hips = []
    for lift in np.linspace(0.0, 1.0, 9):
        pose = table.at(lift)
        matrices = body.matrices(pose)
        contact = body.skeleton.transform("spine02", matrices, body.back_contact)
        np.testing.assert_allclose(contact, BENCH_EDGE, atol=1e-9)
        _, _, ankle = _knee_and_hip(body, pose)
        np.testing.assert_allclose(ankle[1:], [body.ankle_height, table.ankle_z], atol=1e-4)
        hips.append(body.heads(pose, "upperleg01.L")[0][1])
    assert np.all(np.diff(hips) > 0)  # the hips rise with the lift
    assert hips[0] > 0.1  # and never go through the floor


@pytest.mark.parametrize(("hip_ext", "tilt", "expected"), [(180.0, 15.0, 15.0), (160.0, 10.0, 10.0),
                                                           (200.0, 15.0, -20.0)])
def test_arching_replaces_the_posterior_tilt(hip_ext: float, tilt: float, expected: float) -> None:
    assert lockout_lumbar_deg(hip_ext, tilt) == expected


def test_arms_reach_the_bar(body: HipThrustBody) -> None:
    table = pose_table(body, 90.0, 180.0, 15.0, 0.0, samples=5)
    for lift in (0.0, 0.5, 1.0):
        pose = aim_arms(body, table.at(lift))
        matrices = body.matrices(pose)
        wrist = body.skeleton.posed_heads(matrices)[body.skeleton.index("wrist.L")]
        bar = body.bar_centre(matrices)
        assert np.hypot(*(wrist - bar)[1:]) < 0.12  # in the side view, the hand is on the bar


def test_feet_too_far_to_sink_fully_keep_the_lowest_reachable_pose(body: HipThrustBody) -> None:
    table = pose_table(body, 130.0, 150.0, 0.0, 0.0, samples=11)
    np.testing.assert_array_equal(table.angles[0], table.angles[1])  # the hips stop before the usual bottom
    for lift in (0.0, 0.5, 1.0):
        _, _, ankle = _knee_and_hip(body, table.at(lift))
        np.testing.assert_allclose(ankle[1:], [body.ankle_height, table.ankle_z], atol=1e-4)


def test_an_unreachable_pose_is_bad_input() -> None:
    from formcheck.errors import InputError
    from formcheck.synth.posing import UnreachablePose

    assert issubclass(UnreachablePose, InputError)


@pytest.mark.parametrize(("bottom", "body_id"), [(95.0, None), (130.0, None), (150.0, 7), (100.0, 12)])
def test_the_bottom_of_the_rep_is_where_it_was_asked(bottom: float, body_id: int | None) -> None:
    shaped = load_body(body_id)
    table = pose_table(shaped, 90.0, 180.0, 15.0, 30.0, samples=9, bottom_hip_ext_deg=bottom)
    _, hip, ankle = _knee_and_hip(shaped, table.at(0.0))
    assert hip == pytest.approx(bottom, abs=0.05)
    np.testing.assert_allclose(ankle[1:], [shaped.ankle_height, table.ankle_z], atol=1e-4)


def test_plates_stop_the_descent_where_they_touch_the_floor(body: HipThrustBody) -> None:
    free = pose_table(body, 125.0, 160.0, 15.0, 30.0, samples=21, bottom_hip_ext_deg=95.0)
    lowest = body.bar_centre(body.matrices(free.at(0.0)))[1]
    radius = lowest + 0.05  # plates this big would sink 5 cm into the floor
    plated = pose_table(body, 125.0, 160.0, 15.0, 30.0, samples=21, bottom_hip_ext_deg=95.0,
                        min_bar_height=radius)
    bar = [body.bar_centre(body.matrices(plated.at(u)))[1] for u in np.linspace(0.0, 1.0, 11)]
    assert min(bar) == pytest.approx(radius, abs=0.02)
    assert np.all(np.diff(bar) > 0)  # still a smooth rise from the (raised) bottom
    np.testing.assert_allclose(plated.angles[-1], free.angles[-1])  # the top is untouched


def test_a_bar_pad_holds_the_bar_further_from_the_hips(body: HipThrustBody) -> None:
    padded = with_bar_pad(body)
    assert padded.bar_contact[2] - body.bar_contact[2] == pytest.approx(PAD_RADIUS - BAR_RADIUS)
    assert padded.skeleton is body.skeleton
