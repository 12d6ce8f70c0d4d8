"""Crash-safe placement of a set's outputs: written under a temporary name, then renamed into place.

A batch run owns a private folder `<out>/.formcheck-staging/<run>/`, held by an exclusive lock on
`<run>.lock` for as long as the run lives (the kernel drops the lock when the process dies, SIGKILL
included). Each set's outputs are written into a folder there, then renamed to the set's folder in one
step; an earlier version of the set's folder is first moved aside into the staging folder and removed
once the database row is committed. A run that died leaves only its staging folder, which the next run
removes, so a folder under its final name is always complete.

POSIX only (fcntl locks), like the rest of the batch's process handling.
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from formcheck.errors import InputError

STAGING_DIRNAME = ".formcheck-staging"


@contextlib.contextmanager
def exclusive_lock(path: Path, what: str) -> Iterator[None]:
    """Hold an exclusive lock on `path` for the block; InputError at once if another process holds it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        if not _try_lock(handle):
            raise InputError(f"{what} is in use by another formcheck batch ({path} is locked); "
                             "wait for it to finish")
        yield


def _try_lock(handle: IO) -> bool:
    try:
        fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError as exc:
        if exc.errno in (errno.EAGAIN, errno.EACCES, errno.EWOULDBLOCK):
            return False
        raise
    return True


def clean_stale(root: Path) -> int:
    """Remove what dead runs left under a staging root (their lock is free); returns how many runs."""
    if not root.is_dir():
        return 0
    removed = 0
    for lock in sorted(root.glob("*.lock")):
        with open(lock, "a+") as handle:
            if not _try_lock(handle):
                continue  # a live run
            shutil.rmtree(root / lock.stem, ignore_errors=True)
            lock.unlink(missing_ok=True)
            removed += 1
    for orphan in root.iterdir():  # a folder whose run died before its lock file was written
        if orphan.is_dir() and not (root / f"{orphan.name}.lock").exists():
            shutil.rmtree(orphan, ignore_errors=True)
            removed += 1
    return removed


class StagingArea:
    """This run's private staging folder under `out`; `close()` (or the context manager) removes it."""

    def __init__(self, out: Path) -> None:
        self.root = out / STAGING_DIRNAME
        self.root.mkdir(parents=True, exist_ok=True)
        self.cleaned = clean_stale(self.root)
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        self._lock = open(self.root / f"{name}.lock", "a+")  # noqa: SIM115 - held for the run's lifetime
        _try_lock(self._lock)
        self.folder = self.root / name
        self.folder.mkdir()

    def new(self, label: str) -> Path:
        """A fresh empty folder for one set's outputs."""
        path = self.folder / label
        path.mkdir()
        return path

    def place(self, staged: Path, final: Path) -> Path | None:
        """Rename `staged` to `final`, moving an existing `final` aside first; returns where the old one
        went (remove it with `discard` once the set is committed), or None."""
        final.parent.mkdir(parents=True, exist_ok=True)
        old: Path | None = None
        if final.exists():
            old = self.folder / f"{staged.name}.old"
            _rename(final, old)
        _rename(staged, final)
        return old

    def discard(self, old: Path | None) -> None:
        if old is not None:
            shutil.rmtree(old, ignore_errors=True)

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)
        (self.root / f"{self.folder.name}.lock").unlink(missing_ok=True)
        self._lock.close()
        with contextlib.suppress(OSError):
            self.root.rmdir()  # only when no other run is using it

    def __enter__(self) -> StagingArea:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _rename(src: Path, dst: Path) -> None:
    """os.rename, or for a destination on another file system a copy beside it renamed into place."""
    try:
        os.rename(src, dst)
    except OSError as exc:
        if exc.errno != errno.EXDEV:
            raise
        beside = dst.with_name(f".{dst.name}.{secrets.token_hex(4)}.partial")
        shutil.copytree(src, beside)
        os.rename(beside, dst)
        shutil.rmtree(src, ignore_errors=True)
