"""report.json: docs/design.md's schema_version 1, plus extras that never change the meaning of its keys.

Minimum keys (docs/design.md): `source`, `view`, `reps[]` (index, frames, `metrics` with null where unknown,
`cues` with id/severity/message) and `summary` (rep_count, score, cues). Extras: `formcheck_version`, per-rep
`confidence`, `null_reasons`, `timing` and `score` (null when the rules could not judge the rep), cue
`primary`/`metric`/`value`, `set_cues` and `notes`.
Degrees and seconds are rounded to 1 decimal, confidences to 2.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from formcheck import __version__
from formcheck.records import METRIC_KEYS, Analysis, Cue, RepVerdict
from formcheck.report.files import atomic_write

SCHEMA_VERSION = 1


def _r1(x: float | None) -> float | None:
    """1 decimal; None for None, NaN or infinity (JSON has no NaN)."""
    return None if x is None or not math.isfinite(x) else round(float(x), 1)


def _r2(x: float) -> float | None:
    return None if not math.isfinite(x) else round(float(x), 2)


def cue_dict(cue: Cue) -> dict[str, Any]:
    """One cue as report.json shows it."""
    out: dict[str, Any] = {"id": cue.id, "severity": str(cue.severity), "message": cue.message,
                           "primary": cue.primary}
    if cue.metric is not None:
        out["metric"] = cue.metric
    if cue.value is not None:
        out["value"] = _r1(cue.value)
    return out


def _rep_dict(verdict: RepVerdict) -> dict[str, Any]:
    rep = verdict.rep
    metrics = {k: rep.metrics[k] for k in METRIC_KEYS}
    return {
        "index": rep.index,
        "start_frame": rep.start_frame,
        "lockout_frame": rep.lockout_frame,
        "end_frame": rep.end_frame,
        "metrics": {k: _r1(m.value) for k, m in metrics.items()},
        "cues": [cue_dict(c) for c in verdict.cues],
        "confidence": {k: _r2(m.confidence) for k, m in metrics.items()},
        "null_reasons": {k: m.reason for k, m in metrics.items() if m.value is None},
        "timing": {"concentric_s": _r1(rep.concentric_s), "hold_s": _r1(rep.hold_s),
                   "eccentric_s": _r1(rep.eccentric_s)},
        "score": verdict.score,
    }


def summary_cue_ids(analysis: Analysis) -> list[str]:
    """Distinct cue ids of the set, set-level cues first, then in rep order."""
    seen: dict[str, None] = {}
    for cue in (*analysis.set_cues, *(c for v in analysis.reps for c in v.cues)):
        seen.setdefault(cue.id, None)
    return list(seen)


def report_dict(analysis: Analysis, notes: Iterable[str] = ()) -> dict[str, Any]:
    """The whole report as plain JSON types; `notes` adds lines (e.g. which video codec was used)."""
    src, view = analysis.source, analysis.view
    return {
        "schema_version": SCHEMA_VERSION,
        "formcheck_version": __version__,
        "source": {"path": src.path, "fps": round(float(src.fps), 3), "frames": src.frames,
                   "width": src.width, "height": src.height},
        "view": {"side": view.side, "is_side_view": view.is_side_view, "confidence": _r2(view.confidence),
                 "reason": view.reason},
        "reps": [_rep_dict(v) for v in analysis.reps],
        "set_cues": [cue_dict(c) for c in analysis.set_cues],
        "summary": {"rep_count": len(analysis.reps), "score": analysis.score,
                    "cues": summary_cue_ids(analysis)},
        "notes": [*analysis.notes, *notes],
    }


def write_json_report(analysis: Analysis, path: str | Path, notes: Iterable[str] = ()) -> Path:
    """Write report.json atomically; returns its path."""
    doc = report_dict(analysis, notes)
    validate_report(doc)
    with atomic_write(path) as handle:
        json.dump(doc, handle, indent=2, ensure_ascii=False, allow_nan=False)
        handle.write("\n")
    return Path(path)


# --- validation of the minimum schema (used by tests and by readers of old reports) ---

_NUM = (int, float)
_TOP: Mapping[str, tuple[type, ...]] = {"schema_version": (int,), "source": (dict,), "view": (dict,),
                                        "reps": (list,), "summary": (dict,)}
_SOURCE = {"path": (str,), "fps": _NUM, "frames": (int,), "width": (int,), "height": (int,)}
_VIEW = {"side": (str,), "is_side_view": (bool,), "confidence": _NUM}
_REP = {"index": (int,), "start_frame": (int,), "lockout_frame": (int,), "end_frame": (int,),
        "metrics": (dict,), "cues": (list,)}
_CUE = {"id": (str,), "severity": (str,), "message": (str,)}
_SUMMARY = {"rep_count": (int,), "score": (int, type(None)), "cues": (list,)}


def _check(obj: Any, spec: Mapping[str, tuple[type, ...]], where: str) -> None:
    if not isinstance(obj, dict):
        raise ValueError(f"{where}: expected an object, got {type(obj).__name__}")
    for key, types in spec.items():
        if key not in obj:
            raise ValueError(f"{where}.{key}: expected a key of type {_names(types)}, got none")
        value = obj[key]
        # bool is an int in Python; only accept it where bool is named
        if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
            raise ValueError(f"{where}.{key}: expected {_names(types)}, got {type(value).__name__}")


def _names(types: Sequence[type]) -> str:
    return " or ".join("null" if t is type(None) else t.__name__ for t in types)


def validate_report(doc: Mapping[str, Any]) -> None:
    """Raise ValueError naming the first key that breaks schema_version 1's minimum shape."""
    _check(doc, _TOP, "report")
    if doc["schema_version"] != SCHEMA_VERSION:
        raise ValueError(f"report.schema_version: expected {SCHEMA_VERSION}, got {doc['schema_version']}")
    _check(doc["source"], _SOURCE, "report.source")
    _check(doc["view"], _VIEW, "report.view")
    _check(doc["summary"], _SUMMARY, "report.summary")
    for i, rep in enumerate(doc["reps"]):
        where = f"report.reps[{i}]"
        _check(rep, _REP, where)
        missing = [k for k in METRIC_KEYS if k not in rep["metrics"]]
        if missing:
            raise ValueError(f"{where}.metrics: expected keys {list(METRIC_KEYS)}, missing {missing}")
        for key, value in rep["metrics"].items():
            if value is not None and (not isinstance(value, _NUM) or isinstance(value, bool)):
                raise ValueError(f"{where}.metrics.{key}: expected a number or null, got {value!r}")
        for j, cue in enumerate(rep["cues"]):
            _check(cue, _CUE, f"{where}.cues[{j}]")
    if doc["summary"]["rep_count"] != len(doc["reps"]):
        raise ValueError(f"report.summary.rep_count: expected {len(doc['reps'])} (the reps listed), "
                         f"got {doc['summary']['rep_count']}")
