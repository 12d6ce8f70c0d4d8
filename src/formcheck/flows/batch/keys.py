"""The versions a set's key is made of: the pose model's and the rule pack's content hashes.

A rule pack's version is the sha256 of its canonical content (every field of every rule, the view cue and the
penalties, as sorted JSON), not of the files it came from: renaming or reformatting a TOML file changes
nothing, changing a threshold or a message does. The files' paths are left out.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

from formcheck.flows.batch.inputs import file_sha256
from formcheck.rules import RulePack


def rules_version(pack: RulePack) -> str:
    """sha256 of the pack's canonical content."""
    content = {field.name: getattr(pack, field.name) for field in dataclasses.fields(pack)
               if field.name != "sources"}
    text = json.dumps(_plain(content), sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _plain(value: Any) -> Any:
    """Dataclasses, enums and tuples as JSON types, recursively."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return value


@cache
def model_id(path: Path) -> str:
    """sha256 of the pose model file (cached per path for the run: the file is verified on load anyway)."""
    return file_sha256(path)
