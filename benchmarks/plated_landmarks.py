"""How far the pose model's own joints are off when a plate hides the hips, even helped as much as possible.

formcheck reports hip-based angles as null when a plate covers the hips (docs/accuracy.md, "Plates and the
hidden hip"). This script backs that with numbers on the validation grid's plated side-on clips (rendered,
so every true joint and angle is known): at each true lockout it measures the angles from

- `near side`: the model's landmarks of the side that faces the camera, as a naive tool would;
- `visible leg`: the same, but hip, knee and ankle from whichever leg the model drew away from the plate.
  With the hips hidden the model often gives the visible leg the far side's label and folds the near leg
  onto the plate; picking the leg is the most a landmark tool can repair without inventing positions;

and prints the error against the truth, per clip and as MAE, plus how far each joint lies from its true
position (px). Both are measured on two sets of landmarks, side by side:

- raw (`near_side`, `visible_leg`): the pose model on the frames as filmed, plate in view (a plain
  `pose.estimator.track_video` pass): the model's own joints under a plate;
- painted (`painted_near_side`, `painted_visible_leg`): formcheck's tracking pass
  (`flows.tracking.observe_video`), where the model reads each frame with the plate, once it is followed,
  painted out (`plate/paint.py`). The hip stays hidden under the paint either way.

The plate that picks the visible leg is the tracking pass's, tidied as the engine tidies it
(`plate.track.refine`), for both sets. Uses the `formcheck validate` cache for the renders and the tracking
pass, and caches the raw landmarks beside them (`CLIP.MODEL.unpainted.npz`); rendering and tracking the 26
plated side-on clips takes several minutes on 2 cores, seconds when cached. `--quick` takes the 2 plated
side-on clips of `formcheck validate --quick` instead (one rep each): a check that the script runs.

    python benchmarks/plated_landmarks.py [--json benchmarks/results/plated_landmarks.json] [--quick]
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

import numpy as np

from formcheck.body.joints import near_side, other_side
from formcheck.body.keypoints import Keypoints, load_keypoints, save_keypoints
from formcheck.capture.video import open_video
from formcheck.cli.validate import default_cache_dir
from formcheck.measure import geometry
from formcheck.measure.metrics import KNEE_LANDMARK_BIAS_DEG, SHIN_LANDMARK_BIAS_DEG
from formcheck.plate.track import PlateTrack, refine
from formcheck.pose.estimator import track_video
from formcheck.pose.models import ensure_model
from formcheck.validate.grid import build_grid, cached_paths
from formcheck.validate.run import ClipJob, ensure_observed, ensure_rendered

HALF_WINDOW = 3  # frames either side of the true lockout whose median is taken, as the pipeline smooths
ANGLES = ("knee_angle_deg", "shin_from_vertical_deg", "hip_extension_deg")
JOINTS = ("shoulder", "hip", "knee", "ankle")
LEG = ("hip", "knee", "ankle")  # the points taken from the visible leg
VARIANTS = ("near_side", "visible_leg", "painted_near_side", "painted_visible_leg")


def ensure_unpainted(job: ClipJob) -> Keypoints:
    """The pose model's landmarks on the clip's frames as filmed (nothing painted out), cached beside it."""
    cached = job.video.with_suffix(f".{job.model.stem}.unpainted.npz")
    if cached.is_file():
        return load_keypoints(cached).keypoints
    source = open_video(job.video)
    pose = track_video(source, model=job.model)
    info = source.info
    save_keypoints(cached, pose, fps=info.fps, width=info.width, height=info.height)
    return pose


def _angles(shoulder: np.ndarray, hip: np.ndarray, knee: np.ndarray, ankle: np.ndarray) -> dict[str, float]:
    """Median lockout angles of (frames, 2) joints, with formcheck's landmark-bias corrections."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN windows give NaN, reported as such
        knee_angle = float(np.nanmedian(geometry.knee_angle(hip, knee, ankle)))
        shin = float(np.nanmedian(geometry.shin_from_vertical(hip, knee, ankle)))
        return {"knee_angle_deg": knee_angle - KNEE_LANDMARK_BIAS_DEG,
                "shin_from_vertical_deg": shin - SHIN_LANDMARK_BIAS_DEG,
                "hip_extension_deg": float(np.nanmedian(geometry.hip_extension(shoulder, hip, knee)))}


def _rows(truth_doc: dict, pose: Keypoints, plate: PlateTrack, side: str) -> list[dict]:
    """One row per true rep of one set of landmarks (MediaPipe's 33 points): errors of both variants and
    per-joint pixel errors of the visible leg."""
    near, far = near_side(pose, side), near_side(pose, other_side(side))
    true_px = truth_doc["per_frame"]["joints_px"]
    rows = []
    for rep in truth_doc["reps"]:
        f = rep["lockout_frame"]
        window = slice(max(0, f - HALF_WINDOW), f + HALF_WINDOW + 1)
        centre = plate.center[window]
        with np.errstate(invalid="ignore"):  # no plate in a frame: NaN distances, no swap
            swap = (np.linalg.norm(far.xy_of("knee")[window] - centre, axis=1)
                    > np.linalg.norm(near.xy_of("knee")[window] - centre, axis=1))[:, None]
        own = {j: near.xy_of(j)[window] for j in JOINTS}
        leg = {**own, **{j: np.where(swap, far.xy_of(j)[window], own[j]) for j in LEG}}
        naive, visible = _angles(*(own[j] for j in JOINTS)), _angles(*(leg[j] for j in JOINTS))
        truth = rep["metrics"]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # a joint never seen in the window: NaN px
            px = {j: float(np.linalg.norm(np.nanmedian(leg[j], axis=0) - np.array(true_px[f"{side}_{j}"][f])))
                  for j in JOINTS}
        rows.append({"near_side": {k: naive[k] - truth[k] for k in ANGLES},
                     "visible_leg": {k: visible[k] - truth[k] for k in ANGLES},
                     "visible_leg_px": px, "leg_swapped": float(swap.mean()),
                     "plate_found": float(plate.found[window].mean())})
    return rows


def clip_rows(job: ClipJob, truth_doc: dict) -> list[dict]:
    """One row per true rep of a clip: the raw landmarks' figures, and the painted ones as `painted_*`."""
    side = job.clip.params.side
    observed = ensure_observed(job)
    plate = refine(observed.plate, near_side(observed.pose, side))
    raw = _rows(truth_doc, ensure_unpainted(job), plate, side)
    painted = _rows(truth_doc, observed.pose, plate, side)
    return [{**r, **{f"painted_{k}": v for k, v in p.items() if k != "plate_found"}}
            for r, p in zip(raw, painted, strict=True)]


def _mae(rows: list[dict], variant: str, key: str) -> tuple[float, int, int]:
    """MAE over the finite errors, how many were finite, and how many were within 3 degrees."""
    errs = np.array([r[variant][key] for r in rows])
    errs = np.abs(errs[np.isfinite(errs)])
    return (float(errs.mean()) if errs.size else float("nan")), int(errs.size), int((errs <= 3.0).sum())


def _median_px(rows: list[dict], key: str) -> dict[str, float]:
    """Median distance of each visible-leg joint from the true joint, over the rows."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return {j: round(float(np.nanmedian([r[key][j] for r in rows])), 1) for j in JOINTS}


def _print_row(name: str, row: dict) -> None:
    for prefix, label in (("", "raw"), ("painted_", "painted")):
        errs = " ".join(f"{k.split('_')[0]} {row[f'{prefix}visible_leg'][k]:+6.1f}" for k in ANGLES)
        print(f"{name:36s} {label:7s} visible leg: {errs}  (leg swapped in "
              f"{row[f'{prefix}leg_swapped']:.0%} of frames, plate found in {row['plate_found']:.0%})")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", type=Path, help="write per-clip rows and the summary here")
    parser.add_argument("--quick", action="store_true",
                        help="only the smoke grid's 2 plated side-on clips (one rep each), for a quick check")
    args = parser.parse_args(argv)
    model = ensure_model("full")
    cache = default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    per_clip: dict[str, list[dict]] = {}
    for clip, video in cached_paths(build_grid(args.quick), cache):
        if not clip.params.plates or clip.tags["view"] != "side":
            continue
        job = ClipJob(clip, video, model)
        per_clip[clip.name] = clip_rows(job, json.loads(ensure_rendered(job).read_text()))
        for row in per_clip[clip.name]:
            _print_row(clip.name, row)
    rows = [r for rs in per_clip.values() for r in rs]
    summary = {}
    print(f"\n{len(rows)} plated lockouts; MAE, and how many of them were within 3 degrees:")
    for variant in VARIANTS:
        for key in ANGLES:
            mae, n, within = _mae(rows, variant, key)
            summary[f"{variant}.{key}"] = {"mae": round(mae, 2), "n": n, "within_3deg": within}
            print(f"  {variant:19s} {key:24s} MAE {mae:5.1f}  within 3°: {within}/{n}")
    px, painted_px = _median_px(rows, "visible_leg_px"), _median_px(rows, "painted_visible_leg_px")
    print(f"  visible leg, median px from the true joint: raw {px}, painted {painted_px}")
    if args.json:
        args.json.write_text(json.dumps({"summary": summary, "median_px": px, "painted_median_px": painted_px,
                                         "clips": per_clip}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
