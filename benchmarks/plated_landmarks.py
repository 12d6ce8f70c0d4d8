"""How far the pose model's own joints are off when a plate hides the hips, even helped as much as possible.

formcheck reports hip-based angles as null when a plate covers the hips (docs/accuracy.md, "Plates and the
hidden hip"). This script backs that with numbers on the validation grid's plated side-on clips (rendered,
so every true joint and angle is known): at each true lockout it measures the angles from

- `near side`: the model's landmarks of the side that faces the camera, as a naive tool would;
- `visible leg`: the same, but knee and ankle from whichever leg the model drew away from the plate. With
  the hips hidden the model often gives the visible leg the far side's label and folds the near leg onto
  the plate; picking the leg is the most a landmark tool can repair without inventing positions;

and prints the error against the truth, per clip and as MAE, plus how far each joint lies from its true
position (px). Uses the `formcheck validate` cache (renders and tracks clips that are missing: ~11 minutes
for the whole grid on 2 cores, seconds when cached).

    python benchmarks/plated_landmarks.py [--json benchmarks/results/plated_landmarks.json]
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np

from formcheck.body.filters import filter_joints
from formcheck.body.joints import Joints
from formcheck.cli.validate import default_cache_dir
from formcheck.measure import geometry
from formcheck.measure.metrics import KNEE_LANDMARK_BIAS_DEG, SHIN_LANDMARK_BIAS_DEG
from formcheck.plate.finder import track_plate_in_video
from formcheck.pose.models import ensure_model
from formcheck.validate.grid import build_grid, cached_paths
from formcheck.validate.run import ClipJob, ensure_rendered, ensure_track

HALF_WINDOW = 3  # frames either side of the true lockout whose median is taken, as the pipeline smooths
ANGLES = ("knee_angle_deg", "shin_from_vertical_deg", "hip_extension_deg")
JOINTS = ("shoulder", "hip", "knee", "ankle")


def _angles(shoulder: np.ndarray, hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> dict[str, float]:
    """Median lockout angles of (frames, 2) joints, with formcheck's landmark-bias corrections."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows give NaN, reported as such
        knee_angle = float(np.nanmedian(geometry.knee_angle(hip, knee, ankle)))
        shin = float(np.nanmedian(geometry.shin_from_vertical(hip, knee, ankle)))
        return {"knee_angle_deg": knee_angle - KNEE_LANDMARK_BIAS_DEG,
                "shin_from_vertical_deg": shin - SHIN_LANDMARK_BIAS_DEG,
                "hip_extension_deg": float(np.nanmedian(geometry.hip_extension(shoulder, hip, knee)))}


def _clip_rows(video: Path, truth_doc: dict, near: Joints, far: Joints) -> list[dict]:
    """One row per true rep: errors of both variants and per-joint pixel errors of the visible leg."""
    plate = track_plate_in_video(video, filter_joints(near))
    true_px = truth_doc["per_frame"]["joints_px"]
    rows = []
    for rep in truth_doc["reps"]:
        f = rep["lockout_frame"]
        window = slice(max(0, f - HALF_WINDOW), f + HALF_WINDOW + 1)
        centre = plate.center[window]
        swap = (np.linalg.norm(far.xy_of("knee")[window] - centre, axis=1)
                > np.linalg.norm(near.xy_of("knee")[window] - centre, axis=1))[:, None]
        leg = {j: np.where(swap, far.xy[j][window], near.xy[j][window]) for j in ("hip", "knee", "ankle")}
        naive = _angles(*(near.xy[j][window] for j in JOINTS))
        visible = _angles(near.xy_of("shoulder")[window], leg["hip"], leg["knee"], leg["ankle"])
        truth = rep["metrics"]
        px = {j: float(np.linalg.norm(np.nanmedian(leg.get(j, near.xy[j][window]), axis=0)
                                      - np.array(true_px[f"{near.side}_{j}"][f])))
              for j in JOINTS}
        rows.append({"near_side": {k: naive[k] - truth[k] for k in ANGLES},
                     "visible_leg": {k: visible[k] - truth[k] for k in ANGLES},
                     "visible_leg_px": px, "leg_swapped": float(swap.mean())})
    return rows


def _mae(rows: list[dict], variant: str, key: str) -> tuple[float, int, int]:
    """MAE over the finite errors, how many were finite, and how many were within 3 degrees."""
    errs = np.array([r[variant][key] for r in rows])
    errs = np.abs(errs[np.isfinite(errs)])
    return (float(errs.mean()) if errs.size else float("nan")), int(errs.size), int((errs <= 3.0).sum())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write per-clip rows and the summary here")
    args = parser.parse_args()
    model = ensure_model("full")
    cache = default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    per_clip: dict[str, list[dict]] = {}
    for clip, video in cached_paths(build_grid(), cache):
        if not clip.params.plates or clip.tags["view"] != "side":
            continue
        job = ClipJob(clip, video, model)
        truth_doc = json.loads(ensure_rendered(job).read_text())
        track = ensure_track(job)
        other = "right" if clip.params.side == "left" else "left"
        near, far = Joints.from_track(track, clip.params.side), Joints.from_track(track, other)
        per_clip[clip.name] = _clip_rows(video, truth_doc, near, far)
        for row in per_clip[clip.name]:
            errs = " ".join(f"{k.split('_')[0]} {row['visible_leg'][k]:+6.1f}" for k in ANGLES)
            print(f"{clip.name:36s} visible leg: {errs}  (leg swapped in {row['leg_swapped']:.0%} of frames)")
    rows = [r for rs in per_clip.values() for r in rs]
    summary = {}
    print(f"\n{len(rows)} plated lockouts; MAE, and how many of them were within 3 degrees:")
    for variant in ("near_side", "visible_leg"):
        for key in ANGLES:
            mae, n, within = _mae(rows, variant, key)
            summary[f"{variant}.{key}"] = {"mae": round(mae, 2), "n": n, "within_3deg": within}
            print(f"  {variant:12s} {key:24s} MAE {mae:5.1f}  within 3°: {within}/{n}")
    px = {j: round(float(np.nanmedian([r["visible_leg_px"][j] for r in rows])), 1) for j in JOINTS}
    print(f"  visible leg, median px from the true joint: {px}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "median_px": px, "clips": per_clip}, indent=1))


if __name__ == "__main__":
    main()
