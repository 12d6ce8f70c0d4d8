"""Client names are data, never paths: the one place that turns a name into a file or folder name.

A folder name is a sanitized slug (ASCII letters, digits and dashes, so it is legal on every file system and
shows who it is) plus a short hash of the exact name, so names that slug alike ("Ann", "ann", "Ann!") still
get folders of their own and no name can reach outside the folder it is put in ("../x" slugs to "x").
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from pathlib import Path

MAX_NAME_CHARS = 200
SLUG_CHARS = 40
HASH_CHARS = 8
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


def check_client_name(name: str) -> str:
    """The name as stored: NFC-normalised with outer spaces dropped. ValueError says what is wrong."""
    cleaned = unicodedata.normalize("NFC", name).strip()
    if not cleaned:
        raise ValueError(f"client name: expected some text, got {name!r}")
    if len(cleaned) > MAX_NAME_CHARS:
        raise ValueError(f"client name: expected at most {MAX_NAME_CHARS} characters, got {len(cleaned)}")
    control = [c for c in cleaned if unicodedata.category(c) == "Cc"]
    if control:
        raise ValueError(f"client name: expected printable text, got control character {control[0]!r}")
    return cleaned


def slug(text: str, max_chars: int = SLUG_CHARS) -> str:
    """Lower-case ASCII letters and digits joined by single dashes; 'x' when nothing is left."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    cut = _NOT_SLUG.sub("-", ascii_text.lower()).strip("-")[:max_chars].strip("-")
    return cut or "x"


def short_hash(text: str, chars: int = HASH_CHARS) -> str:
    """The first `chars` hex digits of the text's sha256."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:chars]


def client_dirname(name: str) -> str:
    """The folder name of a client's reports, e.g. 'ann-lee-3f2a9c01'."""
    return f"{slug(name)}-{short_hash(name)}"


def set_dirname(video_name: str, video_sha256: str) -> str:
    """The folder name of one set's outputs: the video's name (slugged) and the start of its content hash,
    so two recordings that share a file name never share a folder."""
    return f"{slug(Path(video_name).stem)}-{video_sha256[:12]}"


def within(root: Path, path: Path) -> bool:
    """True when `path` resolves to `root` or somewhere below it."""
    return path.resolve().is_relative_to(root.resolve())
