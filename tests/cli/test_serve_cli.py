"""`formcheck serve` refuses in one line, with exit 2, to start where it would be unsafe or cannot listen."""

from __future__ import annotations

import socket

import pytest

from formcheck.cli import main


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--host", "0.0.0.0"], "refusing to listen on 0.0.0.0 without --token"),
        (["--host", "192.168.1.20"], "refusing to listen on 192.168.1.20 without --token"),
        (["--host", "0.0.0.0", "--token", "short"], "--token: expected at least 16 characters"),
    ],
    ids=["all-addresses", "lan-address", "short-token"],
)
def test_serve_refuses_to_start_exposed_without_a_token(capsys, tmp_path, argv, expected):
    code = main(["serve", "--data", str(tmp_path), *argv])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2
    assert len(err) == 1 and err[0].startswith("formcheck: error:") and expected in err[0], err


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "::1"])
def test_loopback_hosts_need_no_token(tmp_path, host):
    from formcheck.web.settings import ServeSettings

    ServeSettings(data_dir=tmp_path, models_dir=tmp_path, db=tmp_path / "h.sqlite3", host=host).check()


def test_a_port_in_use_is_one_line_not_a_traceback(capsys, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--data", str(tmp_path), "--port", str(port)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and f"cannot listen on 127.0.0.1:{port}" in err[0], err


def _serve_args(*argv: str):
    from formcheck.cli import build_parser

    return build_parser().parse_args(["serve", *argv])


def test_db_defaults_to_the_database_formcheck_batch_uses(tmp_path):
    from formcheck.cli.serve import settings_from
    from formcheck.history.store import default_db_path

    assert settings_from(_serve_args("--data", str(tmp_path))).db == default_db_path()
    given = tmp_path / "coach.sqlite3"
    assert settings_from(_serve_args("--data", str(tmp_path), "--db", str(given))).db == given


@pytest.mark.parametrize("kind", ["folder", "not-a-database"])
def test_a_bad_db_is_one_line_before_anything_is_served(capsys, tmp_path, kind):
    db = tmp_path / "h.sqlite3"
    if kind == "folder":
        db.mkdir()
    else:
        db.write_text("a note, not a database\n" * 100)
    with socket.socket() as free:
        free.bind(("127.0.0.1", 0))
        port = free.getsockname()[1]
    code = main(["serve", "--data", str(tmp_path / "data"), "--port", str(port), "--db", str(db)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and str(db) in err[0], err
    assert not (tmp_path / "data").exists()  # refused before the data folder is made
