"""`formcheck serve`: the upload, report, client and live pages in a browser, on this machine by default."""

from __future__ import annotations

import argparse
import socket
import sys
from pathlib import Path

from formcheck.cli.models import notify_stderr
from formcheck.errors import FormcheckError, InputError
from formcheck.history.store import HistoryStore, default_db_path
from formcheck.pose.models import default_models_dir, ensure_model
from formcheck.web.settings import (
    DEFAULT_HOST,
    DEFAULT_MAX_UPLOAD,
    DEFAULT_PORT,
    ServeSettings,
    default_data_dir,
)


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `serve` subcommand."""
    parser = subparsers.add_parser(
        "serve",
        help="the browser app: upload a set, read its report, coach live from the browser's camera",
        description="Serve the upload, report, client and live pages. Listens on 127.0.0.1 unless --host "
                    "is given, which then needs --token. Works offline: the pose model and the browser's "
                    "pose runtime are provisioned once and served by formcheck itself. Exit codes: 0 "
                    "stopped, 2 refused to start (one line says why).",
    )
    parser.add_argument("--host", default=DEFAULT_HOST,
                        help=f"address to listen on (default: {DEFAULT_HOST})")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"port (default: {DEFAULT_PORT})")
    parser.add_argument("--db", type=Path, default=None,
                        help="the history database every analysed set is recorded in, shared with "
                             f"`formcheck batch` and `formcheck history` (default: {default_db_path()})")
    parser.add_argument("--token", default=None,
                        help="a secret every request must carry (needed for any --host but loopback)")
    parser.add_argument("--data", type=Path, default=None,
                        help=f"folder for uploads and reports (default: {default_data_dir()})")
    parser.add_argument("--max-upload-mb", type=float, default=DEFAULT_MAX_UPLOAD / (1 << 20),
                        help="largest accepted video in MB (default: 1024); bigger uploads get 413")
    parser.add_argument("--keep-days", type=float, default=30.0,
                        help="delete the files (report, annotated video) of sets analysed more than this "
                             "many days ago; the sets stay in the history (0 keeps them; default: 30)")
    parser.add_argument("--rules", type=Path, default=None,
                        help="a TOML rule file that overrides or extends the built-in hip-thrust pack")
    parser.set_defaults(func=run)


def settings_from(args: argparse.Namespace) -> ServeSettings:
    """Settings from the command line, checked: a refused setting raises before anything starts."""
    if args.max_upload_mb <= 0:
        raise InputError(f"--max-upload-mb: expected a positive size, got {args.max_upload_mb}")
    try:
        settings = ServeSettings(data_dir=args.data or default_data_dir(), models_dir=default_models_dir(),
                                 db=args.db or default_db_path(), host=args.host, port=args.port,
                                 token=args.token,
                                 max_upload_bytes=round(args.max_upload_mb * (1 << 20)),
                                 keep_days=args.keep_days, rules=args.rules)
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    settings.check()
    return settings


def run(args: argparse.Namespace) -> int:
    """Check the settings, provision what the pages need, then serve until interrupted."""
    settings = settings_from(args)
    _check_port(settings.host, settings.port)
    import uvicorn

    from formcheck.web.app import create_app
    from formcheck.web.assets import ensure_tasks_vision

    if args.rules is not None and not args.rules.is_file():
        raise InputError(f"--rules: {args.rules} does not exist")
    _check_db(settings.db)
    model = ensure_model("full", notify=notify_stderr)
    try:
        tasks_vision = ensure_tasks_vision(settings.models_dir, notify=notify_stderr)
    except FormcheckError as exc:  # uploads still work; the live page says what is missing
        print(f"formcheck: warning: the live page will not work: {exc}", file=sys.stderr)
        tasks_vision = None
    try:
        settings.data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--data: cannot create {settings.data_dir} ({exc.strerror})") from exc
    app = create_app(settings, model=model, tasks_vision=tasks_vision)
    shown = f"[{settings.host}]" if ":" in settings.host else settings.host
    login = " (log in with the token)" if settings.token else ""
    print(f"formcheck: serving on http://{shown}:{settings.port}/{login}; data in {settings.data_dir}, "
          f"history in {settings.db}", file=sys.stderr)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", ws_max_size=1 << 16,
                access_log=False)
    return 0


def _check_db(db: Path) -> None:
    """Open (create or migrate) the history database once, so a bad --db is one line before serving."""
    if db.is_dir():
        raise InputError(f"--db: {db} is a folder, expected a database file")
    with HistoryStore(db):  # InputError: not a database, cannot be created, or from a newer formcheck
        pass


def _check_port(host: str, port: int) -> None:
    """Say in one line that the address is taken, before anything claims to be serving on it."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host.strip("[]"), port))
        except OSError as exc:
            raise InputError(f"cannot listen on {host}:{port} ({exc.strerror}); is another server using "
                             "it? Choose another --port") from exc
