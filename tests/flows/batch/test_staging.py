"""Outputs appear under their final name whole or not at all; a dead run's leftovers are removed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from formcheck.errors import InputError
from formcheck.flows.batch.staging import STAGING_DIRNAME, StagingArea, clean_stale, exclusive_lock


def _stage(area: StagingArea, label: str, text: str) -> Path:
    staged = area.new(label)
    (staged / "report.json").write_text(text)
    return staged


def test_a_set_folder_is_replaced_in_one_rename(tmp_path):
    final = tmp_path / "client" / "2026-11-01" / "set"
    with StagingArea(tmp_path) as area:
        assert area.place(_stage(area, "1", "first"), final) is None
        old = area.place(_stage(area, "2", "second"), final)
        assert (final / "report.json").read_text() == "second"
        assert old is not None and (old / "report.json").read_text() == "first"
        area.discard(old)
        assert not old.exists()
    assert not (tmp_path / STAGING_DIRNAME).exists()


_DIE_WHILE_STAGING = """
import os, sys, time
from pathlib import Path
from formcheck.flows.batch.staging import StagingArea
area = StagingArea(Path(sys.argv[1]))
(area.new("00001") / "report.json").write_text("half")
print(area.folder, flush=True)
time.sleep(60)
"""


def test_what_a_killed_run_left_is_removed_and_a_live_run_is_not(tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    killed = subprocess.Popen([sys.executable, "-c", _DIE_WHILE_STAGING, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True, env=env)
    live = subprocess.Popen([sys.executable, "-c", _DIE_WHILE_STAGING, str(tmp_path)],
                            stdout=subprocess.PIPE, text=True, env=env)
    try:
        dead_folder = Path(killed.stdout.readline().strip())
        live_folder = Path(live.stdout.readline().strip())
        killed.send_signal(signal.SIGKILL)
        killed.wait()
        assert dead_folder.is_dir()
        assert clean_stale(tmp_path / STAGING_DIRNAME) == 1
        assert not dead_folder.exists() and live_folder.is_dir()
    finally:
        live.kill()
        live.wait()


def test_one_batch_at_a_time_per_database(tmp_path):
    lock = tmp_path / "h.sqlite3.lock"
    with exclusive_lock(lock, "history database h"):
        code = ("import sys; from pathlib import Path\n"
                "from formcheck.flows.batch.staging import exclusive_lock\n"
                "with exclusive_lock(Path(sys.argv[1]), 'db'): pass")
        other = subprocess.run([sys.executable, "-c", code, str(lock)], capture_output=True, text=True,
                               env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}, timeout=60)
        assert other.returncode != 0 and "in use by another formcheck batch" in other.stderr
    with exclusive_lock(lock, "history database h"):  # free again once the first run is over
        pass
    with pytest.raises(InputError, match="in use"), exclusive_lock(lock, "db"), exclusive_lock(lock, "db"):
        pass
