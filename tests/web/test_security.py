"""Safe by default: loopback unless a token guards it, the token everywhere, Host and Origin checked,
CSP and nosniff on every response, no URL reaching a file it should not, each client's sets its own."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from starlette.websockets import WebSocketDisconnect

from formcheck.web.security import COOKIE, CSP, REPORT_CSP
from web.serving import BASE, TOKEN

HOST = {"host": "127.0.0.1:8000"}  # the WebSocket test client does not take its host from base_url


PATHS = ["/", "/live", "/login", "/api/clients", "/static/app.css", "/no/such/page",
         "/assets/tasks-vision/vision_bundle.mjs", "/api/jobs/0123456789abcdef01234567"]


@pytest.mark.parametrize("path", PATHS)
def test_every_response_has_csp_and_nosniff(client, path):
    response = client.get(path)
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.status_code != 500


def test_an_unexpected_server_fault_still_carries_csp_and_nosniff(make_client):
    client = make_client()

    @client.app.get("/fault")
    async def fault() -> None:
        raise RuntimeError("a bug, not a bad request")

    browser = TestClient(client.app, base_url=BASE, raise_server_exceptions=False)  # sees the 500 itself
    response = browser.get("/fault")
    assert response.status_code == 500 and "RuntimeError" not in response.text
    assert response.headers["content-security-policy"] == CSP
    assert response.headers["x-content-type-options"] == "nosniff"


def test_csp_allows_nothing_but_this_server():
    sources = {part.split()[0]: part.split()[1:] for part in CSP.split("; ")}
    for directive, allowed in sources.items():
        remote = [s for s in allowed if s.startswith(("http", "https:", "ws", "*")) or "." in s]
        assert not remote, f"{directive} allows {remote}"
    assert sources["default-src"] == ["'self'"]


def test_unknown_host_header_is_refused(client):
    # a page on another site that rebinds its name to 127.0.0.1 still sends its own Host
    response = client.get("/api/clients", headers={"host": "attacker.example"})
    assert response.status_code == 400


def test_cross_origin_post_is_refused(client):
    response = client.post("/api/jobs", headers={"origin": "http://attacker.example"},
                           files={"file": ("a.mp4", b"x")}, data={"client": "Alex"})
    assert response.status_code == 403
    assert "attacker.example" in response.json()["error"]


def test_websocket_from_another_origin_is_refused(client):
    with pytest.raises(WebSocketDisconnect) as refused, \
            client.websocket_connect("/api/live", headers={**HOST, "origin": "http://attacker.example"}):
        pass
    assert refused.value.code == 1008 and "attacker.example" in refused.value.reason


def test_websocket_from_this_origin_is_accepted(client):
    with client.websocket_connect("/api/live", headers={**HOST, "origin": "http://127.0.0.1:8000"}) as ws:
        ws.send_text('{"t_ms": 0, "width": 640, "height": 360, "landmarks": []}')
        assert ws.receive_json()["rep"] == 0


@pytest.fixture
def guarded(make_client):
    return make_client(host="0.0.0.0", token=TOKEN)


@pytest.mark.parametrize("path", ["/api/clients", "/api/jobs/0123456789abcdef01234567",
                                  "/assets/pose_landmarker.task", "/static/live.js"])
def test_with_a_token_every_request_needs_it(guarded, path):
    assert guarded.get(path).status_code == 401
    assert guarded.get(path, headers={"authorization": f"Bearer {TOKEN}"}).status_code != 401
    assert guarded.get(path, headers={"authorization": "Bearer wrong-token-wrong-token"}).status_code == 401


def test_with_a_token_an_upload_and_its_progress_need_it(guarded):
    form = {"files": {"file": ("notes.mp4", b"these are my notes\n")}, "data": {"client": "Alex"}}
    assert guarded.post("/api/jobs", **form).status_code == 401
    assert not any(guarded.app.state.settings.uploads_dir.iterdir())  # refused before a byte is stored
    allowed = guarded.post("/api/jobs", headers={"authorization": f"Bearer {TOKEN}"}, **form)
    assert allowed.status_code == 415  # past the token: judged by its content (text, not a video)
    events = "/api/jobs/0123456789abcdef01234567/events"
    assert guarded.get(events).status_code == 401
    assert guarded.get(events, headers={"authorization": f"Bearer {TOKEN}"}).status_code == 404


def test_with_a_token_pages_send_the_browser_to_the_login_form(guarded):
    response = guarded.get("/", headers={"accept": "text/html"}, follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert guarded.get("/login").status_code == 200


def test_login_sets_a_cookie_that_opens_the_app_and_never_holds_the_token(guarded):
    wrong = guarded.post("/login", data={"token": "nope"}, follow_redirects=False)
    assert wrong.status_code == 303 and "wrong" in wrong.headers["location"]
    assert COOKIE not in guarded.cookies
    right = guarded.post("/login", data={"token": TOKEN}, follow_redirects=False)
    cookie = right.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and TOKEN not in cookie
    assert guarded.get("/api/clients").status_code == 200  # the client keeps the cookie


def test_with_a_token_the_websocket_needs_it(guarded):
    with pytest.raises(WebSocketDisconnect) as refused, guarded.websocket_connect("/api/live", headers=HOST):
        pass
    assert refused.value.code == 1008 and "token" in refused.value.reason
    with guarded.websocket_connect("/api/live", headers={**HOST, "authorization": f"Bearer {TOKEN}"}) as ws:
        ws.send_text('{"t_ms": 0, "width": 640, "height": 360, "landmarks": []}')
        assert "rep" in ws.receive_json()


TRAVERSALS = [
    "/clients/Alex/sets/{set}/files/..%2Fjob.json",
    "/clients/Alex/sets/{set}/files/%2E%2E%2F%2E%2E%2Fhistory.sqlite3",
    "/clients/Alex/sets/{set}/files/job.json",
    "/clients/Alex/sets/{set}/files/upload.mp4",
    "/clients/Alex/sets/{job}/files/report.json",
    "/clients/Alex/sets/..%2F..%2Fhistory.sqlite3",
    "/api/clients/Alex/trends/..%2F..%2Fhistory.sqlite3",
    "/clients/Alex/sets/..%2F..%2Fetc/files/report.json",
    "/clients/..%2F..%2Fetc%2Fpasswd",
    "/static/..%2Fapp.py",
    "/static/%2E%2E/%2E%2E/web/app.py",
    "/assets/tasks-vision/..%2F..%2Fpose_landmarker_full.task",
    "/assets/tasks-vision/%2Fetc%2Fpasswd",
    "/assets/tasks-vision/provenance.json",
]


@pytest.mark.slow
@pytest.mark.parametrize("path", TRAVERSALS)
def test_no_url_reaches_a_file_outside_the_allowed_ones(analysed, path):
    client, job = analysed
    response = client.get(path.format(set=job["set"], job=job["job"]))
    assert response.status_code in (400, 404), response.text[:200]
    assert b"import" not in response.content and b"root:" not in response.content


@pytest.mark.slow
def test_a_clients_sets_are_reachable_only_under_that_client(analysed):
    client, job = analysed
    mine = job["links"]
    assert client.get(mine["page"]).status_code == 200
    assert client.get(mine["report.json"]).status_code == 200
    for url in (mine["page"], mine["report.json"], mine["annotated.mp4"]):
        assert client.get(url.replace("/clients/Alex/", "/clients/Bob/")).status_code == 404
    listed = client.get("/api/clients/Bob/sets").json()
    assert listed["sets"] == [] and listed["trends"] is None
    assert client.get("/api/clients/Bob/trends/angles.png").status_code == 404
    assert client.get("/api/clients/Alex/trends/angles.png").status_code == 200


@pytest.mark.slow
def test_report_html_is_served_sandboxed_and_downloads_as_attachments(analysed):
    client, job = analysed
    html = client.get(job["links"]["report.html"])
    assert html.headers["content-security-policy"] == REPORT_CSP
    csv = client.get(job["links"]["angles.csv"])
    assert csv.headers["content-disposition"].startswith("attachment")
