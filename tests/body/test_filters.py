"""Filters, live and offline: lockouts kept in height and time, dropouts bridged, outliers rejected."""

import numpy as np
import pytest

from formcheck.body.filters import (
    FilterConfig,
    JointsStream,
    fill_gaps,
    filter_joints,
    hampel_outliers,
    savgol,
    smooth_zero_phase,
)
from formcheck.body.joints import JOINT_NAMES
from formcheck.body.keypoints import Keypoints
from formcheck.measure.metrics import compute_metrics
from lift_factory import Rep, lift_joints, lift_profile

FPS_CASES = [30.0, 23.976, 60.0]


def _t_ms(n: int, fps: float) -> np.ndarray:
    return np.round(np.arange(n) * 1000.0 / fps).astype(np.int64)


def _plateau(fps: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(t_ms, clean, noisy): 120 deg -> rise -> 1 s plateau at 90 deg... as a knee-like angle trace."""
    t, lift = lift_profile([Rep(up_s=0.6, hold_s=1.0, down_s=0.8)], fps, lead_s=0.5, tail_s=0.5)
    clean = 60.0 + 30.0 * lift  # 60 at the bottom, 90 at lockout
    noisy = clean + np.random.default_rng(seed).normal(0.0, 0.7, clean.size)
    return t, clean, noisy


@pytest.mark.parametrize("fps", FPS_CASES)
def test_zero_phase_keeps_plateau_height(fps):
    t, clean, noisy = _plateau(fps)
    out = smooth_zero_phase(t, noisy, 230.0, 3)
    top = clean > 89.99
    assert abs(out[top].mean() - 90.0) < 0.5
    assert np.max(np.abs(out[top] - 90.0)) < 1.5


@pytest.mark.parametrize("fps", FPS_CASES)
def test_zero_phase_has_no_lag(fps):
    t, clean, noisy = _plateau(fps)
    out = smooth_zero_phase(t, noisy, 230.0, 3)
    rise_true, rise_out = np.argmax(clean > 75.0), np.argmax(out > 75.0)
    fall_true = len(clean) - np.argmax(clean[::-1] > 75.0)
    fall_out = len(out) - np.argmax(out[::-1] > 75.0)
    assert abs(int(rise_out) - int(rise_true)) <= 1
    assert abs(int(fall_out) - int(fall_true)) <= 1


@pytest.mark.parametrize("fps", FPS_CASES)
def test_zero_phase_keeps_a_sharp_peak(fps):
    t = _t_ms(int(2 * fps), fps)
    clean = 180.0 - 40.0 * ((t / 1000.0 - 1.0) / 0.5) ** 2  # a top with no hold
    out = smooth_zero_phase(t, clean, 230.0, 3)
    assert out.max() == pytest.approx(180.0, abs=0.5)
    assert abs(int(np.argmax(out)) - int(np.argmax(clean))) <= 1


@pytest.mark.parametrize(
    ("gap_ms", "filled"),
    [(66, True), (133, True), (300, False)],
)
def test_fill_gaps_bridges_only_short_dropouts(gap_ms, filled):
    fps = 30.0
    t = _t_ms(60, fps)
    x = t / 10.0
    missing = (t >= 1000) & (t < 1000 + gap_ms)
    out, mask = fill_gaps(t, np.where(missing, np.nan, x), 150.0)
    assert mask[missing].all() == filled
    if filled:
        np.testing.assert_allclose(out[missing], x[missing])
    else:
        assert np.isnan(out[missing]).all()


def test_fill_gaps_leaves_edges_unknown():
    t = _t_ms(10, 30.0)
    x = np.array([np.nan, 1, 2, 3, 4, 5, 6, 7, 8, np.nan])
    out, mask = fill_gaps(t, x, 150.0)
    assert np.isnan(out[[0, -1]]).all() and not mask.any()


def test_hampel_flags_the_spike_only():
    t = _t_ms(90, 30.0)
    x = np.sin(t / 500.0) * 20.0
    x[40] += 30.0
    flagged = hampel_outliers(t, x, 300.0, 4.0, 2.0)
    assert flagged[40] and flagged.sum() == 1


# ---- whole joints, both paths -------------------------------------------------------------------------

def _noisy_set(fps: float):
    t, lift = lift_profile([Rep(), Rep(up_s=0.6, hold_s=0.8, down_s=0.8)], fps)
    return t, lift, lift_joints(t, lift), lift_joints(t, lift, noise_px=1.5, seed=3)


@pytest.mark.parametrize("offline", [True, False])
@pytest.mark.parametrize("fps", FPS_CASES)
def test_hip_extension_at_lockout_is_kept(fps, offline):
    _, lift, clean, noisy = _noisy_set(fps)
    truth = compute_metrics(clean)["hip_extension_deg"][0]
    got = compute_metrics(filter_joints(noisy, offline=offline))["hip_extension_deg"][0]
    # the middle of each hold: frames at full height with 150 ms of margin on each side
    width = int(0.3 * fps) | 1
    hold = np.convolve(lift > 0.999, np.ones(width), "same") >= width
    assert abs(np.median(got[hold]) - np.median(truth[hold])) < 0.5


@pytest.mark.parametrize("offline", [True, False])
def test_outlier_is_rejected(offline):
    fps = 30.0
    _, _, clean, _ = _noisy_set(fps)
    spiky = clean.xy_of("hip").copy()
    spiky[50] += [0.0, -150.0]  # the hip jumps a quarter of the body scale for one frame
    joints = clean.with_point("hip", spiky, clean.conf_of("hip"))
    out = filter_joints(joints, offline=offline)
    assert np.linalg.norm(out.xy_of("hip")[50] - clean.xy_of("hip")[50]) < 10.0


@pytest.mark.parametrize("offline", [True, False])
@pytest.mark.parametrize(("gap_ms", "bridged"), [(100, True), (400, False)])
def test_dropout_bridged_with_decayed_confidence(gap_ms, bridged, offline):
    fps = 30.0
    t, _, clean, _ = _noisy_set(fps)
    drop = (t >= 2000) & (t < 2000 + gap_ms)
    conf = np.where(drop, 0.05, clean.conf_of("knee"))  # the model loses the knee
    out = filter_joints(clean.with_point("knee", clean.xy_of("knee"), conf), offline=offline)
    if bridged:
        assert np.allclose(out.xy_of("knee")[drop], clean.xy_of("knee")[drop], atol=2.0)
        assert (out.conf_of("knee")[drop] > 0).all() and (out.conf_of("knee")[drop] < 0.95).all()
    else:
        late = drop & (t > 2000 + 200)
        assert np.isnan(out.xy_of("knee")[late]).all() and (out.conf_of("knee")[late] == 0).all()


def test_live_filter_lag_at_lockout_is_small():
    fps = 30.0
    t, lift, clean, _ = _noisy_set(fps)
    truth = compute_metrics(clean)["hip_extension_deg"][0]
    got = compute_metrics(filter_joints(clean, offline=False))["hip_extension_deg"][0]
    first_top = int(np.argmax(lift > 0.999))
    settle = first_top + int(np.argmax(np.abs(got[first_top:] - truth[first_top:]) < 0.5))
    assert (t[settle] - t[first_top]) <= 100  # within 0.5 deg no later than 100 ms into the hold


def test_stream_reports_nan_before_anything_is_seen():
    stream = JointsStream()
    out = stream.update(Keypoints.empty([0], JOINT_NAMES))
    assert np.isnan(out.xy).all() and (out.confidence == 0.0).all()


@pytest.mark.parametrize(
    ("field", "value"),
    [("min_confidence", 1.5), ("max_gap_ms", -1.0), ("min_cutoff_hz", 0.0), ("beta", float("nan"))],
)
def test_config_rejects_bad_values(field, value):
    with pytest.raises(ValueError, match=field.split("_")[0]):
        FilterConfig(**{field: value})


@pytest.mark.parametrize(("n", "window", "polyorder"),
                         [(5, 5, 2), (6, 3, 2), (40, 7, 3), (40, 11, 2), (40, 9, 0), (200, 15, 3), (4, 1, 0)])
def test_savgol_is_scipys_interp_mode(n, window, polyorder):
    from scipy.signal import savgol_filter

    x = np.random.default_rng(n + window).normal(size=n).cumsum()
    np.testing.assert_allclose(savgol(x, window, polyorder),
                               savgol_filter(x, window, polyorder, mode="interp"), atol=1e-9)


@pytest.mark.parametrize(("window", "polyorder"), [(4, 2), (3, 3), (7, 2)])
def test_savgol_names_a_bad_window(window, polyorder):
    with pytest.raises(ValueError, match="odd window"):
        savgol(np.zeros(5), window, polyorder)
