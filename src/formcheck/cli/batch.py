"""`formcheck batch PATH... --client NAME`: score a client's recorded sets and keep their history.

Exit codes (DESIGN.md): 0 every set analysed or already done; 3 some failed (each with its reason);
2 nothing could be read, or bad arguments; 1 internal error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formcheck.capture.video import DEFAULT_MAX_SIDE
from formcheck.cli.common import MODEL_HELP, model_path
from formcheck.errors import InputError
from formcheck.flows.batch.backends import Backend, LocalBackend, RayBackend
from formcheck.flows.batch.driver import BatchRequest, BatchSummary, SetEvent, Status, run_batch
from formcheck.flows.batch.jobs import Settings
from formcheck.flows.batch.staging import exclusive_lock
from formcheck.history.names import check_client_name
from formcheck.history.store import HistoryStore, default_db_path, default_reports_dir
from formcheck.pose.models import DEFAULT_VARIANT
from formcheck.pose.parallel import default_workers
from formcheck.rules import load_rule_pack

_MARK = {Status.ANALYSED: "ok", Status.REJUDGED: "re-judged", Status.SKIPPED: "skip", Status.FAILED: "FAIL"}


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `batch` subcommand."""
    parser = subparsers.add_parser(
        "batch",
        help="score a client's recorded sets (files and folders) and record them in their history",
        description="Analyse every video found in PATHs (folders recursively; videos are recognised by "
                    "their content) as `formcheck analyze` does, writing the same outputs per set, and "
                    "record each set in the client's history. A rerun skips sets already done; a new rule "
                    "pack re-judges stored sets without the pose model. Exit codes: 0 all analysed or "
                    "already done, 3 some failed, 2 nothing could be read or bad arguments.",
    )
    parser.add_argument("paths", type=Path, nargs="*", metavar="PATH", help="video files and folders")
    parser.add_argument("--client", required=True, help="whose sets these are (any text; it is data)")
    parser.add_argument("--session", default=None, metavar="YYYY-MM-DD",
                        help="the session date of new sets (default: each video's modification date)")
    parser.add_argument("--db", type=Path, default=None,
                        help=f"history database (default: {default_db_path()})")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for the reports, one sub-folder per client, session and set "
                             "(default: 'reports' beside the database)")
    parser.add_argument("--workers", type=int, default=None,
                        help="sets analysed at once (default: one per available core)")
    parser.add_argument("--backend", choices=("local", "ray"), default="local",
                        help="local process pool, or Ray tasks (needs formcheck[ray]) (default: local)")
    parser.add_argument("--address", default=None,
                        help="with --backend ray: a running cluster's address (default: start a local one)")
    parser.add_argument("--rescore", action="store_true",
                        help="also re-judge the client's stored sets judged by another rule pack, from their "
                             "stored measurements (no pose model); PATHs may then be left out")
    parser.add_argument("--model", default=DEFAULT_VARIANT, help=MODEL_HELP)
    parser.add_argument("--rules", type=Path, default=None,
                        help="a TOML rule file that overrides or extends the built-in hip-thrust pack")
    parser.add_argument("--side", choices=("auto", "left", "right"), default="auto",
                        help="body side facing the camera in every video (default: auto)")
    parser.add_argument("--no-video", action="store_true", help="skip annotated.mp4 (faster)")
    parser.add_argument("--max-side", type=int, default=DEFAULT_MAX_SIDE,
                        help=f"downscale larger frames to this many pixels (default: {DEFAULT_MAX_SIDE})")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Check the arguments, hold the database for this run, run the batch, print the summary."""
    request, db = _request(args)
    workers = args.workers if args.workers is not None else default_workers()
    with exclusive_lock(db.with_name(db.name + ".lock"), f"history database {db}"), HistoryStore(db) as store:
        backend = _backend(args.backend, workers, args.address)
        try:
            summary = _run_with_progress(request, store, backend)
        finally:
            backend.close()
    print(summary_text(summary, request.out))
    return summary.exit_code


def _request(args: argparse.Namespace) -> tuple[BatchRequest, Path]:
    if not args.paths and not args.rescore:
        raise InputError("batch: expected at least one video file or folder (or --rescore)")
    if args.workers is not None and args.workers < 1:
        raise InputError(f"--workers: expected at least 1, got {args.workers}")
    if args.address is not None and args.backend != "ray":
        raise InputError("--address: expected with --backend ray only")
    db = args.db if args.db is not None else default_db_path()
    if db.exists() and db.is_dir():
        raise InputError(f"--db: {db} is a folder, expected a database file")
    out = args.out if args.out is not None else default_reports_dir(db)
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} exists and is not a folder")
    settings = Settings(model=str(model_path(args.model)), pack=load_rule_pack(args.rules), side=args.side,
                        max_side=args.max_side, video=not args.no_video)
    try:
        check_client_name(args.client)
        request = BatchRequest(tuple(args.paths), args.client, out, settings, session=args.session,
                               rescore=args.rescore)
    except ValueError as exc:
        raise InputError(f"batch: {exc}") from None
    return request, db


def _backend(name: str, workers: int, address: str | None) -> Backend:
    return RayBackend(workers, address) if name == "ray" else LocalBackend(workers)


def _run_with_progress(request: BatchRequest, store: HistoryStore, backend: Backend) -> BatchSummary:
    """One bar for the whole batch (frames, with ETA) and a line per finished set above it."""
    from tqdm import tqdm

    bar = tqdm(total=0, desc="batch", unit="frame", file=sys.stderr, dynamic_ncols=True, leave=False,
               disable=None)

    def started(frames: int, sets: int) -> None:
        bar.reset(total=frames or None)
        bar.set_description(f"batch: {sets} set{'s' if sets != 1 else ''} to analyse")

    def finished(event: SetEvent) -> None:
        bar.write(event_line(event), file=sys.stderr)
        if event.frames:
            bar.update(event.frames)

    try:
        return run_batch(request, store, backend, started, finished, tracked=bar.update)
    finally:
        bar.close()


def event_line(event: SetEvent) -> str:
    """One line per finished set, e.g. 'ok    clips/a.mp4: 3 reps, score 85/100'."""
    return f"{_MARK[event.status]:<9} {event.video}: {event.detail}"


def summary_text(summary: BatchSummary, out: Path) -> str:
    """The end of a batch, for a person: counts, every failure with its reason, where the reports are."""
    parts = [f"{summary.count(Status.ANALYSED)} analysed"]
    if summary.count(Status.REJUDGED):
        parts.append(f"{summary.count(Status.REJUDGED)} re-judged (pose model not run)")
    parts += [f"{summary.count(Status.SKIPPED)} skipped as already done", f"{len(summary.failures)} failed"]
    lines = ["batch: " + ", ".join(parts)]
    if not summary.events:
        lines.append("  no video was found in the inputs")
    lines += [f"  failed: {event.video}: {event.detail}" for event in summary.failures]
    if summary.ignored:
        lines.append(f"  {summary.ignored} other file(s) in the folders are not videos and were passed over")
    if summary.cleaned:
        lines.append(f"  removed what {summary.cleaned} interrupted run(s) left half-written")
    lines.append(f"reports: {out}")
    return "\n".join(lines)
