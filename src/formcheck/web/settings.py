"""How one `formcheck serve` runs: where it listens, who may use it, where it keeps files, what it accepts.

`ServeSettings.check()` is the safe-by-default rule: the server listens on the loopback address unless a
token guards it, and refuses to start otherwise, saying why.
"""

from __future__ import annotations

import ipaddress
import os
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import RefusedError

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000
DEFAULT_MAX_UPLOAD = 1 << 30  # 1 GiB
ENV_DATA_DIR = "FORMCHECK_DATA_DIR"
MIN_TOKEN_CHARS = 16


def is_loopback(host: str) -> bool:
    """True for a host name or address that only this machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_data_dir() -> Path:
    """$FORMCHECK_DATA_DIR, else `${XDG_DATA_HOME:-~/.local/share}/formcheck`."""
    env = os.environ.get(ENV_DATA_DIR, "")
    if env:
        return Path(env).expanduser()
    base = os.environ.get("XDG_DATA_HOME", "") or str(Path.home() / ".local" / "share")
    return Path(base) / "formcheck"


@dataclass(frozen=True)
class ServeSettings:
    """Everything the app needs to know; built once by the CLI (or a test) and never changed."""

    data_dir: Path
    models_dir: Path
    db: Path  # the history database, shared with `formcheck batch` (the CLI's default is batch's default)
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    token: str | None = None
    max_upload_bytes: int = DEFAULT_MAX_UPLOAD
    workers: int = 1  # analysis processes; each uses every core for pose tracking, so one is enough
    keep_days: float = 30.0  # an analysed set's files go after this many days (0: never); its history stays
    sweep_every_s: float = 600.0  # how often the cleaner runs
    partial_max_age_s: float = 3600.0  # an upload not finished after this long is abandoned
    rules: Path | None = None

    def __post_init__(self) -> None:
        if not 0 < self.port < 65536:
            raise ValueError(f"ServeSettings.port: expected 1-65535, got {self.port}")
        if self.max_upload_bytes <= 0:
            raise ValueError(f"ServeSettings.max_upload_bytes: expected > 0, got {self.max_upload_bytes}")
        if self.workers < 1:
            raise ValueError(f"ServeSettings.workers: expected at least 1, got {self.workers}")
        if self.keep_days < 0:
            raise ValueError(f"ServeSettings.keep_days: expected >= 0, got {self.keep_days}")

    def check(self) -> None:
        """Refuse a setting that would expose the server unguarded (RefusedError: exit 2, one line)."""
        if self.token is not None and len(self.token) < MIN_TOKEN_CHARS:
            raise RefusedError(f"--token: expected at least {MIN_TOKEN_CHARS} characters, got "
                               f"{len(self.token)}; a short token can be guessed")
        if not is_loopback(self.host) and self.token is None:
            raise RefusedError(f"refusing to listen on {self.host} without --token: anyone who can reach "
                               "it could upload videos and read every report; add --token TOKEN (at least "
                               f"{MIN_TOKEN_CHARS} characters) or keep the default --host {DEFAULT_HOST}")

    @property
    def report_roots(self) -> tuple[Path, Path]:
        """The folders a stored set's files are served from: the data dir (uploads) and the reports folder
        beside the database (where `formcheck batch` writes by default). A set kept anywhere else is
        listed, but its files are not served, so no row of a database edited by hand points the server
        at other files."""
        from formcheck.history.store import default_reports_dir

        return self.data_dir, default_reports_dir(self.db)

    @property
    def sets_dir(self) -> Path:
        """One folder per uploaded set, named by its server-made job id."""
        return self.data_dir / "sets"

    @property
    def uploads_dir(self) -> Path:
        """Uploads while they stream in (`<id>.part`), before they are checked and moved to their set."""
        return self.data_dir / "uploads"
