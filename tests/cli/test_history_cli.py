"""`formcheck history`: a self-contained trends.html with every plot, linked to each set's report; CSV of
the same data; one client's sets never shown under another's name."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import pytest

from formcheck.cli import main
from formcheck.history.names import client_dirname
from formcheck.history.records import CueRow
from formcheck.history.store import HistoryStore
from set_records import make_record, rep_row

SESSIONS = ("2026-11-03", "2026-11-10", "2026-11-17")


def _history(tmp_path: Path, client: str, sets: list[tuple[str, str, tuple]]) -> Path:
    """A database where `client` has the given (session, video name, cues) sets, each with a report.html."""
    db = tmp_path / "history.sqlite3"
    with HistoryStore(db) as store:
        c = store.ensure_client(client)
        for i, (session, name, cues) in enumerate(sets):
            report_dir = tmp_path / "reports" / c.dirname / session / f"set-{i}"
            report_dir.mkdir(parents=True)
            (report_dir / "report.html").write_text(f"<p>{name}</p>")
            reps = tuple(rep_row(r, knee=88.0 + r, hip=183.0 - 2 * r, concentric=0.8 + 0.1 * r)
                         for r in (1, 2, 3))
            record = make_record(video=f"{client}{i}", name=name, rep_values=reps, cues=cues,
                                 report_dir=str(report_dir), recorded_at=f"{session}T10:00:0{i}+00:00")
            store.save_set(c.id, session, record)
    return db


@pytest.fixture
def three_sessions(tmp_path) -> Path:
    chin = (CueRow("chin_lifted", "warning", "Tuck the chin.", rep=2),)
    rushed = (CueRow("rushed_reps", "warning", "Slow down.", rep=None),)
    return _history(tmp_path, "Ann Lee", [(SESSIONS[0], "monday.mp4", chin),
                                          (SESSIONS[0], "monday2.mp4", rushed),
                                          (SESSIONS[1], "week2.mp4", ()), (SESSIONS[2], "week3.mp4", ())])


def test_trends_page_has_every_plot_and_makes_no_request(three_sessions, capsys):
    assert main(["history", "--client", "Ann Lee", "--db", str(three_sessions)]) == 0
    page_path = three_sessions.parent / "reports" / client_dirname("Ann Lee") / "trends.html"
    page = page_path.read_text()
    assert len(re.findall(r'<img class="plot" alt="[^"]+" src="data:image/png;base64,', page)) == 4
    titles = ("At the top of each rep", "Tempo", "Cues and clean reps", "Drift within a set", "Every set")
    assert all(title in page for title in titles)
    assert not re.search(r'(src|href)="(https?:)?//', page)
    links = re.findall(r'<a href="([^"]+)">', page)
    assert len(links) == 4
    assert all((page_path.parent / link).resolve().is_file() for link in links)
    assert "3 sessions, 4 sets, 12 reps" in capsys.readouterr().out


def test_csv_exports_the_same_data(three_sessions, tmp_path):
    out = tmp_path / "trends"
    argv = ["history", "--client", "Ann Lee", "--db", str(three_sessions), "--out", str(out), "--csv"]
    assert main(argv) == 0
    with open(out / "trends.csv") as handle:
        reps = list(csv.DictReader(handle))
    with open(out / "trends_sessions.csv") as handle:
        sessions = list(csv.DictReader(handle))
    assert len(reps) == 12 and [s["session"] for s in sessions] == list(SESSIONS)
    assert [r["lockout_loss_deg"] for r in reps[:3]] == ["0.0", "2.0", "4.0"]
    assert [r["clean"] for r in reps[:6]] == ["1", "0", "1", "0", "0", "0"]
    assert sessions[0]["cue_pct_rushed_reps"] == "50.0" and sessions[0]["cue_pct_chin_lifted"] == "16.7"
    assert sessions[0]["clean_pct"] == "33.3" and sessions[2]["clean_pct"] == "100.0"
    assert (out / "trends.html").is_file()


def test_one_clients_sets_never_show_under_another_name(tmp_path, capsys):
    db = _history(tmp_path, "Ann", [(SESSIONS[0], "ann-secret.mp4", ())])
    with HistoryStore(db) as store:
        other = store.ensure_client("ann")
        store.save_set(other.id, SESSIONS[1], make_record(video="other", name="other.mp4"))
    assert main(["history", "--client", "ann", "--db", str(db), "--out", str(tmp_path / "o")]) == 0
    page = (tmp_path / "o" / "trends.html").read_text()
    assert "other.mp4" in page and "ann-secret.mp4" not in page


@pytest.mark.parametrize(("client", "expected"), [
    ("Nobody", "no client named 'Nobody'"),
    ("../Ann Lee", "no client named '../Ann Lee'"),
    ("", "client name: expected some text"),
])
def test_unknown_clients_exit_2_with_one_line(three_sessions, capsys, client, expected):
    code = main(["history", "--client", client, "--db", str(three_sessions)])
    err = capsys.readouterr().err
    assert code == 2 and expected in err and "Traceback" not in err


def test_a_client_without_sets_and_a_missing_database_exit_2(tmp_path, capsys):
    db = tmp_path / "h.sqlite3"
    assert main(["history", "--client", "A", "--db", str(db)]) == 2
    assert "no history database" in capsys.readouterr().err
    with HistoryStore(db) as store:
        store.ensure_client("A")
    assert main(["history", "--client", "A", "--db", str(db)]) == 2
    assert "has no sets yet" in capsys.readouterr().err


def test_a_name_that_looks_like_a_path_stays_in_its_own_folder(tmp_path):
    db = _history(tmp_path, "../../etc", [(SESSIONS[0], "x.mp4", ())])
    assert main(["history", "--client", "../../etc", "--db", str(db)]) == 0
    assert (tmp_path / "reports" / client_dirname("../../etc") / "trends.html").is_file()
    assert client_dirname("../../etc").startswith("etc-")
