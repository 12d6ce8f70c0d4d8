"""Atomic output files: a report is either complete under its final name or absent.

Every writer creates a temporary sibling (same folder, so the final rename is atomic on one file system)
and renames it over the final name only when writing finished without an exception.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO


def partial_path(path: Path) -> Path:
    """A hidden temporary sibling of `path` that keeps its suffix (encoders pick the container by it)."""
    return path.with_name(f".{path.stem}.{secrets.token_hex(4)}.partial{path.suffix}")


@contextlib.contextmanager
def atomic_path(path: str | Path) -> Iterator[Path]:
    """Yield a temporary path to write; rename it to `path` on success, delete it on any exception."""
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    tmp = partial_path(final)
    try:
        yield tmp
        if not tmp.exists():
            raise FileNotFoundError(f"{final}: expected the writer to create {tmp.name}, got no file")
        os.replace(tmp, final)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_write(path: str | Path, mode: str = "w", encoding: str | None = "utf-8",
                 newline: str | None = None) -> Iterator[IO]:
    """Open a temporary sibling of `path` for writing; it becomes `path` only if the block succeeds."""
    if not mode.startswith("w"):
        raise ValueError(f"atomic_write mode: expected a write mode ('w', 'wb'), got {mode!r}")
    if "b" in mode:
        encoding = None
    with atomic_path(path) as tmp, open(tmp, mode, encoding=encoding, newline=newline) as handle:
        yield handle
