"""The FastAPI app behind `formcheck serve`: pages, the jobs API, set files, the live WebSocket, assets.

Routes (docs/web.md documents them):
- pages: `/` upload, `/live`, `/clients/{name}`, `/clients/{name}/sets/{set}` (report), `/login`;
- API: `POST /api/jobs`, `GET /api/jobs/{id}`, `GET /api/jobs/{id}/events` (SSE), `GET /api/clients`,
  `GET /api/clients/{name}/sets`, `GET /api/clients/{name}/sets/{set}`,
  `GET /api/clients/{name}/trends/{file}` (the plots and trends.csv), `WS /api/live`;
- files: `/clients/{name}/sets/{set}/files/{file}` (a fixed list of names), `/assets/...` (the pose model
  and the pinned tasks-vision files), `/static/...` (the pages' own JS and CSS).
A set is named by its video's sha256 and recorded in the history database (`web/history.py`). No URL is
ever joined onto a path: a set's folder is looked up under the client named in the URL and served only from
the server's own folders, file names come from fixed lists, and another client's set is as absent as a
made-up one.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import json
import time
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from formcheck.history.names import client_dirname
from formcheck.history.records import Judgement, StoredSet
from formcheck.history.trends import build_trends
from formcheck.history.trends_plots import tempo_limits
from formcheck.report.plots import DEFAULT_BANDS
from formcheck.rules import RulePack
from formcheck.web.assets import TASKS_VISION
from formcheck.web.clients import (
    SET_ID,
    TREND_FILES,
    TRENDS_CSV,
    TrendPlots,
    set_document,
    summary,
    trends_csv,
)
from formcheck.web.history import ServerHistory, Upload
from formcheck.web.jobs import SET_FILES, Job, JobQueue, new_job_id
from formcheck.web.live_engine import BadMessage, LiveFeed, rule_pack
from formcheck.web.security import COOKIE, REPORT_CSP, SecurityMiddleware, host_names, session_value
from formcheck.web.settings import ServeSettings
from formcheck.web.uploads import (
    ReceivedUpload,
    UploadRejected,
    check_client,
    check_video,
    receive_upload,
    sniff_video,
)

STATIC = Path(__file__).parent / "static"
PAGES = {"upload": "index.html", "live": "live.html", "client": "client.html", "report": "set.html",
         "login": "login.html"}
SSE_KEEPALIVE_S = 15.0
MAX_WS_MESSAGE = 64 * 1024  # one frame of landmarks is ~5 KB of JSON


def create_app(settings: ServeSettings, *, model: Path, tasks_vision: Path | None) -> FastAPI:
    """The app for `settings`; `model` is the verified pose model, `tasks_vision` the provisioned
    runtime's folder (None: the live page says it is missing)."""
    pack = rule_pack(settings.rules)
    history = ServerHistory(settings, model, pack)

    async def record(job: Job, judgement: Judgement, video: Path) -> None:
        await history.record(Upload(job.client, job.sha256, job.name or video.name, video,
                                    jobs.folder(job.id), job.created), judgement)

    jobs = JobQueue(settings, model, on_judged=record)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        await history.start()
        await jobs.start()
        jobs.sweep()
        sweeper = asyncio.create_task(_sweep_forever(jobs, settings.sweep_every_s))
        try:
            yield
        finally:
            sweeper.cancel()
            await jobs.stop()
            await history.stop()

    app = FastAPI(title="formcheck", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.jobs = jobs
    app.state.history = history
    app.state.settings = settings
    app.add_middleware(SecurityMiddleware, token=settings.token,
                       hosts=host_names(settings.host, settings.port))
    sets = _Sets(jobs, history)
    _error_handlers(app)
    _pages(app, settings, sets)
    _jobs_api(app, jobs, history, settings)
    _clients_api(app, sets, pack)
    _set_files(app, sets)
    _live(app, pack)
    _assets(app, model, tasks_vision)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app


async def _sweep_forever(jobs: JobQueue, every_s: float) -> None:
    while True:
        await asyncio.sleep(every_s)
        jobs.sweep()


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


def _error_handlers(app: FastAPI) -> None:
    """Every refusal is `{"error": one line}` with its status, never a stack trace."""

    @app.exception_handler(UploadRejected)
    async def rejected(_request: Request, exc: UploadRejected) -> JSONResponse:
        return _error(exc.status, str(exc))

    @app.exception_handler(HTTPException)
    async def http(_request: Request, exc: HTTPException) -> JSONResponse:
        return _error(exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return _error(400, "; ".join(str(e.get("msg", e)) for e in exc.errors()) or "bad request")


def _page(name: str) -> FileResponse:
    return FileResponse(STATIC / PAGES[name], media_type="text/html; charset=utf-8",
                        headers={"cache-control": "no-store"})


class _Sets:
    """A client's set by its id (the video's sha256): stored in the history, or an upload the server still
    knows (queued, running, or failed with its reason). Only ever found under its own client."""

    def __init__(self, jobs: JobQueue, history: ServerHistory) -> None:
        self.jobs, self.history = jobs, history

    async def document(self, client: str, set_id: str) -> dict[str, Any]:
        """What the report page shows: the upload while it is in the works, then the stored set (404 when
        the client has no such set)."""
        client, job, stored = await self._find(client, set_id)
        if job is not None and (not job.over or stored is None):
            return job.public(self.jobs.ahead(job.id))
        assert stored is not None
        trend = build_trends(client, [stored]).sets[0]
        return set_document(client, stored, trend, self.history.served_folder(stored))

    async def folder(self, client: str, set_id: str) -> Path:
        """The folder the set's files are served from: the stored set's, when it is in the server's own
        folders, else a failed upload's (a refused view keeps the report that says why); 404 otherwise."""
        _client, job, stored = await self._find(client, set_id)
        if stored is not None:
            folder = self.history.served_folder(stored)
        else:
            folder = self.jobs.folder(job.id) if job is not None and job.files else None
        if folder is None:
            raise HTTPException(404, "this set's files are not kept on this server")
        return folder

    async def _find(self, client: str, set_id: str) -> tuple[str, Job | None, StoredSet | None]:
        """The client's name as stored, their latest upload of the video and its stored set."""
        client = check_client(client)
        if not SET_ID.match(set_id):
            raise HTTPException(404, "no such set for this client")
        stored = await self.history.find(client, set_id)
        job = self.jobs.latest(client, set_id)
        if stored is None and job is None:
            raise HTTPException(404, "no such set for this client")
        return client, job, stored


def _pages(app: FastAPI, settings: ServeSettings, sets: _Sets) -> None:
    @app.get("/", include_in_schema=False)
    async def upload_page() -> FileResponse:
        return _page("upload")

    @app.get("/live", include_in_schema=False)
    async def live_page() -> FileResponse:
        return _page("live")

    @app.get("/clients/{client}", include_in_schema=False)
    async def client_page(client: str) -> FileResponse:
        check_client(client)
        return _page("client")

    @app.get("/clients/{client}/sets/{set_id}", include_in_schema=False)
    async def set_page(client: str, set_id: str) -> FileResponse:
        await sets.document(client, set_id)  # 404 unless the client has this set
        return _page("report")

    @app.get("/login", include_in_schema=False)
    async def login_page() -> FileResponse:
        return _page("login")

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await request.form()
        given = str(form.get("token", ""))
        if settings.token is None:
            return RedirectResponse("/", status_code=303)
        if not hmac.compare_digest(given.encode(), settings.token.encode()):
            return RedirectResponse("/login?wrong=1", status_code=303)
        response = RedirectResponse("/", status_code=303)
        response.set_cookie(COOKIE, session_value(settings.token), httponly=True, samesite="strict", path="/")
        return response


def _jobs_api(app: FastAPI, jobs: JobQueue, history: ServerHistory, settings: ServeSettings) -> None:
    @app.post("/api/jobs", status_code=202)
    async def create_job(request: Request) -> JSONResponse:
        job_id = new_job_id()
        part = settings.uploads_dir / f"{job_id}.part"
        received = await receive_upload(request.headers.get("content-type", ""),
                                        request.headers.get("content-length"), request.stream(), part,
                                        settings.max_upload_bytes)
        try:
            suffix = sniff_video(part)
            await run_in_threadpool(check_video, part)
            same = await _same_set(jobs, history, received)
            if same is not None:  # this client's video is already stored or on its way: stored once
                part.unlink()
                return JSONResponse(_created(same), status_code=202)
            folder = jobs.folder(job_id)
            folder.mkdir(parents=True)
            video = folder / f"upload{suffix}"
            part.replace(video)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        job = Job(job_id, received.client, time.time(), received.size, received.sha256, name=received.name)
        await jobs.submit(job, video)
        return JSONResponse(_created(job), status_code=202)

    @app.get("/api/jobs/{job_id}")
    async def job_status(job_id: str) -> JSONResponse:
        job = jobs.get(job_id)
        if job is None:
            raise HTTPException(404, "no such job")
        status = job.error_status if job.status == "failed" and job.error_status else 200
        return JSONResponse(job.public(jobs.ahead(job_id)), status_code=status)

    @app.get("/api/jobs/{job_id}/events")
    async def job_events(job_id: str) -> StreamingResponse:
        if jobs.get(job_id) is None:
            raise HTTPException(404, "no such job")
        return StreamingResponse(_events(jobs, job_id), media_type="text/event-stream",
                                 headers={"cache-control": "no-store", "x-accel-buffering": "no"})


def _created(job: Job) -> dict[str, Any]:
    return {"job": job.id, "status": job.status, "links": job.links()}


async def _same_set(jobs: JobQueue, history: ServerHistory, received: ReceivedUpload) -> Job | None:
    """The job to answer with when the client already has this video: the upload of it still in the works,
    or, when its set is stored and judged as this server judges (batch's "already done"), a job that is
    done at once. None: analyse it."""
    stored = await history.done(received.client, received.sha256)
    running = jobs.in_flight(received.client, received.sha256)  # no await from here to the caller's submit
    if running is not None or stored is None:
        return running
    folder = history.served_folder(stored)
    now = time.time()
    job = Job(new_job_id(), received.client, now, received.size, received.sha256,
              name=received.name or stored.record.video_name, status="done", stage="already analysed",
              files=tuple(n for n in SET_FILES if folder is not None and (folder / n).is_file()),
              summary=summary(stored), finished=now)
    await jobs.add_finished(job)
    return job


def _clients_api(app: FastAPI, sets: _Sets, pack: RulePack) -> None:
    jobs, history = sets.jobs, sets.history
    plots = TrendPlots(DEFAULT_BANDS, tempo_limits(pack))

    @app.get("/api/clients")
    async def clients() -> dict[str, Any]:
        names = {*await history.clients(), *jobs.clients()}
        return {"clients": sorted(names, key=str.casefold)}

    @app.get("/api/clients/{client}/sets")
    async def client_sets(client: str) -> dict[str, Any]:
        client = check_client(client)
        stored = await history.sets(client)
        trends = build_trends(client, stored)
        docs = [set_document(client, s, t, history.served_folder(s))
                for s, t in zip(stored, trends.sets, strict=True)]
        base = f"/api/clients/{quote(client, safe='')}/trends"
        return {"client": client, "sets": docs[::-1],
                "unfinished": [job.public(jobs.ahead(job.id)) for job in jobs.unfinished(client)],
                "trends": {name: f"{base}/{name}" for name in TREND_FILES} if stored else None}

    @app.get("/api/clients/{client}/sets/{set_id}")
    async def client_set(client: str, set_id: str) -> dict[str, Any]:
        return await sets.document(client, set_id)

    @app.get("/api/clients/{client}/trends/{name}")
    async def client_trends(client: str, name: str) -> Response:
        client = check_client(client)
        if name not in TREND_FILES:
            raise HTTPException(404, f"no trends file {name!r}")
        stored = await history.sets(client)
        if not stored:
            raise HTTPException(404, "no sets for this client yet")
        headers = {"cache-control": "no-store"}
        if name == TRENDS_CSV:
            headers["content-disposition"] = f'attachment; filename="{client_dirname(client)}-trends.csv"'
            return Response(trends_csv(build_trends(client, stored), stored, client),
                            media_type=TREND_FILES[name], headers=headers)
        png = await run_in_threadpool(plots.png, client, stored, name)
        return Response(png, media_type=TREND_FILES[name], headers=headers)


async def _events(jobs: JobQueue, job_id: str) -> AsyncIterator[str]:
    """Server-sent events: `progress` on every change, then one `done` or `failed`, then the end."""
    version = -1
    while True:
        job = await jobs.wait_change(job_id, version, SSE_KEEPALIVE_S)
        if job is None:
            return
        if job.version == version:
            yield ": keep-alive\n\n"
            continue
        version = job.version
        event = job.status if job.over else "progress"
        yield f"event: {event}\ndata: {json.dumps(job.public(jobs.ahead(job_id)))}\n\n"
        if job.over:
            return


def _set_files(app: FastAPI, sets: _Sets) -> None:
    @app.get("/clients/{client}/sets/{set_id}/files/{name}")
    async def set_file(client: str, set_id: str, name: str) -> FileResponse:
        folder = await sets.folder(client, set_id)
        if name not in SET_FILES or not (folder / name).is_file():
            raise HTTPException(404, f"no file {name!r} in this set")
        headers = {"content-security-policy": REPORT_CSP} if name == "report.html" else {}
        if name in ("report.json", "angles.csv"):
            headers["content-disposition"] = f'attachment; filename="{set_id[:12]}-{name}"'
        return FileResponse(folder / name, media_type=SET_FILES[name], headers=headers)


def _live(app: FastAPI, pack: RulePack) -> None:
    @app.websocket("/api/live")
    async def live(ws: WebSocket) -> None:
        await ws.accept()
        feed = LiveFeed(pack)
        try:
            while True:
                text = await ws.receive_text()
                started = time.perf_counter()
                if len(text) > MAX_WS_MESSAGE:
                    await ws.send_json({"error": f"message too long ({len(text)} bytes)"})
                    continue
                try:
                    answer = await run_in_threadpool(feed.update, json.loads(text))
                except (ValueError, BadMessage) as exc:
                    await ws.send_json({"error": str(exc)})
                    continue
                answer["server_ms"] = round((time.perf_counter() - started) * 1000.0, 2)
                await ws.send_text(json.dumps(answer))
        except WebSocketDisconnect:
            return


def _assets(app: FastAPI, model: Path, tasks_vision: Path | None) -> None:
    """The pose model and the pinned runtime files, each by a fixed name; long-cached (they are pinned)."""
    cache = {"cache-control": "public, max-age=86400"}
    types = {".mjs": "text/javascript", ".js": "text/javascript", ".wasm": "application/wasm"}

    @app.get("/assets/pose_landmarker.task")
    async def pose_model() -> FileResponse:
        return FileResponse(model, media_type="application/octet-stream", headers=cache)

    @app.get("/assets/tasks-vision/{name:path}")
    async def runtime(name: str) -> FileResponse:
        if tasks_vision is None:
            raise HTTPException(503, f"{TASKS_VISION.spec} is not provisioned on this server; restart "
                                     "`formcheck serve` where npm can reach the registry once")
        if name not in TASKS_VISION.files:
            raise HTTPException(404, "no such asset")
        return FileResponse(tasks_vision / name, media_type=types[Path(name).suffix], headers=cache)
