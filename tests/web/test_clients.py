"""The client page reads the history database: a client's sets (and only theirs), links to their reports
only where the server may serve them, and the trends of `formcheck history` as PNG plots and trends.csv.
The sets are hand-made rows (tests/set_records.py): no video is analysed here."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

import pytest

from formcheck.history.store import HistoryStore
from set_records import make_record, rep_row, sha


@dataclass(frozen=True)
class Stored:
    client: object  # TestClient
    ann: list[str]  # Ann's set ids (video sha256), oldest first; the last is kept outside the server
    bob: str


def _report_dir(folder: Path) -> str:
    folder.mkdir(parents=True)
    (folder / "report.json").write_text('{"summary": {}}')
    (folder / "report.html").write_text("<p>report</p>")
    return str(folder)


@pytest.fixture
def stored(make_client, tmp_path) -> Stored:
    db = tmp_path / "history.sqlite3"
    reports = tmp_path / "reports"  # beside the database: where formcheck batch writes by default
    rows = {"Ann": [("2026-11-03", "ann-1", reports / "a1"),
                    ("2026-11-10", "ann-2", tmp_path / "data" / "a2"),
                    ("2026-11-10", "ann-3", tmp_path / "elsewhere")],
            "Bob": [("2026-11-04", "bob-1", reports / "b1")]}
    with HistoryStore(db) as store:
        for name, sets in rows.items():
            client = store.ensure_client(name)
            for i, (session, video, folder) in enumerate(sets):
                reps = tuple(rep_row(r, hip=182.0 - 2 * r, concentric=0.8 + 0.1 * r) for r in (1, 2, 3))
                record = make_record(video=video, name=f"{video}.mp4", rep_values=reps,
                                     report_dir=_report_dir(folder),
                                     recorded_at=f"{session}T10:00:0{i}+00:00")
                store.save_set(client.id, session, record)
    return Stored(make_client(db=db), [sha("ann-1"), sha("ann-2"), sha("ann-3")], sha("bob-1"))


def test_a_clients_page_lists_their_sets_from_the_history_newest_first(stored):
    body = stored.client.get("/api/clients/Ann/sets").json()
    assert [s["set"] for s in body["sets"]] == stored.ann[::-1]
    newest, middle, oldest = body["sets"]
    assert oldest["session"] == "2026-11-03" and oldest["video"] == "ann-1.mp4"
    assert oldest["summary"] == {"rep_count": 3, "score": 100, "cues": []}
    assert oldest["lockout_loss_deg"] == pytest.approx(4.0) and oldest["clean_share"] == 1.0
    for doc in (oldest, middle):  # under the reports beside the database, and under --data
        assert set(doc["links"]) == {"page", "report.json", "report.html"}
        assert stored.client.get(doc["links"]["report.html"]).text == "<p>report</p>"
    assert set(newest["links"]) == {"page"} and "not kept on this server" in newest["note"]
    assert stored.client.get(f"/clients/Ann/sets/{stored.ann[2]}/files/report.html").status_code == 404
    assert stored.client.get(newest["links"]["page"]).status_code == 200  # its numbers are still shown
    assert stored.client.get("/api/clients").json()["clients"] == ["Ann", "Bob"]


def test_a_set_is_neither_listed_nor_reachable_under_another_client(stored):
    listed = stored.client.get("/api/clients/Bob/sets").json()["sets"]
    assert [s["set"] for s in listed] == [stored.bob]
    ann = stored.ann[0]
    for url in (f"/clients/Bob/sets/{ann}", f"/api/clients/Bob/sets/{ann}",
                f"/clients/Bob/sets/{ann}/files/report.json", f"/clients/Nobody/sets/{ann}"):
        assert stored.client.get(url).status_code == 404, url
    assert stored.client.get(f"/api/clients/Ann/sets/{ann}").json()["set"] == ann


@pytest.mark.parametrize("set_id", ["..%2F..%2Fhistory.sqlite3", "0" * 63, "A" * 64, "1"])
def test_only_a_videos_sha256_names_a_set(stored, set_id):
    assert stored.client.get(f"/clients/Ann/sets/{set_id}/files/report.json").status_code == 404


def test_the_trends_render_as_the_history_plots_and_csv(stored):
    body = stored.client.get("/api/clients/Ann/sets").json()
    for name in ("angles.png", "tempo.png", "cues.png", "drift.png"):
        plot = stored.client.get(body["trends"][name])
        assert plot.status_code == 200 and plot.headers["content-type"] == "image/png"
        assert plot.content.startswith(b"\x89PNG") and len(plot.content) > 10_000
    download = stored.client.get(body["trends"]["trends.csv"])
    assert download.headers["content-disposition"].startswith("attachment")
    rows = list(csv.DictReader(io.StringIO(download.text)))
    assert len(rows) == 9 and {r["session"] for r in rows} == {"2026-11-03", "2026-11-10"}
    assert {r["report"] for r in rows} == {f"/clients/Ann/sets/{s}" for s in stored.ann}  # pages, not paths
    assert stored.client.get("/api/clients/Ann/trends/history.sqlite3").status_code == 404
    assert stored.client.get("/api/clients/Cy/trends/angles.png").status_code == 404
    assert stored.client.get("/api/clients/Cy/sets").json() == {"client": "Cy", "sets": [], "unfinished": [],
                                                                "trends": None}
