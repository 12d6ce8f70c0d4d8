"""`formcheck history --client NAME`: write trends.html (and with --csv the same data as CSV) for a client.

Exit codes: 0 written; 2 no such client, no sets yet, or bad arguments; 1 internal error.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from formcheck.errors import InputError
from formcheck.history.names import check_client_name
from formcheck.history.store import HistoryStore, default_db_path, default_reports_dir
from formcheck.history.trends import build_trends
from formcheck.history.trends_csv import write_trends_csv
from formcheck.history.trends_html import render_trends_html
from formcheck.history.trends_plots import tempo_limits
from formcheck.report.files import atomic_write
from formcheck.report.plots import DEFAULT_BANDS
from formcheck.rules import load_rule_pack

TRENDS_HTML = "trends.html"
MAX_LISTED = 10


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `history` subcommand."""
    parser = subparsers.add_parser(
        "history",
        help="write a client's trends.html: angles, tempo, cues and drift over their sessions",
        description="Read a client's sets from the history database (written by `formcheck batch`) and "
                    "write trends.html: lockout angles and tempo per session and per rep with the target "
                    "bands, cue frequency and clean reps per session, drift within each set, and every set "
                    "linked to its report. Exit codes: 0 written, 2 unknown client or no sets, 1 internal "
                    "error.",
    )
    parser.add_argument("--client", required=True, help="the client's name, exactly as given to batch")
    parser.add_argument("--db", type=Path, default=None,
                        help=f"history database (default: {default_db_path()})")
    parser.add_argument("--out", type=Path, default=None,
                        help="folder for trends.html (default: the client's folder of reports beside the "
                             "database)")
    parser.add_argument("--csv", action="store_true",
                        help="also write trends.csv (one row per rep) and trends_sessions.csv")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    try:
        name = check_client_name(args.client)
    except ValueError as exc:
        raise InputError(f"history: {exc}") from None
    db = args.db if args.db is not None else default_db_path()
    if not db.is_file():
        raise InputError(f"--db: no history database at {db} (formcheck batch creates it)")
    with HistoryStore(db) as store:
        client = store.client(name)
        if client is None:
            raise InputError(f"no client named {name!r} in {db}; known: {_listed(store.client_names())}")
        stored = store.sets(client.id)
    if not stored:
        raise InputError(f"client {name!r} has no sets yet; run formcheck batch on their videos first")
    out = args.out if args.out is not None else default_reports_dir(db) / client.dirname
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} exists and is not a folder")
    out.mkdir(parents=True, exist_ok=True)
    trends = build_trends(name, stored)
    pack = load_rule_pack()
    page = render_trends_html(trends, out.resolve(), DEFAULT_BANDS, tempo_limits(pack))
    with atomic_write(out / TRENDS_HTML) as handle:
        handle.write(page)
    written = [out / TRENDS_HTML]
    if args.csv:
        written.extend(write_trends_csv(trends, out))
    print(f"{name}: {len(trends.sessions)} sessions, {len(trends.sets)} sets, {len(trends.reps)} reps")
    for path in written:
        print(f"wrote {path}")
    return 0


def _listed(names: list[str]) -> str:
    if not names:
        return "none yet"
    shown = ", ".join(repr(n) for n in names[:MAX_LISTED])
    return shown + (f" and {len(names) - MAX_LISTED} more" if len(names) > MAX_LISTED else "")
