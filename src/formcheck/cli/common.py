"""Helpers shared by subcommands: resolving `--model`, the progress bar's look, output folders."""

from __future__ import annotations

import sys
from pathlib import Path

from tqdm import tqdm

from formcheck.cli.models import notify_stderr
from formcheck.errors import InputError
from formcheck.pose.models import DEFAULT_VARIANT, VARIANTS, ensure_model

MODEL_HELP = (f"a pose model variant ({', '.join(VARIANTS)}), provisioned on first use, or a path to a "
              f".task bundle (default: {DEFAULT_VARIANT})")


def model_path(spec: str) -> Path:
    """`--model`: a variant name (provisioned, verified) or a `.task` file."""
    if spec in VARIANTS:
        return ensure_model(spec, notify=notify_stderr)
    path = Path(spec)
    if path.suffix != ".task":
        raise InputError(f"--model: expected one of {', '.join(VARIANTS)} or a .task file, got {spec!r}")
    if not path.is_file():
        raise InputError(f"--model: {path} does not exist")
    return path


def progress_bar(total: int | None, desc: str, unit: str = "frame", *, disable: bool = False) -> tqdm:
    """A progress bar with rate and ETA on stderr; hidden when stderr is not a terminal or `disable`."""
    return tqdm(total=total or None, desc=desc, unit=unit, file=sys.stderr, disable=True if disable else None,
                leave=False, dynamic_ncols=True)


def output_dir(spec: Path | None, video: Path) -> Path:
    """`--out`: the folder for the outputs (default: `<video stem>.formcheck/` next to the video)."""
    out = spec if spec is not None else video.with_name(f"{video.stem}.formcheck")
    if out.exists() and not out.is_dir():
        raise InputError(f"--out: {out} exists and is not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"--out: cannot create {out} ({exc.strerror})") from exc
    return out
