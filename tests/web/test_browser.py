"""The pages in a real browser: Debian's chromium driven by Playwright, against `formcheck serve` itself.

Every request the browser makes is routed through a handler that fails anything not for this machine and
records it; each test ends by asserting there was none (the app works offline by design). The live page
runs on a fake camera that plays a sample clip (converted to y4m at test time). Set
FORMCHECK_SCREENSHOTS=docs/images to save the screenshots README shows.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from web.serving import SAMPLES

playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
CHROMIUM = os.environ.get("FORMCHECK_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path(CHROMIUM).is_file(), reason=f"no chromium at {CHROMIUM} (apt: chromium)"),
    pytest.mark.skipif(shutil.which("ffmpeg") is None, reason="ffmpeg makes the fake camera's clip"),
]
LIVE_CLIP = SAMPLES / "chin_lifted_left.mp4"  # plate-free, three reps, head thrown back: chin_lifted
UPLOAD_CLIP = SAMPLES / "chin_lifted_left.mp4"  # the clip `analyze_report` (conftest) analysed
LOCAL_HOSTS = {"127.0.0.1", "localhost", "[::1]", "::1"}
SCREENSHOTS = os.environ.get("FORMCHECK_SCREENSHOTS")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`formcheck serve` on a free port, started as a user would; its base URL."""
    port = _free_port()
    data = tmp_path_factory.mktemp("serve-data")
    log = (data / "serve.log").open("w")
    process = subprocess.Popen([sys.executable, "-m", "formcheck", "serve", "--port", str(port),
                                "--data", str(data), "--db", str(data / "history.sqlite3")],
                               stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300  # the first run fetches the browser's pose runtime
    while True:
        try:
            with urllib.request.urlopen(f"{base}/api/clients", timeout=2):
                break
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"formcheck serve did not start: {(data / 'serve.log').read_text()[-2000:]}")
            time.sleep(0.3)
    yield base
    process.terminate()
    process.wait(timeout=20)
    log.close()


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The live clip as y4m with the plain `C420` header chromium's fake camera reads."""
    folder = tmp_path_factory.mktemp("camera")
    raw, clip = folder / "raw.y4m", folder / "clip.y4m"
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", "-i", str(LIVE_CLIP), "-pix_fmt", "yuv420p",
                    str(raw)], check=True)
    with raw.open("rb") as source, clip.open("wb") as out:
        header = source.readline().replace(b" C420mpeg2", b" C420").replace(b" XYSCSS=420MPEG2", b"")
        out.write(header)
        shutil.copyfileobj(source, out)
    raw.unlink()
    return clip


@pytest.fixture(scope="module")
def browser(fake_camera: Path) -> Iterator:
    args = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={fake_camera}", "--enable-unsafe-swiftshader",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--no-first-run", "--no-default-browser-check"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        args.append("--no-sandbox")  # chromium's sandbox refuses to run as root
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=args)
        yield launched
        launched.close()


class Offline:
    """Every request of a browser context: local ones go through, others fail and are remembered."""

    def __init__(self) -> None:
        self.refused: list[str] = []
        self.csp_violations: list[str] = []

    def route(self, route) -> None:
        host = urlsplit(route.request.url).hostname or ""
        if route.request.url.startswith(("data:", "blob:")) or host in LOCAL_HOSTS:
            route.continue_()
        else:
            self.refused.append(route.request.url)
            route.abort("blockedbyclient")

    def console(self, message) -> None:
        if "Content Security Policy" in message.text:
            self.csp_violations.append(message.text)


@pytest.fixture
def page(browser) -> Iterator:
    """A fresh page whose requests are all checked; the test fails if any went beyond this machine."""
    offline = Offline()
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    context.route("**/*", offline.route)
    opened = context.new_page()
    opened.on("console", offline.console)
    opened.offline = offline
    yield opened
    context.close()
    assert offline.refused == [], f"the page tried to reach the network: {offline.refused}"
    assert offline.csp_violations == [], offline.csp_violations


def _wait(page, expression: str, timeout_s: float) -> None:
    """Poll `expression` in the page until it is truthy. (Playwright's wait_for_function evaluates its
    predicate with eval, which the pages' CSP forbids; page.evaluate goes through the debugger.)"""
    deadline = time.monotonic() + timeout_s
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"{expression} still false after {timeout_s} s")
        time.sleep(0.25)


def _shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name))


def test_upload_shows_the_report_formcheck_analyze_gives(page, server, analyze_report):
    page.goto(f"{server}/")
    page.fill("#client", "Alex")
    page.set_input_files("#file", str(UPLOAD_CLIP))
    _shot(page, "serve_upload.png")
    page.click("#send")
    page.wait_for_url("**/clients/Alex/sets/*", timeout=240_000)
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)
    summary = analyze_report["summary"]
    assert page.text_content("#reps") == str(summary["rep_count"])
    assert page.text_content("#score") == str(summary["score"])
    shown = page.eval_on_selector_all("#cues li[data-cue]", "items => items.map(i => i.dataset.cue)")
    assert shown == summary["cues"]
    # annotated.mp4 is H.264: the browser decodes it in the page
    _wait(page, "document.getElementById('video').readyState >= 2", 20)
    _shot(page, "serve_report.png")
    client_page = page.get_attribute("#client-link", "href")
    page.goto(f"{server}{client_page}")
    page.wait_for_selector("#sets tr a")
    assert page.locator("#sets tr").count() >= 1
    # the trends of `formcheck history`, drawn by the server for the page
    plots_drawn = "[...document.querySelectorAll('img[data-plot]')].every(i => i.naturalWidth > 0)"
    _wait(page, plots_drawn, 60)
    assert page.locator("img[data-plot]").count() == 4


def test_a_bad_upload_shows_one_clear_error_in_the_page(page, server, tmp_path):
    notes = tmp_path / "notes.mp4"  # named like a video, but text: refused by its content (415)
    notes.write_text("these are my notes on the set\n")
    page.goto(f"{server}/")
    page.fill("#client", "Alex")
    page.set_input_files("#file", str(notes))
    page.click("#send")
    page.wait_for_selector("#error:not([hidden])", timeout=30_000)
    shown = page.text_content("#error")
    assert "text, not a video" in shown and "\n" not in shown and str(tmp_path) not in shown
    assert page.url == f"{server}/" and page.is_enabled("#send")  # stays on the page, ready to try again


def test_live_page_counts_the_reps_and_shows_the_fault_cue_then_saves_the_set(page, server):
    page.goto(f"{server}/live")
    page.wait_for_selector("#start:not([disabled])", timeout=90_000)
    page.fill("#client", "Sam")
    page.click("#start")
    # the clip has three reps; the fake camera loops it, so the counter keeps going after the third
    _wait(page, "Number(document.getElementById('reps').textContent) >= 3", 180)
    seen = page.evaluate("window.formcheckLive.cues")
    assert "chin_lifted" in seen, seen
    page.wait_for_selector("#cue[data-cue='chin_lifted']", timeout=30_000)
    _shot(page, "serve_live.png")
    stats = page.evaluate("window.formcheckLive")
    assert stats["answers"] > 30 and stats["delegate"] in ("CPU", "GPU")
    refused = page.evaluate("window.formcheckRefused")
    page.click("#stop")  # the recording is uploaded and analysed like any other set
    page.wait_for_url("**/clients/Sam/sets/*", timeout=240_000)
    page.wait_for_selector("#result:not([hidden])", timeout=30_000)
    assert int(page.text_content("#reps")) >= 3
    assert set(refused) <= {"https://odml.pa.googleapis.com"}  # tasks-vision's usage log, refused in-page


def test_the_guard_refuses_cross_origin_fetches_before_they_reach_the_network(page, server):
    page.goto(f"{server}/live")
    outcome = page.evaluate("fetch('https://example.com/x').then(() => 'sent', e => e.message)")
    assert "works offline" in outcome
    assert page.evaluate("window.formcheckRefused") == ["https://example.com"]
