"""`formcheck landmarks VIDEO -o track.npz`: extract pose landmarks from a video into a `.npz` file."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from tqdm import tqdm

from formcheck.body.keypoints import Keypoints, save_keypoints
from formcheck.body.view import estimate_view
from formcheck.capture.video import DEFAULT_MAX_SIDE, FileSource, open_video
from formcheck.cli.common import model_path
from formcheck.errors import InputError
from formcheck.pose.estimator import track_video
from formcheck.pose.models import DEFAULT_VARIANT, VARIANTS


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `landmarks` subcommand."""
    parser = subparsers.add_parser(
        "landmarks",
        help="extract pose landmarks from a video into a .npz track",
        description="Run MediaPipe pose on every frame and save the keypoints: `data` (frames, 33, 6) with "
                    "x, y (pixels of the upright frame), confidence (MediaPipe's visibility) and world x, y, "
                    "z (metres); NaN where nobody was found; `names` the 33 point names; `t_ms` from the "
                    "container; `fps`, `width`, `height` of the video.",
    )
    parser.add_argument("video", type=Path, help="the video file")
    parser.add_argument("-o", "--output", type=Path, default=None,
                        help="where to write the track (default: VIDEO's name with .landmarks.npz, here)")
    parser.add_argument("--model", default=DEFAULT_VARIANT,
                        help=f"a model variant ({', '.join(VARIANTS)}) provisioned on demand, or a path to "
                             f"a .task bundle (default: {DEFAULT_VARIANT})")
    parser.add_argument("--max-side", type=int, default=DEFAULT_MAX_SIDE,
                        help="downscale frames whose longest side exceeds this many pixels before "
                             f"inference; landmarks stay in original pixels (default: {DEFAULT_MAX_SIDE})")
    parser.add_argument("--num-poses", type=int, default=1,
                        help="people the model looks for; the lifter is kept (default: 1)")
    parser.set_defaults(func=run)


def _output_path(args: argparse.Namespace) -> Path:
    output = args.output or Path(f"{args.video.stem}.landmarks.npz")
    if output.is_dir():
        raise InputError(f"{output}: is a directory, expected the track's file name")
    if not output.parent.resolve().is_dir():
        raise InputError(f"{output.parent}: output folder does not exist")
    return output


def _save_atomic(pose: Keypoints, info: FileSource, output: Path) -> None:
    """Write next to the target and rename, so a reader never sees half a file."""
    temp = output.with_name(f".{output.name}.{os.getpid()}.partial.npz")  # .npz: numpy keeps the name
    try:
        save_keypoints(temp, pose, fps=info.info.fps, width=info.info.width, height=info.info.height)
        os.replace(temp, output)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _extract(source: FileSource, model: Path, args: argparse.Namespace) -> Keypoints:
    info = source.info
    with tqdm(total=info.frame_count or None, unit="frame", desc=source.info.path, file=sys.stderr,
              disable=None, leave=False) as bar:
        def advance(_pose: Keypoints) -> None:
            bar.update(1)

        return track_video(source, model=model, max_side=args.max_side, num_poses=args.num_poses,
                           progress=advance)


def run(args: argparse.Namespace) -> int:
    """Validate input, provision the model, extract, save atomically, print a one-line summary."""
    if args.max_side < 64:
        raise InputError(f"--max-side: expected at least 64 pixels, got {args.max_side}")
    if args.num_poses < 1:
        raise InputError(f"--num-poses: expected at least 1, got {args.num_poses}")
    source = open_video(args.video)
    output = _output_path(args)
    track = _extract(source, model_path(args.model), args)
    if source.truncated:
        print(f"formcheck: note: decoded {source.stats.decoded} of the {source.info.frame_count} frames the "
              "file announces; it looks truncated", file=sys.stderr)
    _save_atomic(track, source, output)
    info = source.info
    print(f"{output}: {len(track)} frames ({info.fps:.3f} fps, {info.width}x{info.height}), person found in "
          f"{track.detection_rate:.0%} of frames; {_view_summary(track)}")
    return 0


def _view_summary(track: Keypoints) -> str:
    if not track.found.any():
        return "no view estimate without a person"
    view = estimate_view(track)
    if not view.is_side_view:
        return f"not side-on: {view.reason} (confidence {view.confidence:.2f})"
    summary = f"{view.side} side faces the camera, side-on (confidence {view.confidence:.2f})"
    return f"{summary}; {view.reason}" if view.reason else summary
