"""`formcheck models`: list the pose model variants, or provision one (verified by sha256)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from formcheck.pose.models import DEFAULT_VARIANT, SOURCES, VARIANTS, ModelStatus, ensure_model, list_models


def register(subparsers: argparse._SubParsersAction) -> None:
    """Add the `models` subcommand."""
    parser = subparsers.add_parser(
        "models",
        help="list or provision the MediaPipe pose models",
        description="Provision a pose model (default: full) and verify its sha256, or list what is present. "
                    "The full model builds offline from the pinned mediapipe 0.10.21 wheel; lite and heavy "
                    "download from MediaPipe's model storage.",
    )
    parser.add_argument("--variant", choices=VARIANTS, default=DEFAULT_VARIANT,
                        help=f"model size/accuracy trade-off (default: {DEFAULT_VARIANT})")
    parser.add_argument("--source", choices=SOURCES, default="auto",
                        help="auto: keep a verified file, else build offline if possible, else download; "
                             "offline/official force one source and replace the file (default: auto)")
    parser.add_argument("--list", action="store_true", help="show every variant's status and exit")
    parser.add_argument("--models-dir", type=Path, default=None,
                        help="where models live (default: $FORMCHECK_MODELS_DIR, the checkout's models/, "
                             "or ~/.cache/formcheck/models)")
    parser.set_defaults(func=run)


def _status_line(status: ModelStatus) -> str:
    if not status.present:
        how = "offline build or download" if status.offline_available else "download only"
        return f"{status.variant:<6} {'missing':<10} {status.path}  ({how})"
    state = "verified" if status.verified else "UNVERIFIED"
    digest, source = (status.sha256 or "")[:16], status.source or "no record"
    return f"{status.variant:<6} {state:<10} {status.path}  sha256 {digest}…  ({source})"


def notify_stderr(message: str) -> None:
    """The `notify` callback CLI commands pass to `ensure_model`: one line on stderr."""
    print(message, file=sys.stderr)


def run(args: argparse.Namespace) -> int:
    """List the models or provision one; errors propagate as ModelError (exit 2, one line)."""
    if args.list:
        for status in list_models(args.models_dir):
            print(_status_line(status))
        return 0
    path = ensure_model(args.variant, models_dir=args.models_dir, source=args.source, notify=notify_stderr)
    print(path)
    return 0
