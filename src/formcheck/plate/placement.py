"""Joints a weight plate hides: keep the rep timing, read the hip only where the painted frame shows it.

A hip thrust's near plate covers the hips for the whole set. What stays visible is the plate's centre (the
bar axis, resting on the hip crease), the shoulders on the bench and, once the plate is painted out of the
frame the pose model sees, the lower legs. That is enough to follow the lift, but not to measure angles at
the hip to a few degrees: the plate hangs ~0.6 m nearer the camera than the hip joint, so its centre is
displaced from the hip by perspective by an amount that depends on the camera (docs/accuracy.md). So:
- where the plate was painted out and the pose model found the hip on or beside the disc, from a camera
  about level with the hips, that hip is read at `PAINTED_HIP_CONFIDENCE`: its angles are measured and
  reported, below what the rules cue on (`records.TRUSTED_CONFIDENCE`);
- elsewhere the hip is placed from the bar and the shoulder with `TIMING_ONLY_CONFIDENCE`: good enough for
  counting and timing reps, below what measuring accepts, so angles at the hip are null with a reason;
- a knee on the plate's disc is unknown (confidence 0); for rep timing it is held still (a hip thrust's
  knee hardly moves) at its median clear position, or a shin's length above the feet;
- where the model swapped the legs' labels around the plate, the leg drawn clear of it is taken as the
  near one (`visible_leg`).
Pure numpy.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from formcheck.body.joints import LOWER_LEG, SEEN_HIP, other_side
from formcheck.body.keypoints import Keypoints
from formcheck.plate.track import PlateTrack

# Confidence of joints placed for timing only: at or above the rep tracker's floor (`RepConfig.
# min_confidence`, 0.3), below what a lockout metric accepts (`MeasureConfig.min_confidence`, 0.5).
TIMING_ONLY_CONFIDENCE = 0.4
# Confidence of a hip the pose model read on a frame with the plate painted out: at what a lockout metric
# accepts (`MeasureConfig.min_confidence`, 0.5), so the angles at the hip are measured, and below a clear
# hip's (docs/accuracy.md gives their error on plated sets).
PAINTED_HIP_CONFIDENCE = 0.5
# ... and only from a camera about level with the hips: seen from above, the model's hip behind the painted
# plate is off by more than the cues can bear (docs/accuracy.md, "Plates and the hidden hip"). The camera's
# elevation is estimated from the far shoulder and hip (`body.view.camera_elevation_deg`); chosen on the
# tune split.
READ_HIP_MAX_ELEVATION_DEG = 15.0


def hip_unreadable(elevation_deg: float) -> str | None:
    """Why the hip behind a painted-out plate is not read from a camera `elevation_deg` above the lifter
    (None: it is read)."""
    if elevation_deg <= READ_HIP_MAX_ELEVATION_DEG:
        return None
    return (f"the camera looks down on the lifter by about {elevation_deg:.0f}°, and from above a hip behind "
            f"a plate is not read surely enough; film level with the hips")


@dataclass(frozen=True)
class Repair:
    """How joints near a plate are judged and placed.

    `hip_below_bar`: the hip joint centre lies this many shoulder-to-bar lengths below the bar axis,
    square to the shoulder->bar line (about 11-13 cm on an adult torso: half the pelvis' depth under the
    crease plus the bar's radius). `knee_margin`: a knee closer to the plate's centre than (1 + margin)
    radii counts as hidden. `min_seen_confidence`, `seen_margin`: the pose model's hip on a painted frame
    is read when its confidence is at least this and it lies within (1 + margin) radii of the plate's
    centre. Behind the disc or just beside it: with a small plate, or seen from low or turned, the hip
    joint shows beside the plate (on the tune split's plated lockouts the true hip lay up to 1.85 radii
    from the plate's centre, and the model's hip within 2-12 px of it there); one drawn farther off was
    not found. Reading beside the disc as well took the knee's coverage from 28% to 40% of the tune
    split's plated lockouts (MAE 4.7° -> 4.4°). Every hip read so gets `PAINTED_HIP_CONFIDENCE`, beside
    the disc too: trusting the ones beyond 1.2 radii as clear hips called 3 more short lockouts and 4 more
    arches on the tune split with no false cue, but on the check split it gave 3 right cues fewer and 4
    false ones more (hip extension there 11° MAE).
    """

    hip_below_bar: float = 0.30
    knee_margin: float = 0.1
    min_seen_confidence: float = 0.5
    seen_margin: float = 1.0

    def __post_init__(self) -> None:
        if not 0 <= self.hip_below_bar < 0.6:
            raise ValueError(f"Repair.hip_below_bar: expected 0..0.6, got {self.hip_below_bar}")
        if not -0.5 <= self.knee_margin <= 1.0:
            raise ValueError(f"Repair.knee_margin: expected -0.5..1.0 plate radii, got {self.knee_margin}")


def _upward_normal(u: np.ndarray) -> np.ndarray:
    """Unit normals of (n, 2) unit vectors, chosen on the image's upper side (y down, so y <= 0)."""
    m = np.stack([u[:, 1], -u[:, 0]], axis=1)
    return np.where((m[:, 1] > 0)[:, None], -m, m)


def hip_from_bar(bar: np.ndarray, shoulder: np.ndarray, below: float) -> np.ndarray:
    """Hip joint centres (n, 2) px: `below` shoulder-to-bar lengths under the bar, square to that line.

    Image coordinates (y down); NaN where either input is NaN.
    """
    bar, shoulder = np.asarray(bar, float), np.asarray(shoulder, float)
    d = bar - shoulder
    length = np.linalg.norm(d, axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):
        u = d / length[:, None]
    return bar - below * length[:, None] * _upward_normal(u)


def _still_knee(joints: Keypoints, hip: np.ndarray, on_plate: np.ndarray) -> np.ndarray:
    """Where to hold a hidden knee for rep timing: its median clear position, else a shin above the feet
    (shin ~0.85 of the shoulder-hip length, Winter's segment table)."""
    knee, ankle = joints.xy_of("knee"), joints.xy_of("ankle")
    clear = knee[~on_plate & (joints.conf_of("knee") >= 0.5) & np.isfinite(knee).all(axis=1)]
    if len(clear):
        return np.median(clear, axis=0)
    torso = np.nanmedian(np.linalg.norm(joints.xy_of("shoulder") - hip, axis=1))
    seen = joints.conf_of("ankle") > 0
    feet = np.nanmedian(ankle[seen], axis=0) if seen.any() else np.full(2, np.nan)
    return feet - np.array([0.0, 0.85 * torso])


def visible_leg(pose: Keypoints, plate: PlateTrack, side: str) -> Keypoints:
    """A MediaPipe pose whose `side` leg below the hip is, in every plated frame, the leg drawn farther
    from the plate: around a plate the model may label the visible leg as the far one and fold the other
    onto the disc, so the labels of the two are swapped where that happened."""
    far = other_side(side)
    near_knee, far_knee = pose.xy_of(f"{side}_knee"), pose.xy_of(f"{far}_knee")
    with np.errstate(invalid="ignore"):
        swap = plate.found & (np.linalg.norm(far_knee - plate.center, axis=1)
                              > np.linalg.norm(near_knee - plate.center, axis=1))
    if not swap.any():
        return pose
    xy, conf = pose.xy.copy(), pose.confidence.copy()
    for point in LOWER_LEG:
        a, b = pose.index(f"{side}_{point}"), pose.index(f"{far}_{point}")
        xy[swap, a], xy[swap, b] = pose.xy[swap, b], pose.xy[swap, a]
        conf[swap, a], conf[swap, b] = pose.confidence[swap, b], pose.confidence[swap, a]
    return Keypoints(pose.t_ms, xy, conf, pose.names, pose.world)


def repair_joints(joints: Keypoints, plate: PlateTrack | None, repair: Repair | None = None,
                  painted: np.ndarray | None = None,
                  unreadable: str | None = None) -> tuple[Keypoints, list[str]]:
    """Joints with the plate-hidden hip placed, and a knee on the plate made unknown, plus notes saying so.
    Without a plate the joints come back unchanged (see the module docstring).

    The hip: where the frame was `painted` (the plate painted out before the pose model looked) and the
    model put the hip (`SEEN_HIP`) confidently on or near the plate's disc, that reading, unless the camera
    makes it `unreadable` (`hip_unreadable`: why), at `PAINTED_HIP_CONFIDENCE`; elsewhere placed from the
    bar for timing only."""
    repair = repair or Repair()
    if plate is None or not plate.present:
        return joints, []
    if len(plate) != len(joints):
        raise ValueError(f"repair_joints: expected a plate track of {len(joints)} frames, got {len(plate)}")
    hip = hip_from_bar(plate.center, joints.xy_of("shoulder"), repair.hip_below_bar)
    has_hip = plate.found & (joints.conf_of("shoulder") > 0) & np.isfinite(hip).all(axis=1)
    hip = np.where(has_hip[:, None], hip, np.nan)
    hip_conf = np.where(has_hip, TIMING_ONLY_CONFIDENCE, 0.0)
    read = _read_hip(joints, plate, repair, None if unreadable else painted)
    if read.any():
        hip[read] = joints.xy_of(SEEN_HIP)[read]
        hip_conf = np.where(read, PAINTED_HIP_CONFIDENCE, hip_conf)
    on_plate = plate.covers(joints.xy_of("knee"), margin=repair.knee_margin)
    knee, knee_conf = joints.xy_of("knee").copy(), np.where(on_plate, 0.0, joints.conf_of("knee"))
    if on_plate.any():
        knee[on_plate] = _still_knee(joints, hip, on_plate)
    out = joints.with_point("hip", hip, hip_conf)
    return out.with_point("knee", knee, knee_conf), _notes(plate, on_plate, int(read.sum()), unreadable)


def _read_hip(joints: Keypoints, plate: PlateTrack, repair: Repair, painted: np.ndarray | None) -> np.ndarray:
    """(frames,) bool: the pose model's own hip can be read there (see `repair_joints`)."""
    if painted is None or SEEN_HIP not in joints.names:
        return np.zeros(len(joints), dtype=bool)
    seen = joints.xy_of(SEEN_HIP)
    return (np.asarray(painted, bool) & (joints.conf_of(SEEN_HIP) >= repair.min_seen_confidence)
            & plate.covers(seen, margin=repair.seen_margin))


def repair_notes(joints: Keypoints, plate: PlateTrack, repair: Repair | None = None,
                 unreadable: str | None = None) -> list[str]:
    """What `repair_joints` says of a clip's plate, for joints it has already repaired."""
    if not plate.present:
        return []
    read = int((plate.found & (joints.conf_of("hip") >= PAINTED_HIP_CONFIDENCE)).sum())
    knee_on_plate = plate.covers(joints.xy_of("knee"), margin=(repair or Repair()).knee_margin)
    return _notes(plate, knee_on_plate, read, unreadable)


def _notes(plate: PlateTrack, knee_on_plate: np.ndarray, read: int, unreadable: str | None) -> list[str]:
    hidden = f"plate over the hips in {int(plate.found.sum())} of {len(plate)} frames"
    if read:
        notes = [f"{hidden}: the hip read by the pose model with the plate painted out in {read} of them, "
                 "where its angles are shown unsure and not cued on (docs/accuracy.md); elsewhere placed "
                 "from the bar for rep timing only"]
    else:
        why = unreadable or "the pose model did not find it behind the plate painted out"
        notes = [f"{hidden}: the hip placed from the bar for rep timing only; hip angles are not measured: "
                 f"{why}"]
    if knee_on_plate.any():
        notes.append(f"knee landmark on the plate in {int(knee_on_plate.sum())} frame(s): unknown there")
    return notes
