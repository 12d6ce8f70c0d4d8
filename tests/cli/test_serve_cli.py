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

    ServeSettings(data_dir=tmp_path, models_dir=tmp_path, host=host).check()  # does not raise


def test_a_port_in_use_is_one_line_not_a_traceback(capsys, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code = main(["serve", "--data", str(tmp_path), "--port", str(port)])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and f"cannot listen on 127.0.0.1:{port}" in err[0], err
