"""A client's history as trends: per rep, per set and per session, ready for trends.html and its CSV.

Definitions (also in docs/history.md):
- a rep is *clean* when at least one angle was measured at its top and it got no cue; a set-level cue
  (e.g. rushed reps) counts against every rep of its set, both here and in the cue frequencies;
- a session's *cue frequency* is, per cue id, the share of its reps that got the cue;
- *drift within a set* compares each rep with the set's best: **lockout loss** is how many degrees of hip
  extension a rep's top is short of the set's fullest top, **slow-down** how much longer (%) its way up took
  than the set's fastest. A set's drift is its last rep's: fatigue shows at the end of a set.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from formcheck.history.records import RepRow, StoredSet

ANGLE_KEYS = ("knee_angle_deg", "hip_extension_deg", "neck_flexion_deg")
TEMPO_KEYS = ("concentric_s", "hold_s", "eccentric_s")
LOCKOUT_KEY = "hip_extension_deg"


@dataclass(frozen=True)
class RepTrend:
    """One rep as the trends see it."""

    session: str
    set_id: int
    set_name: str
    rep: int
    angles: Mapping[str, float | None]  # lockout value per key of ANGLE_KEYS (None: not measured)
    tempo: Mapping[str, float | None]  # seconds per key of TEMPO_KEYS (None: unusable)
    cues: tuple[str, ...]  # its own cues and its set's set-level cues
    clean: bool
    lockout_loss_deg: float | None  # below the set's fullest top; None when hip extension is not measured
    slowdown_pct: float | None  # slower up than the set's fastest rep; None without timing


@dataclass(frozen=True)
class SetTrend:
    """One set: where its report is, its score and its drift (its last rep's)."""

    set_id: int
    session: str
    video_name: str
    report_html: Path
    reps: int
    score: int | None
    cues: tuple[str, ...]
    clean_share: float | None  # None without reps
    lockout_loss_deg: float | None
    slowdown_pct: float | None


@dataclass(frozen=True)
class SessionTrend:
    """One session (a date): its medians, clean share and cue frequencies."""

    date: str
    sets: int
    reps: int
    angles: Mapping[str, float | None]  # median over its reps
    tempo: Mapping[str, float | None]
    clean_share: float | None
    cue_share: Mapping[str, float]  # cue id -> share of the session's reps that got it
    score: float | None  # median set score


@dataclass(frozen=True)
class Trends:
    """Everything trends.html shows, oldest first."""

    client: str
    sessions: tuple[SessionTrend, ...]
    sets: tuple[SetTrend, ...]
    reps: tuple[RepTrend, ...]
    cue_ids: tuple[str, ...]  # most frequent first


def build_trends(client: str, stored: Sequence[StoredSet]) -> Trends:
    """The trends of a client's stored sets (as `HistoryStore.sets` returns them: oldest first)."""
    reps: list[RepTrend] = []
    sets: list[SetTrend] = []
    for s in stored:
        mine = _rep_trends(s)
        reps.extend(mine)
        last = mine[-1] if mine else None
        sets.append(SetTrend(
            set_id=s.id, session=s.session, video_name=s.record.video_name,
            report_html=Path(s.record.report_dir) / "report.html", reps=len(mine), score=s.record.score,
            cues=tuple(dict.fromkeys(c.cue for c in s.record.cues)),
            clean_share=_share(r.clean for r in mine),
            lockout_loss_deg=last.lockout_loss_deg if last else None,
            slowdown_pct=last.slowdown_pct if last else None))
    dates = dict.fromkeys(s.session for s in stored)
    sessions = tuple(_session(d, [s for s in sets if s.session == d], [r for r in reps if r.session == d])
                     for d in dates)
    counts: dict[str, int] = {}
    for rep in reps:
        for cue in rep.cues:
            counts[cue] = counts.get(cue, 0) + 1
    cue_ids = tuple(sorted(counts, key=lambda c: (-counts[c], c)))
    return Trends(client, sessions, tuple(sets), tuple(reps), cue_ids)


def _rep_trends(s: StoredSet) -> list[RepTrend]:
    record = s.record
    set_cues = tuple(c.cue for c in record.cues if c.rep is None)
    fullest = _best((r.value(LOCKOUT_KEY) for r in record.reps), max)
    fastest = _best((_finite(r.concentric_s) for r in record.reps), min)
    out = []
    for r in record.reps:
        cues = tuple(dict.fromkeys([*(c.cue for c in record.cues if c.rep == r.index), *set_cues]))
        top = r.value(LOCKOUT_KEY)
        up = _finite(r.concentric_s)
        out.append(RepTrend(
            session=s.session, set_id=s.id, set_name=record.video_name, rep=r.index,
            angles={k: r.value(k) for k in ANGLE_KEYS},
            tempo={k: _finite(getattr(r, k)) for k in TEMPO_KEYS},
            cues=cues, clean=_measured(r) and not cues,
            lockout_loss_deg=None if top is None or fullest is None else fullest - top,
            slowdown_pct=None if up is None or not fastest else 100.0 * (up / fastest - 1.0)))
    return out


def _session(date: str, sets: list[SetTrend], reps: list[RepTrend]) -> SessionTrend:
    n = len(reps)
    given = dict.fromkeys(c for r in reps for c in r.cues)
    cue_share = {cue: sum(cue in r.cues for r in reps) / n for cue in given}
    scores = [s.score for s in sets if s.score is not None]
    return SessionTrend(
        date=date, sets=len(sets), reps=n,
        angles={k: _median(r.angles[k] for r in reps) for k in ANGLE_KEYS},
        tempo={k: _median(r.tempo[k] for r in reps) for k in TEMPO_KEYS},
        clean_share=_share(r.clean for r in reps), cue_share=cue_share,
        score=statistics.median(scores) if scores else None)


def _measured(rep: RepRow) -> bool:
    return any(m.value is not None for m in rep.metrics)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _best(values: Iterable[float | None], pick: Callable[[list[float]], float]) -> float | None:
    known = [v for v in values if v is not None]
    return pick(known) if known else None


def _median(values: Iterable[float | None]) -> float | None:
    known = [v for v in values if v is not None]
    return float(statistics.median(known)) if known else None


def _share(flags: Iterable[bool]) -> float | None:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else None
