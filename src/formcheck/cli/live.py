"""`formcheck live`: real-time feedback from a webcam, or from a file played as if it were one."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

from formcheck.capture.video import CameraSource, FileSource, open_video
from formcheck.cli.analyze import summary
from formcheck.cli.common import MODEL_HELP, model_path, output_dir
from formcheck.errors import FormcheckError, InputError
from formcheck.flows.engine import SIDES, Engine, EngineOptions
from formcheck.flows.live import LiveRun, in_source_frames, run_live
from formcheck.flows.tracking import FrameStage, TrackingOptions
from formcheck.pose.models import DEFAULT_VARIANT
from formcheck.records import Cue, SourceInfo
from formcheck.report import atomic_write, write_json_report
from formcheck.rules import load_rule_pack

WINDOW = "formcheck live (q to quit)"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `live` subcommand."""
    parser = subparsers.add_parser(
        "live",
        help="live feedback from a webcam (or a video file played in real time)",
        description="Show the skeleton, angles, rep counter and the current cue while the lifter trains; "
                    "speak cues (espeak-ng when installed, else a terminal bell). Frames are dropped, never "
                    "queued, when the model is slower than the camera. On quit, print the set summary; "
                    "with --out, write report.json (the reps and cues as judged live) and latency.json.",
    )
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--camera", type=int, default=None, metavar="N", help="camera index (default: 0)")
    where.add_argument("--source", type=Path, default=None, metavar="FILE",
                       help="play a video file at its own frame rate as if it were a camera")
    parser.add_argument("--model", default=DEFAULT_VARIANT, help=MODEL_HELP)
    parser.add_argument("--rules", type=Path, default=None,
                        help="a TOML rule file extending the built-in pack")
    parser.add_argument("--side", choices=SIDES, default="auto", help="body side facing the camera")
    parser.add_argument("--out", type=Path, default=None, help="write report.json and latency.json here")
    parser.add_argument("--no-window", action="store_true", help="headless: no window (tests, CI)")
    parser.add_argument("--quiet", action="store_true", help="do not speak or beep the cues")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Open the source, run the live loop, then report the set as the engine judged it."""
    pack = load_rule_pack(args.rules)
    if not args.no_window and sys.platform.startswith("linux") and not os.environ.get("DISPLAY"):
        raise InputError("no display to open a window on; use --no-window (and --out DIR for the report)")
    source = open_video(args.source) if args.source is not None else CameraSource(args.camera or 0)
    out = output_dir(args.out, Path("live")) if args.out is not None else None
    engine = Engine(EngineOptions(pack, side=args.side, live=True))
    run_ = _run(source, args, model_path(args.model), engine)
    info = source.info
    seen = SourceInfo(info.path, info.fps, run_.latency.frames_seen, info.width, info.height)
    try:
        result = engine.finish(seen)
    except FormcheckError as exc:
        _write_latency(out, run_)
        raise InputError(f"live session ended without a set to judge: {exc}") from exc
    analysis = in_source_frames(result.analysis, seen, run_.source_index)
    if out is not None:
        write_json_report(analysis, out / "report.json")
        _write_latency(out, run_)
    lat = run_.latency
    print(summary(analysis, out / "report.json" if out else None))
    print(f"latency p50 {lat.p50_ms:.0f} ms, p95 {lat.p95_ms:.0f} ms; {lat.dropped_frames} of "
          f"{lat.frames_seen} frames dropped ({info.width}x{info.height})")
    return 0


def _run(source: FileSource | CameraSource, args: argparse.Namespace, model: Path, engine: Engine) -> LiveRun:
    show = None if args.no_window else _window()
    say = None if args.quiet else _speaker()
    try:
        with FrameStage(TrackingOptions(model)) as stage:
            return run_live(iter(source), stage, engine, realtime=isinstance(source, FileSource), show=show,
                            say=say)
    finally:
        if isinstance(source, CameraSource):
            source.close()
        if show is not None:
            import cv2

            cv2.destroyAllWindows()


def _window():
    import cv2

    cv2.namedWindow(WINDOW, cv2.WINDOW_NORMAL)

    def show(image) -> bool:
        cv2.imshow(WINDOW, image)
        return (cv2.waitKey(1) & 0xFF) not in (ord("q"), 27)

    return show


def _speaker():
    """Speak with espeak-ng when it is installed (never waiting for it), else ring the terminal bell."""
    espeak = shutil.which("espeak-ng") or shutil.which("espeak")

    def say(cue: Cue) -> None:
        if espeak:
            subprocess.Popen([espeak, cue.message], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        else:
            print("\a", end="", file=sys.stderr, flush=True)

    return say


def _write_latency(out: Path | None, result: LiveRun) -> None:
    if out is None:
        return
    with atomic_write(out / "latency.json") as handle:
        json.dump(asdict(result.latency), handle, indent=2)
        handle.write("\n")
