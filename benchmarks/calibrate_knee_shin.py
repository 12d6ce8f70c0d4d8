"""Calibrate the knee and shin landmark bias: how far MediaPipe's knee angle and shin read from the truth.

Re-creates the calibration set behind `metrics.KNEE_LANDMARK_BIAS_DEG` and `SHIN_LANDMARK_BIAS_DEG` (commit
b4bdfab): 12 clips rendered with `formcheck.synth` for this only, seeds 1000-1011 (the validation grid uses
0-51, the samples 1-6, the neck calibration 2000-2023) and four looks of their own, none of them the grid's
nor the neck calibration's; true knee at the top 68-120 degrees, both sides, camera 2.5-3.0 m away, yaw
-8..+10, 0-5 degrees above level, no plates, hip extension 180, neutral neck; 640x360, 30 fps, two reps
each. They are tracked with formcheck's own pose code (full model) and cached under
`~/.cache/formcheck/calibrate_knee_shin/`.

At each rep's true lockout the raw knee angle and shin tilt (`geometry.knee_angle` and
`geometry.shin_from_vertical` on the near side's raw hip, knee and ankle landmarks, no bias taken off) are
the median over the frames within 250 ms of the lockout frame, as `formcheck.measure.clip` takes a lockout
value, and the offset is raw minus the renderer's sagittal truth (what `formcheck validate` scores against).
The figures: the offsets' mean and sd, the standard error of the mean from the 12 clip means (a clip's two
reps read alike, so they are not independent), the leave-one-clip-out error of correcting by the mean
offset of the other clips, and the same errors with the shipped constants. The offset against the true
joints in the image (`metrics_2d`) is given too: the landmarks' own share, without the camera's projection.
The offsets grow with the camera's elevation, so a straight line of offset against elevation is fitted,
and `--elevation DEG` renders the same 12 clips with every camera at DEG (cached apart).

    python benchmarks/calibrate_knee_shin.py [--json benchmarks/results/calibrate_knee_shin.json]
                                             [--elevation DEG] [--cache DIR] [--clips N]

About 2 minutes on 2 cores the first time (per elevation), seconds once cached. `--clips N` takes the first
N clips of the layout only (at least 2): a quick check that the script runs, not a calibration.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from formcheck.body.joints import near_side
from formcheck.body.keypoints import Keypoints
from formcheck.measure import geometry
from formcheck.measure.metrics import KNEE_LANDMARK_BIAS_DEG, SHIN_LANDMARK_BIAS_DEG
from formcheck.pose.models import ensure_model
from formcheck.synth import Look, SynthParams

sys.path.insert(0, str(Path(__file__).resolve().parent))
from synth_calibration import ensure_clip, lockout_window  # shared with calibrate_neck.py

CACHE = Path.home() / ".cache" / "formcheck" / "calibrate_knee_shin"
SHIPPED = {"knee_angle_deg": KNEE_LANDMARK_BIAS_DEG, "shin_from_vertical_deg": SHIN_LANDMARK_BIAS_DEG}
ANGLES = {"knee_angle_deg": geometry.knee_angle, "shin_from_vertical_deg": geometry.shin_from_vertical}

# Looks of this calibration set only (the grid and the neck calibration cycle nine others).
LOOKS = (
    Look(skin_rgb=(175, 125, 95), shirt_rgb=(140, 30, 60), shorts_rgb=(20, 50, 40), background="bright",
         hair_rgb=(40, 30, 20), jpeg_quality=80),
    Look(skin_rgb=(95, 62, 45), shirt_rgb=(220, 215, 195), shorts_rgb=(50, 50, 110), background="studio",
         hair_rgb=(15, 12, 10), noise_sigma=2.5),
    Look(skin_rgb=(240, 205, 180), shirt_rgb=(70, 70, 75), shorts_rgb=(160, 40, 40), background="gym",
         hair_rgb=(180, 140, 80), blur_sigma=0.5, light_noise=0.03),
    Look(skin_rgb=(150, 100, 75), shirt_rgb=(40, 120, 200), shorts_rgb=(200, 200, 200), background="dark",
         floor_rgb=(70, 70, 75), noise_sigma=2.0),
)

# (knee at top, side, distance m, yaw, elevation) of each clip: knees spread 68..120, the camera over the
# recipe's ranges, short and long knees on both sides.
LAYOUT = (
    (68.0, "left", 2.6, 0.0, 2.0),
    (120.0, "right", 2.9, -8.0, 0.0),
    (73.0, "right", 2.5, 6.0, 4.0),
    (114.0, "left", 3.0, -4.0, 1.0),
    (77.0, "left", 2.8, 10.0, 5.0),
    (109.0, "right", 2.7, 0.0, 3.0),
    (82.0, "right", 3.0, -6.0, 0.0),
    (104.0, "left", 2.5, 4.0, 2.0),
    (86.0, "left", 2.9, 8.0, 1.0),
    (99.0, "right", 2.6, -2.0, 5.0),
    (90.0, "right", 2.8, 2.0, 3.0),
    (95.0, "left", 2.7, -8.0, 4.0),
)
FIRST_SEED = 1000


def calibration_clips(elevation_deg: float | None = None) -> list[tuple[str, SynthParams]]:
    """(name, parameters) of every calibration clip: 640x360, 30 fps, two reps, no plates; `elevation_deg`
    puts every camera at that height instead of the layout's (the same clips otherwise)."""
    clips = []
    for k, (knee, side, distance, yaw, elevation) in enumerate(LAYOUT):
        up = elevation if elevation_deg is None else elevation_deg
        params = SynthParams(knee_at_top_deg=knee, side=side, distance_m=distance, yaw_deg=yaw,
                             elevation_deg=up, plates=False, reps=2, setup_s=0.6, width=640,
                             height=360, fps=30.0, look=LOOKS[k % len(LOOKS)], seed=FIRST_SEED + k)
        suffix = "" if elevation_deg is None else f"-up{up:g}"
        clips.append((f"knee{knee:g}-{side[0]}-yaw{yaw:g}{suffix}", params))
    return clips


@dataclass(frozen=True)
class Lockout:
    """One rep's lockout: its clip, and per metric the raw reading, the sagittal truth and the image truth."""

    clip: str
    rep: int
    elevation_deg: float
    raw: dict[str, float]
    truth: dict[str, float]
    truth_2d: dict[str, float]

    def offset(self, key: str, *, image: bool = False) -> float:
        """Raw reading minus the truth (`image`: minus the truth on the true joints in the image)."""
        return self.raw[key] - (self.truth_2d if image else self.truth)[key]


def lockouts_of(name: str, truth: dict, pose: Keypoints) -> list[Lockout]:
    """Every rep's lockout of one clip (raw values are medians over the hold near the true lockout)."""
    joints = near_side(pose, truth["side"])
    hip, knee, ankle = joints.xy_of("hip"), joints.xy_of("knee"), joints.xy_of("ankle")
    series = {key: f(hip, knee, ankle) for key, f in ANGLES.items()}
    out = []
    for rep in truth["reps"]:
        near = lockout_window(pose, rep["lockout_frame"])
        out.append(Lockout(name, int(rep["index"]), float(truth["params"]["elevation_deg"]),
                           {key: float(np.nanmedian(v[near])) for key, v in series.items()},
                           {key: float(rep["metrics"][key]) for key in ANGLES},
                           {key: float(rep["metrics_2d"][key]) for key in ANGLES}))
    return out


def _abs_errors(errors: list[float] | np.ndarray) -> dict[str, float]:
    e = np.abs(np.asarray(errors, float))
    return {"mae": float(e.mean()), "median": float(np.median(e)), "worst": float(e.max())}


def leave_one_clip_out(samples: list[Lockout], key: str) -> dict[str, object]:
    """Held-out errors of correcting each clip by the mean offset of the other clips."""
    errors: list[float] = []
    worst_clip, worst = "", -1.0
    for clip in sorted({s.clip for s in samples}):
        bias = np.mean([s.offset(key) for s in samples if s.clip != clip])
        held = [s.offset(key) - bias for s in samples if s.clip == clip]
        errors += held
        if max(map(abs, held)) > worst:
            worst_clip, worst = clip, max(map(abs, held))
    return {**_abs_errors(errors), "worst_clip": worst_clip}


def summarise(samples: list[Lockout], key: str) -> dict[str, object]:
    """Mean and spread of one metric's offset, its held-out error, and how the shipped constant does."""
    offsets = np.array([s.offset(key) for s in samples])
    clips = sorted({s.clip for s in samples})
    clip_means = np.array([np.mean([s.offset(key) for s in samples if s.clip == c]) for c in clips])
    se = float(clip_means.std(ddof=1) / np.sqrt(len(clips)))
    mean, shipped = float(offsets.mean()), SHIPPED[key]
    elevations = np.array([s.elevation_deg for s in samples])
    fit = None  # the offset's straight line against camera elevation, where the clips' elevations differ
    if np.ptp(elevations) > 0:
        per_deg, at_level = np.polyfit(elevations, offsets, 1)
        fit = {"at_level_deg": float(at_level), "per_degree_up": float(per_deg)}
    return {
        "lockouts": len(offsets), "clips": len(clips),
        "mean_deg": mean, "sd_deg": float(offsets.std(ddof=1)), "se_clip_means_deg": se,
        "se_lockouts_deg": float(offsets.std(ddof=1) / np.sqrt(len(offsets))),
        "min_deg": float(offsets.min()), "max_deg": float(offsets.max()),
        "leave_one_clip_out": leave_one_clip_out(samples, key),
        "shipped_deg": shipped, "shipped_minus_mean_deg": shipped - mean,
        "shipped_within_2se": bool(abs(shipped - mean) <= 2.0 * se),
        "with_shipped": {**_abs_errors(offsets - shipped), "mean": float((offsets - shipped).mean())},
        "uncorrected": _abs_errors(offsets),
        "elevation_fit": fit,
        "image_truth": {"mean_deg": float(np.mean([s.offset(key, image=True) for s in samples])),
                        "sd_deg": float(np.std([s.offset(key, image=True) for s in samples], ddof=1))},
    }


def print_table(results: dict[str, dict], samples: list[Lockout]) -> None:
    """The figures, one metric a block, then every lockout's offsets."""
    n_clips = len({s.clip for s in samples})
    print(f"{len(samples)} lockouts from {n_clips} clips; offset = raw near-side landmarks - sagittal truth, "
          "degrees:")
    print(f"{'metric':<24} {'mean':>5} {'sd':>4} {'se':>4}  {'LOO MAE':>7} {'median':>6} {'worst':>5}  "
          f"{'shipped':>7} {'MAE':>4} {'worst':>5}  {'raw MAE':>7}  {'vs image':>8}")
    for key, r in results.items():
        loo, ship = r["leave_one_clip_out"], r["with_shipped"]
        print(f"{key:<24} {r['mean_deg']:+5.1f} {r['sd_deg']:4.1f} {r['se_clip_means_deg']:4.1f}  "
              f"{loo['mae']:7.1f} {loo['median']:6.1f} {loo['worst']:5.1f}  {r['shipped_deg']:+7.1f} "
              f"{ship['mae']:4.1f} {ship['worst']:5.1f}  {r['uncorrected']['mae']:7.1f}  "
              f"{r['image_truth']['mean_deg']:+8.1f}")
    for key, r in results.items():
        verdict = "agrees" if r["shipped_within_2se"] else "DISAGREES"
        print(f"{key}: shipped {r['shipped_deg']:+.1f} vs measured {r['mean_deg']:+.2f} +- "
              f"{2 * r['se_clip_means_deg']:.2f} (2 se of the clip means): {verdict}; "
              f"worst held-out clip {r['leave_one_clip_out']['worst_clip']}")
        fit = r["elevation_fit"]
        if fit is not None:
            print(f"  {key} offset vs camera elevation: {fit['at_level_deg']:+.1f} at level, "
                  f"{fit['per_degree_up']:+.2f} per degree up")
    print("per lockout (clip rep, camera elevation: knee, shin offsets):")
    for s in samples:
        print(f"  {s.clip:<22} {s.rep} {s.elevation_deg:3g}: {s.offset('knee_angle_deg'):+5.1f} "
              f"{s.offset('shin_from_vertical_deg'):+5.1f}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cache", type=Path, default=CACHE)
    parser.add_argument("--json", type=Path, default=None, help="write the figures here")
    parser.add_argument("--elevation", type=float, default=None, metavar="DEG",
                        help="put every camera DEG above level instead of the layout's 0-5")
    parser.add_argument("--clips", type=int, default=len(LAYOUT), metavar="N",
                        help=f"only the first N clips of the layout (2..{len(LAYOUT)}), for a quick check")
    args = parser.parse_args(argv)
    if not 2 <= args.clips <= len(LAYOUT):
        parser.error(f"--clips: expected 2..{len(LAYOUT)} (the spread needs two clips), got {args.clips}")
    model = ensure_model("full")
    clips = calibration_clips(args.elevation)[:args.clips]
    samples: list[Lockout] = []
    for name, params in clips:
        truth, pose = ensure_clip(name, params, args.cache, model)
        samples += lockouts_of(name, truth, pose)
    results = {key: summarise(samples, key) for key in ANGLES}
    print_table(results, samples)
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        rows = [{"clip": s.clip, "rep": s.rep, "raw": s.raw, "truth": s.truth, "truth_2d": s.truth_2d}
                for s in samples]
        args.json.write_text(json.dumps({"clips": len(clips), "model": model.stem,
                                         "elevation_override_deg": args.elevation, "metrics": results,
                                         "lockouts": rows}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
