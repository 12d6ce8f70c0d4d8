"""`formcheck analyze VIDEO`: judge a recorded side-view set and write report.json, angles.csv,
report.html and annotated.mp4 into one folder."""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.body.view import HOW_TO_FILM
from formcheck.capture.video import DEFAULT_MAX_SIDE, open_video
from formcheck.cli.common import MODEL_HELP, model_path, output_dir, progress_bar
from formcheck.errors import InputError, RefusedError
from formcheck.flows.offline import SIDES, PipelineOptions, analyse_video
from formcheck.flows.outputs import REPORT_HTML, write_outputs
from formcheck.pose.models import DEFAULT_VARIANT
from formcheck.records import Analysis
from formcheck.rules import load_rule_pack


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `analyze` subcommand."""
    parser = subparsers.add_parser(
        "analyze",
        help="judge a recorded side-view hip-thrust set and write a report",
        description="Find the lifter, measure every rep at lockout (knee angle, shin, hip extension, neck), "
                    "give the coaching cues, and write report.json, angles.csv, report.html and "
                    "annotated.mp4. Exit codes: 0 analysed, 2 bad input or not side-on, 1 internal error.",
    )
    parser.add_argument("video", type=Path, help="a side-view video of the set (mp4, mov, ...)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default: VIDEO's name + .formcheck, next to the video)")
    parser.add_argument("--model", default=DEFAULT_VARIANT, help=MODEL_HELP)
    parser.add_argument("--rules", type=Path, default=None,
                        help="a TOML rule file that overrides or extends the built-in hip-thrust pack")
    parser.add_argument("--side", choices=SIDES, default="auto",
                        help="body side facing the camera (default: auto, estimated from the video)")
    parser.add_argument("--no-video", action="store_true", help="skip annotated.mp4 (faster)")
    parser.add_argument("--workers", type=int, default=None,
                        help="pose-tracking processes (default: one per available core)")
    parser.add_argument("--max-side", type=int, default=DEFAULT_MAX_SIDE,
                        help=f"downscale larger frames to this many pixels for the pose model "
                             f"(default: {DEFAULT_MAX_SIDE})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Validate everything cheap first, then track, judge, write, summarise."""
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: expected at least 1, got {args.workers}")
    source = open_video(args.video)
    pack = load_rule_pack(args.rules)
    out = output_dir(args.out, args.video)
    options = PipelineOptions(model_path(args.model), pack, side=args.side, workers=args.workers,
                              max_side=args.max_side)
    with progress_bar(source.info.frame_count, "finding the body") as bar:
        result = analyse_video(source, options, progress=bar.update)
    with progress_bar(len(result.pose), "drawing annotated.mp4", disable=args.no_video) as bar:
        outputs = write_outputs(result, source, out, pack, video=not args.no_video,
                                progress=lambda _stage, done, _total: bar.update(done - bar.n))
    analysis = result.analysis
    if not analysis.view.is_side_view:
        reason = f" ({analysis.view.reason})" if analysis.view.reason else ""
        raise RefusedError(f"{args.video}: the camera is not side-on{reason}, so no cues were given; "
                           f"{HOW_TO_FILM}. Report: {outputs.folder / REPORT_HTML}")
    print(summary(analysis, outputs.folder / REPORT_HTML))
    return 0


def summary(analysis: Analysis, report: Path | None) -> str:
    """A few lines for a person: reps, score, what to fix first, where the report is."""
    reps = len(analysis.reps)
    lines = [f"{Path(analysis.source.path).name}: {reps} rep{'s' if reps != 1 else ''}, "
             f"score {analysis.score if analysis.score is not None else 'n/a'}/100, "
             f"{analysis.view.side} side toward the camera"]
    for verdict in analysis.reps:
        primary = next((c for c in verdict.cues if c.primary), None)
        if primary is not None:
            said = primary.message
        elif verdict.score is None and verdict.skipped:  # a reading no real rep gives: not judged at all
            said = f"not judged: {verdict.skipped[0][1]}"
        else:
            said = verdict.rep.without_cues()
        lines.append(f"  rep {verdict.rep.index}: {said}")
    lines.extend(f"  set: {cue.message}" for cue in analysis.set_cues)
    lines.extend(f"  note: {note}" for note in analysis.notes)
    if report is not None:
        lines.append(f"report: {report}")
    return "\n".join(lines)
