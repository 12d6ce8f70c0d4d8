"""The job queue: uploads wait their turn and none is lost, progress streams as server-sent events, the
analysis matches `formcheck analyze`, and the cleaner removes what is no longer wanted."""

from __future__ import annotations

import json
import os
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path

import pytest

from formcheck.web.jobs import Job, JobQueue, new_job_id
from formcheck.web.settings import ServeSettings
from web.serving import SAMPLES, upload, wait_for_job


@pytest.mark.slow
def test_four_uploads_at_once_all_finish_in_turn(client, make_video):
    videos = [make_video(f"blank{i}.mp4", frames=20 + i) for i in range(4)]
    with ThreadPoolExecutor(5) as pool:  # the first video twice: the second upload joins the first's job
        created = list(pool.map(lambda v: upload(client, v), [*videos, videos[0]]))
    assert [r.status_code for r in created] == [202] * 5
    ids = [r.json()["job"] for r in created[:4]]
    assert created[4].json()["job"] == ids[0] and len(set(ids)) == 4
    waiting = [client.get(f"/api/jobs/{i}").json() for i in ids]
    assert any(w.get("ahead", 0) > 0 for w in waiting), waiting  # one analysis at a time: the rest queue
    finished = [wait_for_job(client, i) for i in ids]
    assert [f["status"] for f in finished] == ["failed"] * 4  # nobody in these clips: each says so
    assert all("person was found" in f["error"] for f in finished)


@pytest.mark.slow
def test_progress_streams_as_server_sent_events_until_the_end(client, make_video):
    job = upload(client, make_video("blank.mp4", frames=20)).json()["job"]
    events = []
    with client.stream("GET", f"/api/jobs/{job}/events") as stream:
        for line in stream.iter_lines():
            if line.startswith("event: "):
                events.append(line[7:])
    assert events[-1] == "failed" and set(events[:-1]) <= {"progress"}


@pytest.mark.slow
def test_an_uploaded_set_is_judged_as_formcheck_analyze_judges_it(analysed, analyze_report):
    client, job = analysed
    expected = analyze_report
    served = client.get(job["links"]["report.json"]).json()
    assert served["summary"] == expected["summary"]
    assert [r["cues"] for r in served["reps"]] == [r["cues"] for r in expected["reps"]]
    assert served["source"]["path"] == "upload.mp4"  # not where the server keeps it
    assert job["summary"]["cues"] == ["chin_lifted"] and job["summary"]["rep_count"] == 3
    assert set(job["links"]) == {"page", "report.json", "angles.csv", "report.html", "annotated.mp4"}
    assert client.get(job["links"]["annotated.mp4"]).headers["content-type"] == "video/mp4"
    sets = client.get("/api/clients/Alex/sets").json()["sets"]
    assert [s["set"] for s in sets] == [job["set"]] and sets[0]["summary"]["rep_count"] == 3
    db = client.app.state.settings.db
    with sqlite3.connect(db) as conn:  # recorded as a set of Alex, as batch records one
        rows = conn.execute("SELECT c.name, s.video_name, s.rep_count, s.video_sha256, s.report_dir "
                            "FROM sets s JOIN clients c ON c.id = s.client_id").fetchall()
    assert rows == [("Alex", "chin_lifted_left.mp4", 3, job["set"],
                     str(client.app.state.jobs.folder(job["job"]).resolve()))]


@pytest.mark.slow
def test_the_same_video_uploaded_again_for_the_same_client_is_stored_once(analysed):
    client, job = analysed
    again = upload(client, SAMPLES / "chin_lifted_left.mp4")
    assert again.status_code == 202 and again.json()["status"] == "done"  # nothing is analysed again
    assert again.json()["links"] == job["links"] and again.json()["job"] != job["job"]
    status = client.get(f"/api/jobs/{again.json()['job']}").json()
    assert status["stage"] == "already analysed" and status["summary"]["rep_count"] == 3
    assert [s["set"] for s in client.get("/api/clients/Alex/sets").json()["sets"]] == [job["set"]]


async def _not_recorded(*_args: object) -> None:
    raise AssertionError("these tests analyse nothing")


def _queue(tmp_path: Path, **overrides: object) -> JobQueue:
    settings = ServeSettings(data_dir=tmp_path, models_dir=tmp_path, db=tmp_path / "h.sqlite3", **overrides)
    queue = JobQueue(settings, tmp_path / "model.task", on_judged=_not_recorded)
    settings.uploads_dir.mkdir(parents=True)
    return queue


def _finished_set(queue: JobQueue, status: str, age_s: float) -> Job:
    """A set folder with a job.json as the queue leaves it, finished `age_s` ago."""
    job = Job(new_job_id(), "Alex", time.time() - age_s, 10, "0" * 64, status=status,
              finished=time.time() - age_s)
    folder = queue.folder(job.id)
    folder.mkdir(parents=True)
    (folder / "job.json").write_text(json.dumps({**job.__dict__, "files": []}))
    return job


def test_sweep_removes_stale_uploads_failed_sets_and_expired_sets(tmp_path):
    queue = _queue(tmp_path, keep_days=2, partial_max_age_s=3600)
    uploads = queue.settings.uploads_dir
    stale, fresh = uploads / "a.part", uploads / "b.part"
    stale.write_bytes(b"x")
    fresh.write_bytes(b"x")
    os.utime(stale, (time.time() - 7200, time.time() - 7200))
    old_fail, new_fail = _finished_set(queue, "failed", 7200), _finished_set(queue, "failed", 60)
    old_done, new_done = _finished_set(queue, "done", 3 * 86400), _finished_set(queue, "done", 86400)
    queue.load()
    removed = queue.sweep()
    assert sorted(removed) == sorted(["uploads/a.part", f"sets/{old_fail.id}", f"sets/{old_done.id}"])
    assert fresh.exists() and queue.folder(new_fail.id).exists() and queue.folder(new_done.id).exists()
    assert queue.get(old_done.id) is None and queue.get(new_done.id) is not None


def test_the_running_server_sweeps_on_its_schedule(make_client, tmp_path):
    # sweep() above is called by hand; this is the server calling it every `sweep_every_s` while it serves
    client = make_client(sweep_every_s=0.2, partial_max_age_s=1.0)
    abandoned = client.app.state.settings.uploads_dir / "0123456789abcdef01234567.part"
    abandoned.write_bytes(b"an upload whose browser went away")  # after the sweep made at start-up
    deadline = time.monotonic() + 20
    while abandoned.exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not abandoned.exists(), "the server never swept the abandoned upload"
    assert client.get("/api/clients").status_code == 200  # and it still serves


def test_keep_days_0_keeps_analysed_sets_forever(tmp_path):
    queue = _queue(tmp_path, keep_days=0)
    job = _finished_set(queue, "done", 400 * 86400)
    queue.load()
    assert queue.sweep() == [] and queue.get(job.id) is not None


def test_a_set_still_waiting_when_the_server_stopped_is_reported_failed_after_a_restart(tmp_path):
    queue = _queue(tmp_path)
    job = _finished_set(queue, "done", 0)
    waiting = replace(job, status="queued", finished=None)
    (queue.folder(job.id) / "job.json").write_text(json.dumps({**waiting.__dict__, "files": []}))
    queue.load()
    again = queue.get(job.id)
    assert again is not None and again.status == "failed" and "upload it again" in (again.error or "")


@pytest.mark.parametrize("job_id", ["../x", "0123", "0123456789ABCDEF01234567", "a" * 25])
def test_only_server_made_ids_name_a_folder(tmp_path, job_id):
    queue = _queue(tmp_path)
    assert queue.get(job_id) is None
    with pytest.raises(ValueError, match="24 hex digits"):
        queue.folder(job_id)
