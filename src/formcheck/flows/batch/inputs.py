"""Which files a batch reads: folders are walked recursively and a file is a video by its content.

A container is recognised by its leading bytes (MP4/MOV `ftyp`, Matroska/WebM EBML, AVI `RIFF....AVI `,
MPEG transport and program streams, FLV, ASF/WMV, Ogg), never by its name. In a folder, a file that is not
a video is passed over quietly (a `.gt.json`, notes) unless it is named like one (`notes.mp4`): that is a
mistake worth reporting. A file named on the command line is always reported when it is not a video.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

HEAD_BYTES = 512
HASH_CHUNK = 1 << 20
# Names a coach's files commonly carry; used only to decide whether a non-video deserves a line.
VIDEO_SUFFIXES = frozenset({".mp4", ".m4v", ".mov", ".qt", ".3gp", ".mkv", ".webm", ".avi", ".ts", ".mts",
                            ".m2ts", ".mpg", ".mpeg", ".flv", ".wmv", ".asf", ".ogv"})
_QUICKTIME_ATOMS = (b"ftyp", b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot")


def container_of(head: bytes) -> str | None:
    """The container a file's first bytes announce, or None when they announce no video container."""
    if len(head) >= 12 and head[4:8] in _QUICKTIME_ATOMS:
        return "MP4/QuickTime"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "Matroska/WebM"
    if head.startswith(b"RIFF") and head[8:12] in (b"AVI ", b"AVIX"):
        return "AVI"
    if len(head) > 376 and head[0] == head[188] == head[376] == 0x47:
        return "MPEG-TS"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "MPEG-PS"
    if head.startswith(b"FLV\x01"):
        return "FLV"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "ASF/WMV"
    if head.startswith(b"OggS"):
        return "Ogg"
    return None


def describe_non_video(head: bytes) -> str:
    """In a few words, what a file that is not a video seems to be."""
    if not head:
        return "an empty file"
    if b"\x00" not in head:
        try:
            head.decode("utf-8")
            return "text, not a video"
        except UnicodeDecodeError:
            pass
    return "not a video container this tool knows (MP4/MOV, MKV/WebM, AVI, MPEG, FLV, WMV, Ogg)"


@dataclass(frozen=True)
class Rejected:
    """A path that will not be analysed, and why, in one line."""

    path: Path
    reason: str


@dataclass(frozen=True)
class Discovery:
    """What the inputs hold: videos to analyse (in a stable order), files refused, files passed over."""

    videos: tuple[Path, ...]
    rejected: tuple[Rejected, ...]
    ignored: int  # files in folders that are neither videos nor named like one


def discover(inputs: Iterable[Path], exclude: Path | None = None) -> Discovery:
    """Walk the inputs (files and folders, recursively, symlinked folders not followed) for videos.
    Files under `exclude` (the batch's own output folder: its annotated videos) are not inputs."""
    skip = exclude.resolve() if exclude is not None else None
    videos: list[Path] = []
    rejected: list[Rejected] = []
    ignored = 0
    seen: set[Path] = set()
    for given in inputs:
        if not given.exists():
            rejected.append(Rejected(given, "no such file or folder"))
            continue
        for path, named in _files(given):
            real = path.resolve()
            if real in seen or (skip is not None and real.is_relative_to(skip)):
                continue
            seen.add(real)
            verdict = _look(path)
            if verdict is None:
                videos.append(path)
            elif named or path.suffix.lower() in VIDEO_SUFFIXES:
                rejected.append(Rejected(path, verdict))
            else:
                ignored += 1
    return Discovery(tuple(videos), tuple(rejected), ignored)


def _files(given: Path) -> Iterator[tuple[Path, bool]]:
    """(file, named on the command line) for a file, or every file below a folder in sorted order."""
    if not given.is_dir():
        yield given, True
        return
    for root, dirs, files in os.walk(given, onerror=None):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            if not name.startswith("."):
                yield Path(root) / name, False


def _look(path: Path) -> str | None:
    """None for a readable video container; else why the file is not one."""
    try:
        with path.open("rb") as handle:
            head = handle.read(HEAD_BYTES)
    except OSError as exc:
        return f"cannot be read ({exc.strerror or exc})"
    if container_of(head) is not None:
        return None
    return describe_non_video(head)


def file_sha256(path: Path) -> str:
    """sha256 of the file's bytes, read in 1 MiB chunks so a long video never sits in memory."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(HASH_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()
