"""The server records an analysed upload as batch records a set: once per client and video, keyed by the
same versions; a re-analysis replaces the row (keeping its session) and removes only the server's own old
folder."""

from __future__ import annotations

import asyncio
import sqlite3
import time
from pathlib import Path

from formcheck.flows.batch.keys import model_id, rules_version
from formcheck.history.records import Judgement
from formcheck.rules import load_rule_pack
from formcheck.web.history import ServerHistory, Upload
from formcheck.web.settings import ServeSettings
from set_records import make_record, sha


def _judgement() -> Judgement:
    r = make_record()
    return Judgement(r.fps, r.frames, r.width, r.height, r.side, r.view_confidence, r.view_reason, r.score,
                     r.notes, r.reps, r.cues, r.measurements)


def _upload(settings: ServeSettings, folder: Path, created: float, client: str = "Ann") -> Upload:
    folder.mkdir(parents=True)
    (folder / "report.json").write_text("{}")
    return Upload(client, sha("video"), "monday.mp4", folder / "upload.mp4", folder, created)


def test_an_upload_is_stored_once_per_client_and_only_the_servers_old_folder_goes(tmp_path):
    model = tmp_path / "model.task"
    model.write_bytes(b"a pose model")
    settings = ServeSettings(data_dir=tmp_path / "data", models_dir=tmp_path, db=tmp_path / "h.sqlite3")
    pack = load_rule_pack()
    history = ServerHistory(settings, model, pack)
    first, second = settings.sets_dir / ("a" * 24), settings.sets_dir / ("b" * 24)
    batch_folder = tmp_path / "reports" / "ann" / "set"
    week_ago = time.time() - 7 * 86400

    async def run() -> None:
        await history.start()
        try:
            await history.record(_upload(settings, first, week_ago), _judgement())
            assert await history.done("Ann", sha("video")) is not None  # a re-upload analyses nothing
            await history.record(_upload(settings, second, time.time()), _judgement())
            await history.record(_upload(settings, batch_folder, time.time(), client="Bob"), _judgement())
            await history.record(_upload(settings, settings.sets_dir / ("c" * 24), time.time(), client="Bob"),
                                 _judgement())
            # a report the server may not serve is no reason to skip an upload: it is analysed again
            await history.record(_upload(settings, tmp_path / "elsewhere", time.time(), client="Cy"),
                                 _judgement())
            assert await history.done("Cy", sha("video")) is None
        finally:
            await history.stop()

    asyncio.run(run())
    with sqlite3.connect(settings.db) as conn:
        rows = conn.execute("SELECT c.name, se.date, s.report_dir, s.video_name, s.model_id, s.rules_version "
                            "FROM sets s JOIN clients c ON c.id = s.client_id "
                            "JOIN sessions se ON se.id = s.session_id ORDER BY c.name").fetchall()
    kept = [(name, Path(folder).name) for name, _, folder, *_ in rows]
    assert kept == [("Ann", "b" * 24), ("Bob", "c" * 24), ("Cy", "elsewhere")]
    assert rows[0][1] == time.strftime("%Y-%m-%d", time.localtime(week_ago))  # it keeps its session
    assert rows[0][3:] == ("monday.mp4", model_id(model), rules_version(pack))
    assert not first.exists() and second.is_dir()
    assert batch_folder.is_dir()  # not the server's: never removed
