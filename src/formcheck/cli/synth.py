"""`formcheck synth --out clip.mp4 [options]`: render a synthetic hip-thrust clip with ground truth.

Also `formcheck synth --random --seed N [--split tune|check] --out clip.mp4`, which renders clip N of a
validation split with every factor drawn at random (see synth.randomize), and `formcheck synth --samples
[--out DIR]`, which regenerates the committed `sample_videos/`.
Needs the `synth` extra (numba) and, on first use, downloads the CC0 MakeHuman body (see synth.assets).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from formcheck.cli.common import progress_bar
from formcheck.errors import InputError
from formcheck.synth.params import BACKGROUND_KINDS, PLATE_STYLES
from formcheck.synth.randomize import SPLITS

if TYPE_CHECKING:
    from formcheck.synth.params import SynthParams

DEFAULT_SAMPLES_DIR = Path("sample_videos")


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `synth` subcommand."""
    parser = subparsers.add_parser(
        "synth",
        help="render a synthetic hip-thrust clip whose joint angles are known (mp4 + .gt.json)",
        description="Render a MakeHuman lifter doing barbell hip thrusts with the form you ask for, and "
                    "write the video plus a ground-truth JSON beside it (per-frame joints and angles, "
                    "per-rep lockout metrics and the cues the faults imply). Angles in degrees, with the "
                    "signs of docs/design.md. With --random, every factor (body, form, load, room, camera) "
                    "is drawn from --seed instead; docs/synth.md lists them and their ranges.",
    )
    parser.add_argument("--out", type=Path, default=None,
                        help="the .mp4 to write (its ground truth goes to NAME.gt.json); with --samples, the "
                             f"folder (default: {DEFAULT_SAMPLES_DIR})")
    parser.add_argument("--samples", action="store_true",
                        help="regenerate the sample clips of sample_videos/ instead of one clip")
    parser.add_argument("--random", action="store_true",
                        help="draw every factor at random: the clip is number --seed of --split (the same "
                             "seed and split always give the same clip); the form and scene options "
                             "below are then not allowed")
    parser.add_argument("--split", choices=SPLITS, default="tune",
                        help="with --random: the validation split, tune (bodies 0-7) or check (bodies "
                             "8-23), whose seeds never overlap (default tune)")
    parser.add_argument("--seed", type=int, default=0,
                        help="random seed of the noise and the room (clips are reproducible); with --random, "
                             "the clip's number in its split")
    _form_options(parser.add_argument_group("form (not with --random)"))
    _scene_options(parser.add_argument_group("load, scene and camera (not with --random)"))
    parser.set_defaults(func=run, clip_defaults={dest: parser.get_default(dest) for dest in CLIP_OPTIONS})


CLIP_OPTIONS = ("knee_at_top", "hip_ext", "bottom_hip_ext", "neck", "pelvic_tilt", "tempo", "reps",
                "partial_reps", "body", "side", "plates", "plate_count", "plate_diameter", "plate_style",
                "bar_pad", "scene", "yaw", "elevation", "roll", "distance", "fov", "width", "height", "fps",
                "background", "noise", "blur", "jpeg_quality", "light_noise")


def _form_options(form: argparse._ArgumentGroup) -> None:
    form.add_argument("--knee-at-top", type=float, default=90.0, metavar="DEG",
                      help="knee angle at lockout, set by foot placement (90 good, 115 feet too far)")
    form.add_argument("--hip-ext", type=float, default=180.0, metavar="DEG",
                      help="shoulder-hip-knee angle at lockout (160 short, 180 full, 200 arched)")
    form.add_argument("--bottom-hip-ext", type=float, default=110.0, metavar="DEG",
                      help="shoulder-hip-knee angle at the bottom of each rep (95 deep .. 150 shallow)")
    form.add_argument("--neck", type=float, default=30.0, metavar="DEG",
                      help="neck flexion: + chin toward the chest, 0 head in line with the torso, - head "
                           "back (default 30, the coached tuck; chin_lifted <= 0, chin_crushed >= 75)")
    form.add_argument("--pelvic-tilt", type=float, default=15.0, metavar="DEG",
                      help="posterior pelvic tilt at lockout (default 15; 0 = none)")
    form.add_argument("--tempo", default="1.2,1.0,1.6", metavar="C,H,E",
                      help="seconds rising, holding the top, lowering (default 1.2,1.0,1.6)")
    form.add_argument("--reps", type=int, default=3, help="full reps (default 3)")
    form.add_argument("--partial-reps", type=int, default=0,
                      help="partial reps after the first (not counted)")
    form.add_argument("--body", type=int, default=None, metavar="ID",
                      help="catalogue body 0-23 (MakeHuman shapes, docs/synth.md); default: the unshaped "
                           "base mesh")


def _scene_options(scene: argparse._ArgumentGroup) -> None:
    scene.add_argument("--side", choices=("left", "right"), default="left",
                       help="body side facing the camera")
    scene.add_argument("--plates", action=argparse.BooleanOptionalAction, default=False,
                       help="plates on the bar (they hide the near hip, as in real footage)")
    scene.add_argument("--plate-count", type=int, default=1, help="plates a side, 1-3 (default 1)")
    scene.add_argument("--plate-diameter", type=float, default=0.45, metavar="M",
                       help="plate diameter in metres, 0.30-0.45 (default 0.45)")
    scene.add_argument("--plate-style", choices=PLATE_STYLES, default="solid",
                       help="solid rubber disc or cast iron with grip holes (default solid)")
    scene.add_argument("--bar-pad", action=argparse.BooleanOptionalAction, default=False,
                       help="a foam pad around the bar")
    scene.add_argument("--scene", choices=BACKGROUND_KINDS, default="plain",
                       help="plain gradient, textured room, or a gym full of equipment (default plain)")
    scene.add_argument("--yaw", type=float, default=0.0, metavar="DEG",
                       help="camera turned from side-on toward the feet (90 = end-on)")
    scene.add_argument("--elevation", type=float, default=0.0, metavar="DEG", help="camera raised by DEG")
    scene.add_argument("--roll", type=float, default=0.0, metavar="DEG",
                       help="camera turned about its axis (the horizon tilts)")
    scene.add_argument("--distance", type=float, default=2.7, metavar="M", help="camera distance in metres")
    scene.add_argument("--fov", type=float, default=40.0, metavar="DEG", help="vertical field of view")
    scene.add_argument("--width", type=int, default=640, help="frame width (less than --height: portrait)")
    scene.add_argument("--height", type=int, default=360)
    scene.add_argument("--fps", type=float, default=30.0)
    scene.add_argument("--background", default="studio",
                       help="colours of a plain scene: studio, gym, dark, bright or blue")
    scene.add_argument("--noise", type=float, default=0.0, help="pixel noise sigma (0-255 units)")
    scene.add_argument("--blur", type=float, default=0.0, help="Gaussian blur sigma in pixels")
    scene.add_argument("--jpeg-quality", type=int, default=0, help="extra JPEG round trip quality (0 = off)")
    scene.add_argument("--light-noise", type=float, default=0.0, help="brightness flicker, e.g. 0.05")


def _params(args: argparse.Namespace) -> SynthParams:
    """SynthParams from the options; bad values become one-line input errors."""
    from formcheck.synth.params import Look, SynthParams, Tempo

    try:
        look = Look(background=args.background, noise_sigma=args.noise, blur_sigma=args.blur,
                    jpeg_quality=args.jpeg_quality, light_noise=args.light_noise)
        return SynthParams(knee_at_top_deg=args.knee_at_top, hip_ext_deg=args.hip_ext,
                           bottom_hip_ext_deg=args.bottom_hip_ext, neck_deg=args.neck,
                           pelvic_tilt_deg=args.pelvic_tilt, tempo=Tempo.parse(args.tempo), reps=args.reps,
                           partial_reps=args.partial_reps, body_id=args.body, side=args.side,
                           plates=args.plates, plate_count=args.plate_count,
                           plate_diameter_m=args.plate_diameter, plate_style=args.plate_style,
                           bar_pad=args.bar_pad, background_kind=args.scene, yaw_deg=args.yaw,
                           elevation_deg=args.elevation, roll_deg=args.roll, distance_m=args.distance,
                           fov_y_deg=args.fov, width=args.width, height=args.height, fps=args.fps, look=look,
                           seed=args.seed)
    except ValueError as exc:
        raise InputError(str(exc)) from exc


def _random_params(args: argparse.Namespace) -> tuple[SynthParams, str]:
    """The randomised clip's parameters and a one-line description; explicit clip options are refused."""
    from formcheck.synth.randomize import sample_params

    given = [f"--{dest.replace('_', '-')}" for dest, default in args.clip_defaults.items()
             if getattr(args, dest) != default]
    if given:
        raise InputError(f"--random draws every factor from --seed; drop {', '.join(given)}")
    try:
        clip = sample_params(args.seed, args.split)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    tags = ", ".join(f"{k} {v}" for k, v in clip.tags.items())
    return clip.params, f"{clip.name} ({tags})"


def _import_synth() -> None:
    """Fail early, in one line, when the synth extra is missing."""
    try:
        import formcheck.synth.raster  # noqa: F401  (needs numba)
    except ImportError as exc:
        raise InputError(f"{exc}") from exc


def _reps(n: int) -> str:
    return f"{n} rep" if n == 1 else f"{n} reps"


def _notify(message: str) -> None:
    print(message, file=sys.stderr)


def _render_one(args: argparse.Namespace) -> int:
    from formcheck.synth.assets import ensure_assets
    from formcheck.synth.clip import render_clip
    from formcheck.synth.groundtruth import ground_truth_path

    if args.out is None:
        raise InputError("synth: expected --out CLIP.mp4 (or --samples)")
    if args.out.suffix.lower() != ".mp4":
        raise InputError(f"--out: expected a .mp4 file name, got {args.out}")
    if args.random:
        params, described = _random_params(args)
        print(f"randomised clip {described}")
    else:
        params = _params(args)
    ensure_assets(notify=_notify)
    started = time.perf_counter()
    with progress_bar(None, args.out.name) as bar:
        def advance(done: int, total: int) -> None:
            bar.total = total
            bar.update(done - bar.n)

        truth = render_clip(params, args.out, progress=advance)
    elapsed = time.perf_counter() - started
    cues = ", ".join(truth.data["expected_set_cues"]) or "none"
    print(f"{args.out}: {truth.frames} frames ({truth.data['fps']:g} fps, {truth.data['width']}x"
          f"{truth.data['height']}), {_reps(len(truth.reps))}, rendered in {elapsed:.1f} s "
          f"({truth.frames / elapsed:.1f} frames/s); ground truth {ground_truth_path(args.out)}; "
          f"expected cues: {cues}")
    return 0


def _render_samples(args: argparse.Namespace) -> int:
    from formcheck.synth.assets import ensure_assets
    from formcheck.synth.samples import SAMPLES, regenerate_samples

    out_dir = args.out if args.out is not None else DEFAULT_SAMPLES_DIR
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"--out: {out_dir} exists and is not a folder")
    ensure_assets(notify=_notify)
    started = time.perf_counter()
    frames = 0
    with progress_bar(None, "samples") as bar:
        def advance(name: str, done: int, total: int) -> None:
            bar.set_description(name)
            bar.update(1)

        truths = regenerate_samples(out_dir, progress=advance)
    for name, truth in truths.items():
        frames += truth.frames
        cues = ", ".join(truth.data["expected_set_cues"]) or "none"
        print(f"{out_dir / name}.mp4: {truth.frames} frames, {_reps(len(truth.reps))}, expected cues: {cues}")
    elapsed = time.perf_counter() - started
    print(f"{len(SAMPLES)} samples in {out_dir}/, {frames} frames in {elapsed:.1f} s "
          f"({frames / elapsed:.1f} frames/s)")
    return 0


def run(args: argparse.Namespace) -> int:
    """Render one clip, or regenerate the samples."""
    if args.samples and args.random:
        raise InputError("synth: expected --samples or --random, not both")
    _import_synth()
    return _render_samples(args) if args.samples else _render_one(args)
