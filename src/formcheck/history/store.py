"""The history database (SQLite, WAL): clients, their sessions, sets, reps, metrics and cues.

One writer at a time (the batch driver, later the server); readers may run beside it thanks to WAL. Every
change is one transaction, so a set is either stored whole (with its reps and cues) or not at all. Every
query that reads sets takes a client id, so one client's sets are never read through another's name.
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path

from formcheck.errors import InputError
from formcheck.history.names import check_client_name, client_dirname
from formcheck.history.records import (
    Client,
    CueRow,
    MetricRow,
    RepRow,
    SetKey,
    SetRecord,
    StoredSet,
    check_session,
)
from formcheck.history.schema import MIGRATIONS, Migration, migrate

DB_FILENAME = "history.sqlite3"
REPORTS_DIRNAME = "reports"  # the default folder of reports, beside the database
BUSY_TIMEOUT_S = 30.0


def default_db_path() -> Path:
    """The history database in the user's data folder (e.g. ~/.local/share/formcheck/ on Linux)."""
    from platformdirs import user_data_path

    return user_data_path("formcheck", appauthor=False) / DB_FILENAME


def default_reports_dir(db: Path) -> Path:
    """Where batch writes reports and history writes trends.html unless told: `reports/` beside the db."""
    return db.parent / REPORTS_DIRNAME


def now_iso() -> str:
    """The current UTC time, ISO-8601 to the second."""
    return datetime.now(UTC).replace(microsecond=0).isoformat()


class HistoryStore:
    """An open history database, migrated to the current schema. Use as a context manager."""

    def __init__(self, path: str | Path, migrations: Sequence[Migration] = MIGRATIONS) -> None:
        self.path = Path(path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            # autocommit mode: every transaction below is an explicit BEGIN IMMEDIATE ... COMMIT
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            self._conn.execute("PRAGMA journal_mode = WAL")
        except sqlite3.DatabaseError as exc:
            raise InputError(f"{self.path}: not a usable history database ({exc})") from None
        except OSError as exc:
            raise InputError(f"{self.path}: cannot create the history database ({exc.strerror})") from None
        self._conn.execute("PRAGMA foreign_keys = ON")
        self._conn.execute("PRAGMA synchronous = FULL")
        self.version = migrate(self._conn, migrations, where=str(self.path))

    def close(self) -> None:
        self._conn.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception."""
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield self._conn
        except BaseException:
            self._conn.execute("ROLLBACK")
            raise
        self._conn.execute("COMMIT")

    def integrity(self) -> str:
        """`PRAGMA integrity_check`'s verdict: 'ok' for a sound file."""
        return "; ".join(row[0] for row in self._conn.execute("PRAGMA integrity_check"))

    # --- clients and sessions ---

    def client(self, name: str) -> Client | None:
        """The client with exactly this name, or None."""
        row = self._conn.execute("SELECT id, name, dirname FROM clients WHERE name = ?",
                                 (check_client_name(name),)).fetchone()
        return Client(*row) if row else None

    def client_names(self) -> list[str]:
        return [row[0] for row in self._conn.execute("SELECT name FROM clients ORDER BY name")]

    def ensure_client(self, name: str) -> Client:
        """The client with this name, created if new."""
        name = check_client_name(name)
        with self.transaction() as conn:
            conn.execute("INSERT OR IGNORE INTO clients (name, dirname, created_at) VALUES (?, ?, ?)",
                         (name, client_dirname(name), now_iso()))
        client = self.client(name)
        if client is None:  # cannot happen inside one transaction; keeps the type honest
            raise RuntimeError(f"client {name!r} vanished right after it was stored")
        return client

    # --- sets ---

    def find_set(self, client_id: int, video_sha256: str) -> StoredSet | None:
        """The client's stored set of this video, if any."""
        row = self._conn.execute(f"{_SET_SELECT} WHERE s.client_id = ? AND s.video_sha256 = ?",
                                 (client_id, video_sha256)).fetchone()
        return self._stored(row) if row else None

    def sets(self, client_id: int) -> list[StoredSet]:
        """The client's sets, oldest session first, then in the order they were recorded."""
        rows = self._conn.execute(f"{_SET_SELECT} WHERE s.client_id = ? "
                                  "ORDER BY se.date, s.recorded_at, s.video_name, s.id", (client_id,))
        return [self._stored(row) for row in rows.fetchall()]

    def save_set(self, client_id: int, session: str, record: SetRecord) -> int:
        """Store a judged set in one transaction, replacing the client's earlier analysis of the same video
        (which keeps its session). Returns the set's id."""
        check_session(session)
        with self.transaction() as conn:
            old = conn.execute("SELECT id, session_id FROM sets WHERE client_id = ? AND video_sha256 = ?",
                               (client_id, record.key.video_sha256)).fetchone()
            if old is not None:
                session_id = old[1]
                conn.execute("DELETE FROM sets WHERE id = ?", (old[0],))  # cascades to reps, cues, blobs
            else:
                session_id = _ensure_session(conn, client_id, session)
            set_id = _insert_set(conn, client_id, session_id, record)
            _insert_reps(conn, set_id, record)
            return set_id

    def _stored(self, row: tuple) -> StoredSet:
        (set_id, client_id, session, sha, fc_version, model_id, rules_version, video_path, video_name,
         report_dir, recorded_at, analysed_at, fps, frames, width, height, side, view_conf, view_reason,
         score, notes) = row
        measurements = self._conn.execute("SELECT data FROM set_measurements WHERE set_id = ?",
                                          (set_id,)).fetchone()
        record = SetRecord(
            key=SetKey(sha, fc_version, model_id, rules_version), video_path=video_path,
            video_name=video_name, report_dir=report_dir, recorded_at=recorded_at, analysed_at=analysed_at,
            fps=fps, frames=frames, width=width, height=height, side=side, view_confidence=view_conf,
            view_reason=view_reason, score=score, notes=tuple(json.loads(notes)),
            reps=self._reps(set_id), cues=self._cues(set_id),
            measurements=bytes(measurements[0]) if measurements else b"")
        return StoredSet(set_id, client_id, session, record)

    def _reps(self, set_id: int) -> tuple[RepRow, ...]:
        reps = self._conn.execute(
            "SELECT id, idx, start_frame, lockout_frame, end_frame, concentric_s, hold_s, eccentric_s, score "
            "FROM reps WHERE set_id = ? ORDER BY idx", (set_id,)).fetchall()
        out = []
        for rep_id, idx, start, lockout, end, concentric, hold, eccentric, score in reps:
            metrics = tuple(MetricRow(metric, value, _nan(conf), reason) for metric, value, conf, reason
                            in self._conn.execute("SELECT metric, value, confidence, reason FROM rep_metrics "
                                                  "WHERE rep_id = ? ORDER BY rowid", (rep_id,)))
            out.append(RepRow(idx, start, lockout, end, _nan(concentric), _nan(hold), _nan(eccentric), score,
                              metrics))
        return tuple(out)

    def _cues(self, set_id: int) -> tuple[CueRow, ...]:
        rows = self._conn.execute(
            "SELECT c.cue, c.severity, c.message, r.idx, c.metric, c.value, c.is_primary FROM cues c "
            "LEFT JOIN reps r ON r.id = c.rep_id WHERE c.set_id = ? ORDER BY c.id", (set_id,))
        return tuple(CueRow(cue, severity, message, rep, metric, value, bool(primary))
                     for cue, severity, message, rep, metric, value, primary in rows)


_SET_SELECT = (
    "SELECT s.id, s.client_id, se.date, s.video_sha256, s.formcheck_version, s.model_id, s.rules_version, "
    "s.video_path, s.video_name, s.report_dir, s.recorded_at, s.analysed_at, s.fps, s.frames, s.width, "
    "s.height, s.side, s.view_confidence, s.view_reason, s.score, s.notes "
    "FROM sets s JOIN sessions se ON se.id = s.session_id"
)


def _nan(value: float | None) -> float:
    """SQLite stores NaN as NULL; timing and confidence read back as NaN, as they were measured."""
    return math.nan if value is None else float(value)


def _finite(value: float) -> float | None:
    return float(value) if math.isfinite(value) else None


def _ensure_session(conn: sqlite3.Connection, client_id: int, date: str) -> int:
    conn.execute("INSERT OR IGNORE INTO sessions (client_id, date) VALUES (?, ?)", (client_id, date))
    return int(conn.execute("SELECT id FROM sessions WHERE client_id = ? AND date = ?",
                            (client_id, date)).fetchone()[0])


def _insert_set(conn: sqlite3.Connection, client_id: int, session_id: int, r: SetRecord) -> int:
    k = r.key
    cursor = conn.execute(
        "INSERT INTO sets (client_id, session_id, video_sha256, formcheck_version, model_id, rules_version, "
        "measured_by, set_key, video_path, video_name, report_dir, recorded_at, analysed_at, fps, frames, "
        "width, height, side, view_confidence, view_reason, score, rep_count, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (client_id, session_id, k.video_sha256, k.formcheck_version, k.model_id, k.rules_version,
         k.measured_by, k.key, r.video_path, r.video_name, r.report_dir, r.recorded_at, r.analysed_at,
         r.fps, r.frames, r.width, r.height, r.side, r.view_confidence, r.view_reason, r.score, len(r.reps),
         json.dumps(list(r.notes), ensure_ascii=False)))
    set_id = int(cursor.lastrowid or 0)
    conn.execute("INSERT INTO set_measurements (set_id, data) VALUES (?, ?)", (set_id, r.measurements))
    return set_id


def _insert_reps(conn: sqlite3.Connection, set_id: int, r: SetRecord) -> None:
    rep_ids: dict[int, int] = {}
    for rep in r.reps:
        cursor = conn.execute(
            "INSERT INTO reps (set_id, idx, start_frame, lockout_frame, end_frame, concentric_s, hold_s, "
            "eccentric_s, score) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (set_id, rep.index, rep.start_frame, rep.lockout_frame, rep.end_frame,
             _finite(rep.concentric_s), _finite(rep.hold_s), _finite(rep.eccentric_s), rep.score))
        rep_ids[rep.index] = int(cursor.lastrowid or 0)
        conn.executemany("INSERT INTO rep_metrics (rep_id, metric, value, confidence, reason) "
                         "VALUES (?, ?, ?, ?, ?)",
                         [(rep_ids[rep.index], m.metric, m.value, _finite(m.confidence), m.reason)
                          for m in rep.metrics])
    conn.executemany(
        "INSERT INTO cues (set_id, rep_id, cue, severity, message, metric, value, is_primary) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        [(set_id, rep_ids[c.rep] if c.rep is not None else None, c.cue, c.severity, c.message, c.metric,
          c.value, int(c.primary)) for c in r.cues])
