"""Keep native libraries' log lines (OpenCV, FFmpeg, MediaPipe/LiteRT) off the user's terminal.

formcheck reports problems itself, in one line; native code writes straight to file descriptor 2,
below Python's `sys.stderr`, so the only reliable way to hush it for a moment is to point that
descriptor at /dev/null and back. Use it around short native calls only (probing a file, loading a
model), never around a loop that shows progress: everything written to stderr meanwhile is lost.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def native_stderr_silenced() -> Iterator[None]:
    """Mute file descriptor 2 for the duration; Python's pending stderr output is flushed first."""
    sys.stderr.flush()
    try:
        saved = os.dup(2)
    except OSError:  # no descriptor 2 (e.g. a detached process): nothing to silence
        yield
        return
    try:
        with open(os.devnull, "wb") as devnull:
            os.dup2(devnull.fileno(), 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
