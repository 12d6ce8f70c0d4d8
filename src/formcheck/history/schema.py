"""The history database's schema as a list of forward migrations; `PRAGMA user_version` is its version.

Migration N turns a version N-1 database into version N. A database is migrated on open, each step in its
own transaction, so a crash mid-migration leaves the last complete version. Never edit a released
migration: add the next one. The tables are described for people in docs/history.md.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from dataclasses import dataclass

from formcheck.errors import InputError


@dataclass(frozen=True)
class Migration:
    """One step forward: `version` is the schema version it produces."""

    version: int
    what: str
    sql: str
    # The step rebuilds a table other tables refer to (SQLite's way to change a column): foreign keys are
    # switched off around it, as SQLite's ALTER TABLE notes prescribe, and checked before it commits.
    rebuilds: bool = False


MIGRATIONS: tuple[Migration, ...] = (
    Migration(1, "clients, sessions, sets (with what re-judging needs), reps, rep metrics, cues", """
CREATE TABLE clients (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    dirname TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE TABLE sessions (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    date TEXT NOT NULL CHECK (date GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
    UNIQUE (client_id, date)
);
CREATE TABLE sets (
    id INTEGER PRIMARY KEY,
    client_id INTEGER NOT NULL REFERENCES clients(id) ON DELETE CASCADE,
    session_id INTEGER NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    video_sha256 TEXT NOT NULL,
    formcheck_version TEXT NOT NULL,
    model_id TEXT NOT NULL,
    rules_version TEXT NOT NULL,
    measured_by TEXT NOT NULL,
    set_key TEXT NOT NULL,
    video_path TEXT NOT NULL,
    video_name TEXT NOT NULL,
    report_dir TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    analysed_at TEXT NOT NULL,
    fps REAL NOT NULL,
    frames INTEGER NOT NULL,
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    side TEXT NOT NULL CHECK (side IN ('left', 'right')),
    view_confidence REAL NOT NULL,
    view_reason TEXT,
    score INTEGER,
    rep_count INTEGER NOT NULL,
    notes TEXT NOT NULL,
    UNIQUE (client_id, video_sha256)
);
CREATE INDEX sets_by_session ON sets (client_id, session_id, recorded_at);
CREATE TABLE set_measurements (
    set_id INTEGER PRIMARY KEY REFERENCES sets(id) ON DELETE CASCADE,
    data BLOB NOT NULL
);
CREATE TABLE reps (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start_frame INTEGER NOT NULL,
    lockout_frame INTEGER NOT NULL,
    end_frame INTEGER NOT NULL,
    concentric_s REAL,
    hold_s REAL,
    eccentric_s REAL,
    score INTEGER NOT NULL,
    UNIQUE (set_id, idx)
);
CREATE TABLE rep_metrics (
    rep_id INTEGER NOT NULL REFERENCES reps(id) ON DELETE CASCADE,
    metric TEXT NOT NULL,
    value REAL,
    confidence REAL,
    reason TEXT,
    PRIMARY KEY (rep_id, metric),
    CHECK (value IS NOT NULL OR reason IS NOT NULL)
);
CREATE TABLE cues (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    rep_id INTEGER REFERENCES reps(id) ON DELETE CASCADE,
    cue TEXT NOT NULL,
    severity TEXT NOT NULL,
    message TEXT NOT NULL,
    metric TEXT,
    value REAL,
    is_primary INTEGER NOT NULL CHECK (is_primary IN (0, 1))
);
CREATE INDEX cues_by_set ON cues (set_id);
"""),
    Migration(2, "a rep's score is null when the rules could not judge the rep", """
CREATE TABLE reps_v2 (
    id INTEGER PRIMARY KEY,
    set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    start_frame INTEGER NOT NULL,
    lockout_frame INTEGER NOT NULL,
    end_frame INTEGER NOT NULL,
    concentric_s REAL,
    hold_s REAL,
    eccentric_s REAL,
    score INTEGER,
    UNIQUE (set_id, idx)
);
INSERT INTO reps_v2 SELECT id, set_id, idx, start_frame, lockout_frame, end_frame, concentric_s, hold_s,
    eccentric_s, score FROM reps;
DROP TABLE reps;
ALTER TABLE reps_v2 RENAME TO reps;
""", rebuilds=True),
)
SCHEMA_VERSION = MIGRATIONS[-1].version


def schema_version(conn: sqlite3.Connection) -> int:
    """The database's schema version (0 for a new, empty database)."""
    return int(conn.execute("PRAGMA user_version").fetchone()[0])


def migrate(conn: sqlite3.Connection, migrations: Sequence[Migration] = MIGRATIONS, *,
            where: str = "history database") -> int:
    """Bring the database up to the last of `migrations`, one transaction per step; returns the version.

    `conn` must be in autocommit mode (isolation_level=None) so each step's BEGIN/COMMIT is explicit.
    """
    versions = [m.version for m in migrations]
    if versions != list(range(1, len(versions) + 1)):
        raise ValueError(f"migrations: expected versions 1..{len(versions)} in order, got {versions}")
    current = schema_version(conn)
    if current > len(migrations):
        raise InputError(f"{where}: schema version {current} was written by a newer formcheck "
                         f"(this one knows up to {len(migrations)}); upgrade formcheck to read it")
    for step in migrations[current:]:
        keys_on = bool(conn.execute("PRAGMA foreign_keys").fetchone()[0])
        if step.rebuilds:
            conn.execute("PRAGMA foreign_keys = OFF")  # a no-op inside a transaction, so before BEGIN
        try:
            conn.execute("BEGIN IMMEDIATE")
            try:
                _run_script(conn, step.sql)
                if step.rebuilds and conn.execute("PRAGMA foreign_key_check").fetchone() is not None:
                    raise sqlite3.IntegrityError(f"migration {step.version}: foreign keys broken")
                conn.execute(f"PRAGMA user_version = {int(step.version)}")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
        finally:
            if step.rebuilds and keys_on:
                conn.execute("PRAGMA foreign_keys = ON")
    return schema_version(conn)


def _run_script(conn: sqlite3.Connection, sql: str) -> None:
    """Run each statement of `sql` inside the open transaction (executescript would commit it first).
    Migrations hold no ';' inside strings, so splitting on it is exact."""
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)
