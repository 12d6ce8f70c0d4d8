"""The history store on a real SQLite file: round trips, one set per video, clients kept apart, crash-safe."""

from __future__ import annotations

import math
import sqlite3

import pytest

from formcheck.errors import InputError
from formcheck.history.records import CueRow, MetricRow, RepRow
from formcheck.history.schema import MIGRATIONS, SCHEMA_VERSION, Migration, migrate, schema_version
from formcheck.history.store import HistoryStore, default_db_path
from set_records import make_record, rep_row, sha


@pytest.fixture
def store(tmp_path):
    with HistoryStore(tmp_path / "h.sqlite3") as s:
        yield s


def test_a_set_reads_back_as_it_was_stored(store):
    cues = (CueRow("rushed_reps", "warning", "Slow down.", None, "concentric_s", 0.4, True),
            CueRow("chin_lifted", "warning", "Tuck the chin.", 2, "neck_flexion_deg", -25.0, True))
    odd_rep = RepRow(2, 40, 50, 60, math.nan, 0.1, 1.0, 85,
                     (MetricRow("knee_angle_deg", None, 0.0, "hip hidden behind the plate"),
                      MetricRow("neck_flexion_deg", -25.04, 0.73)))
    record = make_record(cues=cues, rep_values=(rep_row(1), odd_rep))
    client = store.ensure_client("Ann")
    set_id = store.save_set(client.id, "2026-11-01", record)
    [stored] = store.sets(client.id)
    assert stored.id == set_id and stored.session == "2026-11-01"
    back = stored.record
    assert math.isnan(back.reps[1].concentric_s)
    assert back.reps[0] == record.reps[0]
    assert back.reps[1].metrics == odd_rep.metrics
    assert back.cues == cues
    assert back.measurements == record.measurements
    assert (back.key, back.notes, back.score) == (record.key, record.notes, record.score)


def test_storing_a_video_again_replaces_its_set_and_keeps_its_session(store):
    client = store.ensure_client("Ann")
    store.save_set(client.id, "2026-11-01", make_record(rules="old", reps=3))
    store.save_set(client.id, "2026-12-24", make_record(rules="new", reps=2))
    [stored] = store.sets(client.id)
    assert stored.session == "2026-11-01"
    assert stored.record.key.rules_version == sha("new")
    assert len(stored.record.reps) == 2
    counts = [store._conn.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in ("reps", "rep_metrics")]
    assert counts == [2, 2 * 5]


def test_one_clients_sets_are_not_read_through_another_name(store):
    ann, ann_lower = store.ensure_client("Ann"), store.ensure_client("ann")
    store.save_set(ann.id, "2026-11-01", make_record(video="v1"))
    assert ann.id != ann_lower.id and ann.dirname != ann_lower.dirname
    assert store.sets(ann_lower.id) == []
    assert store.find_set(ann_lower.id, sha("v1")) is None
    assert store.find_set(ann.id, sha("v1")) is not None
    assert store.client("ANN") is None


def test_the_same_video_may_belong_to_two_clients(store):
    a, b = store.ensure_client("A"), store.ensure_client("B")
    store.save_set(a.id, "2026-11-01", make_record(video="v"))
    store.save_set(b.id, "2026-11-02", make_record(video="v"))
    assert [s.session for s in store.sets(a.id)] == ["2026-11-01"]
    assert [s.session for s in store.sets(b.id)] == ["2026-11-02"]


def test_sets_come_back_by_session_then_recording_time(store):
    c = store.ensure_client("C")
    store.save_set(c.id, "2026-11-08", make_record(video="3", recorded_at="2026-11-08T09:00:00+00:00"))
    store.save_set(c.id, "2026-11-01", make_record(video="2", recorded_at="2026-11-01T09:30:00+00:00"))
    store.save_set(c.id, "2026-11-01", make_record(video="1", recorded_at="2026-11-01T09:00:00+00:00"))
    assert [s.record.key.video_sha256 for s in store.sets(c.id)] == [sha("1"), sha("2"), sha("3")]


def test_a_failed_transaction_stores_nothing(store):
    c = store.ensure_client("C")
    with pytest.raises(RuntimeError), store.transaction() as conn:
        conn.execute("INSERT INTO sessions (client_id, date) VALUES (?, ?)", (c.id, "2026-11-01"))
        raise RuntimeError("killed half way")
    assert store._conn.execute("SELECT COUNT(*) FROM sessions").fetchone()[0] == 0


@pytest.mark.parametrize(("session", "expected"), [("2026-13-01", "real calendar date"),
                                                   ("01/11/2026", "YYYY-MM-DD"), ("", "YYYY-MM-DD")])
def test_bad_session_dates_are_refused(store, session, expected):
    c = store.ensure_client("C")
    with pytest.raises(ValueError, match=expected):
        store.save_set(c.id, session, make_record())


def test_database_is_wal_current_and_sound(store):
    assert store._conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store.version == SCHEMA_VERSION == schema_version(store._conn)
    assert store.integrity() == "ok"


def test_forward_migration_keeps_the_data(tmp_path):
    path = tmp_path / "old.sqlite3"
    with HistoryStore(path, migrations=MIGRATIONS[:1]) as old:
        c = old.ensure_client("Ann")
        old.save_set(c.id, "2026-11-01", make_record())
    step = Migration(len(MIGRATIONS) + 1, "a coach's note per session",
                     "ALTER TABLE sessions ADD COLUMN note TEXT NOT NULL DEFAULT ''")
    with HistoryStore(path, migrations=(*MIGRATIONS, step)) as new:
        assert new.version == step.version
        [stored] = new.sets(new.client("Ann").id)
        assert stored.record.reps == make_record().reps
        assert new._conn.execute("SELECT note FROM sessions").fetchone()[0] == ""


def test_rebuilding_the_reps_table_keeps_what_refers_to_it(tmp_path):
    path = tmp_path / "v1.sqlite3"
    cues = (CueRow("chin_lifted", "warning", "Tuck the chin.", 1, "neck_flexion_deg", -25.0, True),)
    with HistoryStore(path, migrations=MIGRATIONS[:1]) as old:
        c = old.ensure_client("Ann")
        old.save_set(c.id, "2026-11-01", make_record(cues=cues))
        counts = [old._conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                  for t in ("reps", "rep_metrics", "cues")]
    with HistoryStore(path) as new:
        assert new.version == SCHEMA_VERSION >= 2
        assert [new._conn.execute(f"SELECT count(*) FROM {t}").fetchone()[0]
                for t in ("reps", "rep_metrics", "cues")] == counts
        assert new._conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert new.integrity() == "ok"
        [stored] = new.sets(new.client("Ann").id)
        assert stored.record.reps == make_record().reps and stored.record.cues == cues
        unjudged = RepRow(1, 0, 5, 9, 1.0, 0.5, 1.0, None, (MetricRow("knee_angle_deg", 200.0, 0.9),))
        new.save_set(new.client("Ann").id, "2026-11-02", make_record(video="b", rep_values=(unjudged,)))
        assert [s.record.reps[0].score for s in new.sets(new.client("Ann").id)][-1] is None


def test_a_database_from_a_newer_formcheck_is_refused(tmp_path):
    path = tmp_path / "new.sqlite3"
    with HistoryStore(path):
        pass
    conn = sqlite3.connect(path)
    conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    conn.close()
    with pytest.raises(InputError, match=f"schema version {SCHEMA_VERSION + 1} was written by a newer"):
        HistoryStore(path)


def test_a_migration_that_fails_leaves_the_last_complete_version(tmp_path):
    conn = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    broken = Migration(len(MIGRATIONS) + 1, "broken", "CREATE TABLE x (a INTEGER); SELECT * FROM nowhere")
    with pytest.raises(sqlite3.OperationalError):
        migrate(conn, (*MIGRATIONS, broken))
    assert schema_version(conn) == SCHEMA_VERSION
    assert conn.execute("SELECT name FROM sqlite_master WHERE name = 'x'").fetchone() is None


def test_not_a_database_is_one_clear_error(tmp_path):
    path = tmp_path / "notes.sqlite3"
    path.write_text("this is a text file, not SQLite\n" * 100)
    with pytest.raises(InputError, match="not a usable history database"):
        HistoryStore(path)


def test_default_database_lives_in_the_user_data_folder(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_db_path() == tmp_path / "data" / "formcheck" / "history.sqlite3"
