"""`formcheck validate`: render a randomised grid, run the whole pipeline on it, write accuracy and fits.

Clips run in parallel worker processes (`--workers`); renders and observations are cached by parameters,
so a re-run after a change to measuring takes minutes where the first run takes hours. The report is of
the check split (bodies 8-23); `--fit` runs the tune split (bodies 0-7) too and fits the constants there.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import sys
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tqdm import tqdm

from formcheck import __version__
from formcheck.cli.models import notify_stderr
from formcheck.errors import InputError
from formcheck.pose.models import ensure_model
from formcheck.synth.groundtruth import ground_truth_path
from formcheck.synth.randomize import SPLITS, SampledClip
from formcheck.validate.fit import fit_constants, fit_document
from formcheck.validate.grid import DEFAULT_CLIPS, MIN_CHECK_CLIPS, build_grid, cached_paths
from formcheck.validate.markdown import Meta, document, splice_readme, targets_table
from formcheck.validate.notes import sections
from formcheck.validate.score import ClipScore
from formcheck.validate.summary import GridSummary, Row, summarise

if TYPE_CHECKING:
    from formcheck.validate.run import ClipJob

DEFAULT_TUNE_FIT = Path("benchmarks/results/tune_fit.json")


def default_cache_dir() -> Path:
    """`$FORMCHECK_CACHE_DIR/validate`, else `~/.cache/formcheck/validate`."""
    root = os.environ.get("FORMCHECK_CACHE_DIR", "")
    return (Path(root).expanduser() if root else Path.home() / ".cache" / "formcheck") / "validate"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `validate` subcommand."""
    parser = subparsers.add_parser(
        "validate", help="measure accuracy on randomised rendered clips with ground truth; fit constants",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Render randomised hip-thrust clips (docs/synth.md: bodies, plates, rooms, cameras, "
                    "faults), analyse each with the full pipeline and compare with the renderer's ground "
                    "truth: reps, lockout error per metric, camera verdicts and cues, broken down by body, "
                    "plate type, camera height, elevation, yaw, range of motion, fault and frame rate.",
        epilog="The report is of the check split (bodies 8-23), which no constant is fitted on. The tune "
               "split (bodies 0-7) is where constants are fitted:\n"
               "  formcheck validate --out docs/accuracy.md --json docs/accuracy.json --readme README.md \\\n"
               "      --fit benchmarks/results/tune_fit.json     # everything, in one go\n"
               "  formcheck validate --split tune --fit benchmarks/results/tune_fit.json   # the fit alone\n"
               "The first run renders and tracks every clip (an hour or more on 2 cores); later runs reuse "
               "the cache and take minutes.")
    parser.add_argument("--split", choices=SPLITS, default="check",
                        help="the grid to report on (default: check; tune only for diagnosing the fit)")
    parser.add_argument("--clips", type=int, default=None,
                        help=f"clips of the split (default: check {DEFAULT_CLIPS['check']}, "
                             f"tune {DEFAULT_CLIPS['tune']})")
    parser.add_argument("--quick", action="store_true",
                        help="a 2-clip smoke grid of one-rep clips of the split (a side view and a refusal)")
    parser.add_argument("--fit", type=Path, default=None, metavar="JSON",
                        help="also run the tune split and fit the knee and shin landmark biases and the "
                             "neck line there; write them here (e.g. benchmarks/results/tune_fit.json)")
    parser.add_argument("--tune-clips", type=int, default=None,
                        help=f"clips of the tune split for --fit (default: {DEFAULT_CLIPS['tune']})")
    parser.add_argument("--tune-fit", type=Path, default=None, metavar="JSON",
                        help="a fit to list beside the code's constants in the report (default: the --fit "
                             f"file, else {DEFAULT_TUNE_FIT} when it exists)")
    parser.add_argument("--workers", "--jobs", dest="workers", type=int, default=2,
                        help="clips evaluated in parallel (default: 2)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where renders and observations are cached (default: "
                             "$FORMCHECK_CACHE_DIR/validate or ~/.cache/formcheck/validate)")
    parser.add_argument("--fresh", action="store_true",
                        help="render and track every clip again (after changing the renderer or pose model)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the Markdown report here (the check grid's is docs/accuracy.md)")
    parser.add_argument("--json", type=Path, default=None, help="write the summary and per-clip results here")
    parser.add_argument("--readme", type=Path, default=None,
                        help="put the targets table between this file's <!-- accuracy:start/end --> markers "
                             "(the full check grid only)")
    parser.add_argument("--rules", type=Path, default=None, help="a rule pack extending the shipped one")
    parser.set_defaults(func=run)


def _check_args(args: argparse.Namespace) -> None:
    """One clear line for options that cannot go together."""
    if args.workers < 1:
        raise InputError(f"--workers: expected at least 1, got {args.workers}")
    for name in ("clips", "tune_clips"):
        value = getattr(args, name)
        if value is not None and value < 1:
            raise InputError(f"--{name.replace('_', '-')}: expected at least 1, got {value}")
    partial = args.quick or (args.clips or MIN_CHECK_CLIPS) < MIN_CHECK_CLIPS
    if args.readme and (args.split != "check" or partial):
        raise InputError(f"--readme: the README's table comes from the full check grid (at least "
                         f"{MIN_CHECK_CLIPS} clips, no --quick, --split check)")


def _run_jobs(jobs: list[ClipJob], workers: int) -> list[ClipScore]:
    """Evaluate every clip, in worker processes when `workers` > 1; results in job order."""
    from formcheck.validate.run import evaluate_clip  # the renderer needs the synth extra (numba)

    order = {(job.clip.split, job.clip.name): i for i, job in enumerate(jobs)}
    scores: list[ClipScore] = []
    bar = tqdm(total=len(jobs), desc="validate", unit="clip", file=sys.stderr)
    if workers <= 1:
        for job in jobs:
            scores.append(evaluate_clip(job))
            bar.update()
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            for future in as_completed([pool.submit(evaluate_clip, job) for job in jobs]):
                scores.append(future.result())
                bar.update()
    bar.close()
    return sorted(scores, key=lambda s: order[(s.tags["split"], s.name)])


def _command(args: argparse.Namespace) -> str:
    words = ["formcheck validate"]
    if args.split != "check":
        words.append(f"--split {args.split}")
    if args.quick:
        words.append("--quick")
    if args.clips:
        words.append(f"--clips {args.clips}")
    for flag in ("out", "json", "readme", "fit"):
        if getattr(args, flag):
            words.append(f"--{flag} {getattr(args, flag)}")
    if args.tune_clips:
        words.append(f"--tune-clips {args.tune_clips}")
    return " ".join(words)


def _grids(args: argparse.Namespace) -> tuple[list[SampledClip], list[SampledClip]]:
    """(the reported grid, the tune grid for --fit: the same clips when the reported grid is tune)."""
    report = build_grid(args.split, args.clips, quick=args.quick)
    if not args.fit:
        return report, []
    if args.split == "tune" and args.tune_clips is None:
        return report, report
    return report, build_grid("tune", args.tune_clips, quick=args.quick)


def _jobs(clips: list[SampledClip], args: argparse.Namespace, model: Path) -> list[ClipJob]:
    from formcheck.validate.run import ClipJob

    cache = args.cache_dir or default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    paths = list(cached_paths(clips, cache))
    if args.fresh:
        for _clip, video in paths:
            for stale in video.parent.glob(video.stem + ".*"):
                stale.unlink()
    return [ClipJob(clip, video, model, args.rules) for clip, video in paths]


def run(args: argparse.Namespace) -> int:
    """Evaluate the grid(s), print the targets, write the files asked for."""
    _check_args(args)
    try:
        from formcheck.validate.run import ClipJob  # noqa: F401  (needs the synth extra)
    except ImportError as exc:
        raise InputError(f"formcheck validate renders clips and needs the synth extra ({exc})") from exc
    model = ensure_model("full", notify=notify_stderr)
    report_clips, tune_clips = _grids(args)
    unique = {(c.split, c.name): c for c in [*report_clips, *tune_clips]}
    jobs = _jobs(list(unique.values()), args, model)
    cached = sum(ground_truth_path(job.video).is_file() for job in jobs)
    started = time.monotonic()
    by_name = {(s.tags["split"], s.name): s for s in _run_jobs(jobs, args.workers)}
    seconds = time.monotonic() - started
    scores = [by_name[(c.split, c.name)] for c in report_clips]
    meta = Meta(command=_command(args), date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                machine=f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                version=__version__, seconds=seconds, cached=cached, split=args.split)
    fitted = None
    if args.fit:
        fitted = _write_fit(args.fit, [by_name[(c.split, c.name)] for c in tune_clips], meta)
    summary = summarise(scores)
    print(targets_table(summary))
    if args.out:
        notes = sections(summary, scores, fitted or _tune_fit(args))
        _write(args.out, document(summary, scores, meta, notes))
    if args.readme:
        try:
            args.readme.write_text(splice_readme(args.readme.read_text(), summary, meta))
        except (OSError, ValueError) as exc:
            raise InputError(f"{args.readme}: {exc}") from exc
    if args.json:
        _write(args.json, _json_text(_raw(meta, summary, scores)))
    return 0


def _raw(meta: Meta, summary: GridSummary, scores: list[ClipScore]) -> dict[str, Any]:
    """The JSON document: meta, summary (rows with their precision, recall and reps share), every clip."""
    def row(r: Row) -> dict[str, Any]:
        return {**dataclasses.asdict(r), "precision": r.precision, "recall": r.recall,
                "reps_share": r.reps_share}

    doc = dataclasses.asdict(summary)
    doc.update(overall=row(summary.overall), loads={k: row(r) for k, r in summary.loads.items()},
               rows={k: [row(r) for r in rows] for k, rows in summary.rows.items()})
    del doc["failing"]  # the rows with `misses`, already under "rows"
    clips = [{**dataclasses.asdict(s), "scored": s.scored, "view_correct": s.view_correct} for s in scores]
    return _rounded({"meta": dataclasses.asdict(meta), "summary": doc, "clips": clips})


def _json_text(doc: dict[str, Any]) -> str:
    """The document indented, except one line per clip (a diff then shows which clips changed)."""
    head = json.dumps({k: v for k, v in doc.items() if k != "clips"}, indent=1, default=str)
    clips = ",\n".join("  " + json.dumps(c, default=str) for c in doc["clips"])
    return head[:-2] + ',\n "clips": [\n' + clips + "\n ]\n}\n"


def _rounded(value: Any, digits: int = 3) -> Any:
    """Floats rounded to `digits` (thousandths of a degree are noise; the file stays small)."""
    if isinstance(value, float):
        return round(value, digits)
    if isinstance(value, dict):
        return {k: _rounded(v, digits) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_rounded(v, digits) for v in value]
    return value


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)


def _write_fit(path: Path, scores: list[ClipScore], meta: Meta) -> dict[str, Any]:
    """Fit on the tune clips, print the constants, write the JSON; the constants' block for the report."""
    bodies = sorted({s.tags.get("body", "?") for s in scores}, key=lambda b: (len(b), b))
    grid = {"split": "tune", "clips": len(scores), "first": scores[0].name if scores else None,
            "last": scores[-1].name if scores else None, "bodies": bodies, "command": meta.command,
            "date": meta.date, "formcheck": meta.version}
    doc = fit_document(fit_constants(scores), grid)
    _write(path, json.dumps(doc, indent=1) + "\n")
    for name, entry in doc["constants"].items():
        print(f"{name}: {entry['current']} in the code, {entry['fitted']} fitted on the tune grid "
              f"(n={entry['n']})", file=sys.stderr)
    return doc["constants"]


def _tune_fit(args: argparse.Namespace) -> dict[str, Any] | None:
    """The constants of an earlier fit for the report, if one is given or sits at the default path."""
    path = args.tune_fit or (DEFAULT_TUNE_FIT if DEFAULT_TUNE_FIT.is_file() else None)
    if path is None:
        return None
    try:
        return json.loads(path.read_text())["constants"]
    except (OSError, json.JSONDecodeError, KeyError) as exc:
        raise InputError(f"--tune-fit {path}: not a fit written by formcheck validate --fit ({exc})") from exc
