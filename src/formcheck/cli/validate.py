"""`formcheck validate`: render the validation grid, run the whole pipeline on it, print and write accuracy.

Clips run in parallel worker processes (one per `--jobs`); renders and landmarks are cached by parameters,
so a re-run after a change to measuring takes a fraction of the first run.
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
from typing import TYPE_CHECKING

from tqdm import tqdm

from formcheck import __version__
from formcheck.cli.models import notify_stderr
from formcheck.errors import InputError
from formcheck.pose.models import ensure_model
from formcheck.synth.groundtruth import ground_truth_path
from formcheck.validate.grid import build_grid, cached_paths
from formcheck.validate.markdown import Meta, document, metrics_table, splice_readme, targets_table
from formcheck.validate.notes import sections
from formcheck.validate.score import ClipScore, summarise

if TYPE_CHECKING:
    from formcheck.validate.run import ClipJob


def default_cache_dir() -> Path:
    """`$FORMCHECK_CACHE_DIR/validate`, else `~/.cache/formcheck/validate`."""
    root = os.environ.get("FORMCHECK_CACHE_DIR", "")
    return (Path(root).expanduser() if root else Path.home() / ".cache" / "formcheck") / "validate"


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `validate` subcommand."""
    parser = subparsers.add_parser(
        "validate", help="measure accuracy on a grid of rendered clips with ground truth",
        description="Render a grid of synthetic hip-thrust clips (every fault, both sides, plates on and "
                    "off, side-on and oblique), analyse each with the full pipeline and compare with the "
                    "renderer's ground truth: per-metric error at lockout, rep counts, view checks, cues.")
    parser.add_argument("--quick", action="store_true", help="a 5-clip smoke grid instead of the full one")
    parser.add_argument("--jobs", type=int, default=2, help="clips analysed in parallel (default: 2)")
    parser.add_argument("--cache-dir", type=Path, default=None,
                        help="where renders and landmarks are cached (default: $FORMCHECK_CACHE_DIR/validate "
                             "or ~/.cache/formcheck/validate)")
    parser.add_argument("--fresh", action="store_true",
                        help="render and track every clip again (after changing the renderer or pose model)")
    parser.add_argument("--out", type=Path, default=None,
                        help="write the Markdown report here (the full grid's is docs/accuracy.md)")
    parser.add_argument("--json", type=Path, default=None, help="write raw per-clip results here")
    parser.add_argument("--readme", type=Path, default=None,
                        help="put the targets table between this file's <!-- accuracy:start/end --> markers")
    parser.add_argument("--rules", type=Path, default=None, help="a rule pack extending the shipped one")
    parser.set_defaults(func=run)


def _run_jobs(jobs: list[ClipJob], workers: int) -> list[ClipScore]:
    """Evaluate every clip, in worker processes when `workers` > 1; results in grid order."""
    from formcheck.validate.run import evaluate_clip  # the renderer needs the synth extra (numba)

    order = {job.clip.name: i for i, job in enumerate(jobs)}
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
    return sorted(scores, key=lambda s: order[s.name])


def _command(args: argparse.Namespace) -> str:
    words = ["formcheck validate"]
    if args.quick:
        words.append("--quick")
    if args.out:
        words.append(f"--out {args.out}")
    if args.json:
        words.append(f"--json {args.json}")
    if args.readme:
        words.append(f"--readme {args.readme}")
    return " ".join(words)


def run(args: argparse.Namespace) -> int:
    """Evaluate the grid, print the tables, write the report files asked for."""
    if args.jobs < 1:
        raise InputError(f"--jobs: expected at least 1, got {args.jobs}")
    try:
        from formcheck.validate.run import ClipJob
    except ImportError as exc:
        raise InputError(f"formcheck validate renders clips and needs the synth extra ({exc})") from exc
    model = ensure_model("full", notify=notify_stderr)
    cache = args.cache_dir or default_cache_dir()
    cache.mkdir(parents=True, exist_ok=True)
    grid = list(cached_paths(build_grid(args.quick), cache))
    if args.fresh:
        for _clip, video in grid:
            for stale in video.parent.glob(video.stem + ".*"):
                stale.unlink()
    jobs = [ClipJob(clip, video, model, args.rules) for clip, video in grid]
    cached = sum(ground_truth_path(video).is_file() for _clip, video in grid)
    started = time.monotonic()
    scores = _run_jobs(jobs, args.jobs)
    summary = summarise(scores)
    print(targets_table(summary))
    print()
    print(metrics_table(summary))
    meta = Meta(command=_command(args), date=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
                machine=f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
                version=__version__, seconds=time.monotonic() - started, cached=cached)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(document(summary, scores, meta, sections(summary, scores)))
    if args.readme:
        try:
            args.readme.write_text(splice_readme(args.readme.read_text(), summary, meta))
        except (OSError, ValueError) as exc:
            raise InputError(f"{args.readme}: {exc}") from exc
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        raw = {"meta": dataclasses.asdict(meta), "summary": dataclasses.asdict(summary),
               "clips": [dataclasses.asdict(s) for s in scores]}
        args.json.write_text(json.dumps(raw, indent=1, default=str) + "\n")
    return 0
