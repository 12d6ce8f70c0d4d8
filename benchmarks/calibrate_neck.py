"""Calibrate `neck_flexion_deg`: which head line, with which offset and gain, reads the true neck best.

Renders its own clips with `formcheck.synth` (seeds 2000+ and four looks of their own, none of them in the
validation grid, whose seeds are 0-51, nor in the samples, 1-6, nor the knee calibration, 1000-1011), tracks
them with formcheck's own pose code (full model) and caches both under `~/.cache/formcheck/calibrate_neck/`.
The clips span the true neck -35..+35 degrees, both sides, camera 2.3-3.3 m away, yaw -10..+15, camera
0-5 degrees above level, knee 80-115 and lumbar arches / short hips (hip extension 170-205).

For every candidate head line (below) the raw angle against the torso line (hip -> shoulder, near side) is
taken at each rep's lockout as the median, over the raw landmarks of the frames within 250 ms of the true
lockout frame, as `formcheck.measure.clip` takes a lockout value, and truth = gain * (raw - offset) is fitted
leave-one-clip-out: the figures are the errors on each held-out clip's lockouts. A clip whose near ear
landmark sits more than 0.3 torso lengths from the rig's ear (the face was found somewhere else, e.g. on
the chest) is left out of the fit and the figures, and named. Candidates:

- `near_ear_eye`: near-side ear -> eye (formcheck's head line before this calibration);
- `mid_ear_eye`: mean of both ears -> mean of both eyes;
- `near_ear_mouth`: near-side ear -> near-side mouth corner;
- `mid_ear_mouth`: mean of both ears -> mean of both mouth corners;
- `mid_ear_nose`: mean of both ears -> nose;
- `procrustes_face`: rotation of all 11 face landmarks against their mean shape (from the training clips).

    python benchmarks/calibrate_neck.py [--json benchmarks/results/calibrate_neck.json] [--cache DIR]
                                        [--clips N]

24 clips (16 of two reps, 8 of one): about 6 minutes on 2 cores the first time, seconds once cached.
`--clips N` takes the first N clips of the layout only (at least 3): a quick check that the script runs,
not a calibration.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.body.keypoints import Keypoints
from formcheck.body.landmarks import Landmark
from formcheck.measure.geometry import signed_angle
from formcheck.pose.models import ensure_model
from formcheck.synth import Look, SynthParams

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_calibration import ensure_clip, lockout_window  # shared with calibrate_knee_shin.py

CACHE = Path.home() / ".cache" / "formcheck" / "calibrate_neck"
FACE_LOST = 0.3  # near ear landmark this many torso lengths from the rig's ear: the face was not found
MIN_CLIPS = 3  # --clips: leaving one clip out must leave two to fit an offset and a gain on

# Looks of the calibration set only (the grid cycles five others): colours, lighting, mild degradation.
LOOKS = (
    Look(skin_rgb=(190, 140, 110), shirt_rgb=(90, 40, 120), shorts_rgb=(40, 40, 48), background="studio",
         hair_rgb=(20, 16, 12), noise_sigma=2.0),
    Look(skin_rgb=(140, 95, 70), shirt_rgb=(200, 180, 60), shorts_rgb=(70, 30, 30), background="gym",
         jpeg_quality=75, light_noise=0.03),
    Look(skin_rgb=(225, 185, 155), shirt_rgb=(30, 110, 130), shorts_rgb=(150, 150, 160), background="blue",
         hair_rgb=(150, 110, 60), blur_sigma=0.6),
    Look(skin_rgb=(105, 70, 50), shirt_rgb=(235, 120, 40), shorts_rgb=(25, 25, 30), background="dark",
         floor_rgb=(80, 80, 86), noise_sigma=3.0, light_noise=0.04),
)

# (neck, side, distance m, yaw, elevation, hip extension, knee at top, reps) of each clip: necks spread
# -35..+35; the two reps of a clip read alike, so the later clips have one rep each.
LAYOUT = (
    (-35.0, "left", 2.7, 0.0, 2.0, 180.0, 90.0, 2),
    (-30.0, "right", 3.1, 10.0, 0.0, 195.0, 100.0, 2),
    (-25.0, "left", 2.4, -8.0, 4.0, 180.0, 85.0, 2),
    (-20.0, "right", 2.9, 0.0, 1.0, 205.0, 90.0, 2),
    (-15.0, "left", 3.3, 15.0, 3.0, 175.0, 110.0, 2),
    (-10.0, "right", 2.6, -5.0, 5.0, 190.0, 80.0, 2),
    (-5.0, "left", 2.8, 5.0, 0.0, 200.0, 95.0, 2),
    (0.0, "right", 2.3, 12.0, 2.0, 180.0, 115.0, 2),
    (0.0, "left", 3.0, -10.0, 1.0, 205.0, 90.0, 2),
    (5.0, "right", 2.7, 0.0, 4.0, 170.0, 100.0, 2),
    (10.0, "left", 2.5, 8.0, 0.0, 185.0, 85.0, 2),
    (15.0, "right", 3.2, -3.0, 3.0, 200.0, 105.0, 2),
    (20.0, "left", 2.9, 15.0, 5.0, 180.0, 90.0, 2),
    (25.0, "right", 2.4, 0.0, 0.0, 190.0, 80.0, 2),
    (30.0, "left", 3.1, -6.0, 2.0, 175.0, 115.0, 2),
    (35.0, "right", 2.6, 10.0, 1.0, 180.0, 95.0, 2),
    (-32.0, "right", 2.5, 5.0, 3.0, 185.0, 95.0, 1),
    (-18.0, "left", 3.0, 10.0, 0.0, 195.0, 80.0, 1),
    (-8.0, "right", 2.8, -8.0, 2.0, 175.0, 110.0, 1),
    (3.0, "left", 2.6, 3.0, 4.0, 190.0, 100.0, 1),
    (8.0, "right", 3.3, 6.0, 1.0, 205.0, 85.0, 1),
    (12.0, "left", 2.4, -10.0, 3.0, 180.0, 115.0, 1),
    (18.0, "right", 2.9, 12.0, 0.0, 170.0, 90.0, 1),
    (28.0, "left", 2.7, 0.0, 5.0, 200.0, 105.0, 1),
)
FIRST_SEED = 2000


def calibration_clips() -> list[tuple[str, SynthParams]]:
    """(name, parameters) of every calibration clip: 640x360, 30 fps."""
    clips = []
    for k, (neck, side, distance, yaw, elevation, hip_ext, knee, reps) in enumerate(LAYOUT):
        params = SynthParams(neck_deg=neck, side=side, distance_m=distance, yaw_deg=yaw,
                             elevation_deg=elevation, hip_ext_deg=hip_ext, knee_at_top_deg=knee, reps=reps,
                             setup_s=0.6, width=640, height=360, fps=30.0, look=LOOKS[k % len(LOOKS)],
                             seed=FIRST_SEED + k)
        clips.append((f"neck{neck:+.0f}-{side[0]}-yaw{yaw:g}-hip{hip_ext:g}", params))
    return clips


# ---- candidate head lines ---------------------------------------------------------------------------

def _pair(side: str, part: str) -> tuple[int, int]:
    """(near, far) landmark index of a paired face part ('EAR', 'EYE', 'MOUTH')."""
    far = "right" if side == "left" else "left"
    if part == "MOUTH":
        return Landmark[f"MOUTH_{side.upper()}"], Landmark[f"MOUTH_{far.upper()}"]
    return Landmark[f"{side.upper()}_{part}"], Landmark[f"{far.upper()}_{part}"]


def torso_frame_angle(xy: np.ndarray, side: str, start: np.ndarray, end: np.ndarray) -> np.ndarray:
    """Angle of start -> end against hip -> shoulder (near side), positive toward the front of the body."""
    shoulder, hip = xy[:, Landmark[f"{side.upper()}_SHOULDER"]], xy[:, Landmark[f"{side.upper()}_HIP"]]
    torso = shoulder - hip
    ccw = signed_angle(torso, end - start)
    return np.where(torso[:, 0] >= 0, ccw, -ccw)


def line_candidate(start: str, end: str) -> Callable[[np.ndarray, str], np.ndarray]:
    """Raw angle of a head line from `start` to `end`: 'near_ear', 'mid_mouth', 'nose', ..."""
    def point(xy: np.ndarray, side: str, spec: str) -> np.ndarray:
        if spec == "nose":
            return xy[:, Landmark.NOSE]
        which, part = spec.split("_")
        near, far = _pair(side, part.upper())
        return xy[:, near] if which == "near" else (xy[:, near] + xy[:, far]) / 2.0

    def raw(xy: np.ndarray, side: str) -> np.ndarray:
        return torso_frame_angle(xy, side, point(xy, side, start), point(xy, side, end))
    return raw


LINES = {
    "near_ear_eye": line_candidate("near_ear", "near_eye"),
    "mid_ear_eye": line_candidate("mid_ear", "mid_eye"),
    "near_ear_mouth": line_candidate("near_ear", "near_mouth"),
    "mid_ear_mouth": line_candidate("mid_ear", "mid_mouth"),
    "mid_ear_nose": line_candidate("mid_ear", "nose"),
}


def face_in_torso_frame(xy: np.ndarray, side: str) -> np.ndarray:
    """(frames, 11, 2) face landmarks, near side first, centred, unit size, in a frame whose x is the torso
    line and whose y is the body's front; NaN where unknown."""
    order = [Landmark.NOSE]
    for part in ("EYE", "EAR", "MOUTH"):
        order += list(_pair(side, part))
    far = "RIGHT" if side == "left" else "LEFT"
    order += [Landmark[f"{side.upper()}_EYE_INNER"], Landmark[f"{far}_EYE_INNER"],
              Landmark[f"{side.upper()}_EYE_OUTER"], Landmark[f"{far}_EYE_OUTER"]]
    shoulder, hip = xy[:, Landmark[f"{side.upper()}_SHOULDER"]], xy[:, Landmark[f"{side.upper()}_HIP"]]
    torso = shoulder - hip
    u = torso / np.linalg.norm(torso, axis=1, keepdims=True)
    v = np.stack([u[:, 1], -u[:, 0]], axis=1)  # image y is down: this is counter-clockwise of u as seen
    v = np.where((torso[:, :1] >= 0), v, -v)
    face = xy[:, order] - xy[:, order].mean(axis=1, keepdims=True)
    local = np.stack([np.einsum("fij,fj->fi", face, u), np.einsum("fij,fj->fi", face, v)], axis=2)
    return local / np.linalg.norm(local, axis=(1, 2), keepdims=True)


def procrustes_angle(face: np.ndarray, template: np.ndarray) -> np.ndarray:
    """Rotation (degrees, counter-clockwise in the torso frame) that best takes `template` onto each face."""
    cross = np.sum(template[None, :, 0] * face[..., 1] - template[None, :, 1] * face[..., 0], axis=-1)
    dot = np.sum(template[None, :, 0] * face[..., 0] + template[None, :, 1] * face[..., 1], axis=-1)
    return np.degrees(np.arctan2(cross, dot))


def mean_shape(faces: np.ndarray) -> np.ndarray:
    """Generalised Procrustes mean of (n, 11, 2) unit faces (rotation only; they are centred and scaled)."""
    template = faces[0]
    for _ in range(3):
        angle = np.radians(procrustes_angle(faces, template))
        c, s = np.cos(-angle)[:, None], np.sin(-angle)[:, None]
        x, y = faces[..., 0], faces[..., 1]
        aligned = np.stack([c * x - s * y, s * x + c * y], axis=2)
        template = aligned.mean(axis=0)
        template /= np.linalg.norm(template)
    return template


# ---- lockouts and the leave-one-clip-out fit ----------------------------------------------------------

@dataclass(frozen=True)
class Lockout:
    """One rep's lockout: the clip it is from, the true neck, each line's raw angle and the face shape."""

    clip: str
    truth: float
    raw: dict[str, float]
    face: np.ndarray  # (11, 2), torso frame, median over the lockout window
    ear_miss: float  # near ear landmark to the rig's ear, in torso lengths (NaN where the ear is hidden)


def lockouts_of(name: str, truth: dict, pose: Keypoints) -> list[Lockout]:
    """Every rep's lockout of one clip (raw values are medians over the hold near the true lockout)."""
    side, xy = truth["side"], pose.xy
    lines = {key: f(xy, side) for key, f in LINES.items()}
    face = face_in_torso_frame(xy, side)
    pixels = {k: np.asarray(v, float) for k, v in truth["per_frame"]["joints_px"].items()}
    near_ear = xy[:, Landmark[f"{side.upper()}_EAR"]]
    torso = np.linalg.norm(pixels[f"{side}_shoulder"] - pixels[f"{side}_hip"], axis=1)
    ear_miss = np.linalg.norm(near_ear - pixels[f"{side}_ear"], axis=1) / torso
    out = []
    for rep in truth["reps"]:
        k = rep["lockout_frame"]
        near = lockout_window(pose, k)
        out.append(Lockout(name, float(rep["metrics"]["neck_flexion_deg"]),
                           {key: float(np.nanmedian(v[near])) for key, v in lines.items()},
                           np.nanmedian(face[near], axis=0), float(ear_miss[k])))
    return out


def fit_line(raw: np.ndarray, truth: np.ndarray) -> tuple[float, float]:
    """(offset, gain) with truth ~ gain * (raw - offset), least squares."""
    slope, intercept = np.polyfit(raw, truth, 1)
    return float(-intercept / slope), float(slope)


def raw_values(samples: list[Lockout], key: str, template: np.ndarray | None) -> np.ndarray:
    """Each lockout's raw angle for one candidate (Procrustes needs the training template)."""
    if key == "procrustes_face":
        return procrustes_angle(np.stack([s.face for s in samples]), template)
    return np.array([s.raw[key] for s in samples])


def leave_one_clip_out(samples: list[Lockout], key: str) -> dict[str, object]:
    """Held-out errors of one candidate, and its offset and gain fitted on every clip."""
    clips = sorted({s.clip for s in samples})
    errors: list[float] = []
    worst_clip = ""
    for clip in clips:
        train = [s for s in samples if s.clip != clip]
        test = [s for s in samples if s.clip == clip]
        template = mean_shape(np.stack([s.face for s in train])) if key == "procrustes_face" else None
        offset, gain = fit_line(raw_values(train, key, template), np.array([s.truth for s in train]))
        err = np.abs(gain * (raw_values(test, key, template) - offset) - np.array([s.truth for s in test]))
        if not errors or err.max() > max(errors):
            worst_clip = clip
        errors += err.tolist()
    template = mean_shape(np.stack([s.face for s in samples])) if key == "procrustes_face" else None
    offset, gain = fit_line(raw_values(samples, key, template), np.array([s.truth for s in samples]))
    e = np.abs(errors)
    return {"mae": float(e.mean()), "median": float(np.median(e)), "p90": float(np.percentile(e, 90)),
            "worst": float(e.max()), "worst_clip": worst_clip, "offset_deg": offset, "gain": gain,
            "lockouts": len(e)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--clips", type=int, default=len(LAYOUT), metavar="N",
                        help=f"only the first N clips ({MIN_CLIPS}..{len(LAYOUT)}), for a quick check")
    args = parser.parse_args(argv)
    if not MIN_CLIPS <= args.clips <= len(LAYOUT):
        parser.error(f"--clips: expected {MIN_CLIPS}..{len(LAYOUT)} (each held-out fit needs two clips), "
                     f"got {args.clips}")
    model = ensure_model("full")
    clips = calibration_clips()[:args.clips]
    samples: list[Lockout] = []
    for name, params in clips:
        truth, pose = ensure_clip(name, params, args.cache, model)
        samples += lockouts_of(name, truth, pose)
    # A clip whose face landmarks sit off the head is a tracking failure no head line can fix: left out.
    lost = sorted({s.clip for s in samples if s.ear_miss > FACE_LOST})
    kept = [s for s in samples if s.clip not in lost]
    found = len(clips) - len(lost)
    if found < MIN_CLIPS:
        print(f"only {found} clips with the face found (left out: {', '.join(lost)}); the fit needs "
              f"{MIN_CLIPS}: take more --clips", file=sys.stderr)
        return 1
    results = {key: leave_one_clip_out(kept, key) for key in [*LINES, "procrustes_face"]}
    print(f"{len(kept)} lockouts from {found} clips, leave-one-clip-out, degrees "
          f"(left out, face landmarks off the head: {', '.join(lost) or 'none'}):")
    print(f"{'candidate':<16} {'MAE':>5} {'median':>6} {'p90':>5} {'worst':>6}  {'offset':>7} {'gain':>5}  "
          "worst clip")
    for key, r in results.items():
        print(f"{key:<16} {r['mae']:5.1f} {r['median']:6.1f} {r['p90']:5.1f} {r['worst']:6.1f}  "
              f"{r['offset_deg']:7.1f} {r['gain']:5.2f}  {r['worst_clip']}")
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"clips": len(clips), "face_lost": lost,
                                         "lockouts": len(kept), "candidates": results}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
