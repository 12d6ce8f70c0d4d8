"""Who may talk to the server and what every response tells the browser, as one ASGI middleware.

- Host: only the names the server listens on (stops DNS rebinding from turning a web page into a client
  of a server on 127.0.0.1).
- Token (when `--token` is set): every request and WebSocket carries it, either as
  `Authorization: Bearer TOKEN` (scripts) or as the cookie `POST /login` sets (browsers). The cookie holds
  an HMAC of the token, not the token, and is HttpOnly and SameSite=Strict.
- Origin: a WebSocket or a state-changing request sent by a browser from another origin is refused.
- Headers: a Content-Security-Policy that allows nothing but this server (a route may send a stricter
  one), `X-Content-Type-Options: nosniff`, no referrer, no framing by other sites.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Message, Receive, Scope, Send

COOKIE = "formcheck_session"
# The live page runs MediaPipe's WebAssembly (hence 'wasm-unsafe-eval') from this server; nothing else.
CSP = ("default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; "
       "img-src 'self' data: blob:; media-src 'self' blob:; connect-src 'self'; worker-src 'self' blob:; "
       "frame-src 'self'; frame-ancestors 'self'; object-src 'none'; base-uri 'none'; form-action 'self'")
# report.html is self-contained (inline CSS, data: images, no script): it gets only that, sandboxed.
REPORT_CSP = ("default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; "
              "sandbox")
HEADERS = {
    b"x-content-type-options": b"nosniff",
    b"referrer-policy": b"no-referrer",
    b"x-frame-options": b"SAMEORIGIN",
    b"cross-origin-opener-policy": b"same-origin",
}
# Reachable without the token: the login form and what it needs to look right.
OPEN_PATHS = ("/login", "/static/app.css", "/static/login.js")
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def session_value(token: str) -> str:
    """What the login cookie holds: an HMAC of the token, so the cookie never carries the token itself."""
    return hmac.new(token.encode(), b"formcheck-session", hashlib.sha256).hexdigest()


def host_names(host: str, port: int) -> frozenset[str]:
    """Host header values the server answers to: the address it listens on, plus the loopback names."""
    names = {host, "127.0.0.1", "localhost", "[::1]"}
    if host in ("0.0.0.0", "::"):  # listening everywhere: the token guards it, any name may be used
        return frozenset({"*"})
    return frozenset({*names, *(f"{n}:{port}" for n in names)})


class SecurityMiddleware:
    """Host, token and Origin checks for HTTP and WebSocket; security headers on every HTTP response."""

    def __init__(self, app: ASGIApp, *, token: str | None, hosts: Iterable[str]) -> None:
        self.app = app
        self.token = token
        self.session = session_value(token) if token else None
        self.hosts = frozenset(hosts)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        headers = _headers(scope)
        refusal = self._refusal(scope, headers)
        if scope["type"] == "websocket":
            if refusal is not None:
                await send({"type": "websocket.close", "code": 1008, "reason": refusal[1]})
                return
            await self.app(scope, receive, send)
            return
        if refusal is not None:
            await _refuse(scope, headers, send, *refusal)
            return
        started = False
        with_headers = _with_headers(send)

        async def sender(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await with_headers(message)

        try:
            await self.app(scope, receive, sender)
        except Exception:
            # a server fault: Starlette's own 500 is sent outside this middleware, without the headers;
            # answer here with them, then let the fault propagate to be logged
            if not started:
                await _refuse(scope, headers, send, 500, "internal error; the server log says more")
            raise

    def _refusal(self, scope: Scope, headers: dict[str, str]) -> tuple[int, str] | None:
        """(status, reason) when the request must not reach the app, else None."""
        host = headers.get("host", "")
        if "*" not in self.hosts and host not in self.hosts:
            return 400, f"unknown Host {host!r}"
        origin = headers.get("origin")
        cross = origin is not None and urlsplit(origin).netloc != host
        if cross and (scope["type"] == "websocket" or scope.get("method") not in SAFE_METHODS):
            return 403, f"requests from {origin} are not allowed"
        if self.token is None or scope["path"] in OPEN_PATHS:
            return None
        if self._authorised(headers):
            return None
        return 401, "this server needs its token: log in first, or send Authorization: Bearer TOKEN"

    def _authorised(self, headers: dict[str, str]) -> bool:
        assert self.token is not None and self.session is not None
        auth = headers.get("authorization", "")
        if auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].encode(), self.token.encode()):
            return True
        cookie = _cookies(headers.get("cookie", "")).get(COOKIE, "")
        return hmac.compare_digest(cookie.encode(), self.session.encode())


def _headers(scope: Scope) -> dict[str, str]:
    return {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}


def _cookies(header: str) -> dict[str, str]:
    pairs = (part.strip().split("=", 1) for part in header.split(";") if "=" in part)
    return {k: v for k, v in pairs}


def _with_headers(send: Send) -> Send:
    """Add the security headers to the response start; a route's own CSP wins over the default."""
    async def sender(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            present = {k.lower() for k, _ in headers}
            headers.extend((k, v) for k, v in HEADERS.items() if k not in present)
            if b"content-security-policy" not in present:
                headers.append((b"content-security-policy", CSP.encode()))
            message = {**message, "headers": headers}
        await send(message)

    return sender


async def _refuse(scope: Scope, headers: dict[str, str], send: Send, status: int, reason: str) -> None:
    """A refusal: browsers asking for a page go to the login form, everyone else gets JSON."""
    wants_page = scope.get("method") == "GET" and "text/html" in headers.get("accept", "")
    if status == 401 and wants_page:
        start = {"type": "http.response.start", "status": 303,
                 "headers": [(b"location", b"/login"), (b"content-length", b"0")]}
        body = b""
    else:
        body = json.dumps({"error": reason}).encode()
        start = {"type": "http.response.start", "status": status,
                 "headers": [(b"content-type", b"application/json"),
                             (b"content-length", str(len(body)).encode())]}
    sender = _with_headers(send)
    await sender(start)
    await sender({"type": "http.response.body", "body": body})
