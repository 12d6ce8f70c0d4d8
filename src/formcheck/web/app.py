"""The FastAPI app behind `formcheck serve`: pages, the jobs API, set files, the live WebSocket, assets.

Routes (docs/web.md documents them):
- pages: `/` upload, `/live`, `/clients/{name}`, `/clients/{name}/sets/{job}` (report), `/login`;
- API: `POST /api/jobs`, `GET /api/jobs/{id}`, `GET /api/jobs/{id}/events` (SSE), `GET /api/clients`,
  `GET /api/clients/{name}/sets`, `WS /api/live`;
- files: `/clients/{name}/sets/{job}/files/{file}` (a fixed list of names), `/assets/...` (the pose model
  and the pinned tasks-vision files), `/static/...` (the pages' own JS and CSS).
No URL is ever joined onto a path: set folders are named by server-made ids, file names come from fixed
lists, and a set is found only under the client it belongs to.
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

from fastapi import FastAPI, Request, WebSocket, WebSocketDisconnect
from fastapi.exceptions import RequestValidationError
from fastapi.responses import FileResponse, JSONResponse, RedirectResponse, Response, StreamingResponse
from fastapi.staticfiles import StaticFiles
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException

from formcheck.web.assets import TASKS_VISION
from formcheck.web.jobs import SET_FILES, Job, JobQueue, new_job_id
from formcheck.web.live_engine import BadMessage, LiveFeed, rule_pack
from formcheck.web.security import COOKIE, REPORT_CSP, SecurityMiddleware, host_names, session_value
from formcheck.web.settings import ServeSettings
from formcheck.web.uploads import UploadRejected, check_client, check_video, receive_upload, sniff_video

STATIC = Path(__file__).parent / "static"
PAGES = {"upload": "index.html", "live": "live.html", "client": "client.html", "report": "set.html",
         "login": "login.html"}
SSE_KEEPALIVE_S = 15.0
MAX_WS_MESSAGE = 64 * 1024  # one frame of landmarks is ~5 KB of JSON


def create_app(settings: ServeSettings, *, model: Path, tasks_vision: Path | None) -> FastAPI:
    """The app for `settings`; `model` is the verified pose model, `tasks_vision` the provisioned
    runtime's folder (None: the live page says it is missing)."""
    jobs = JobQueue(settings, model)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        settings.uploads_dir.mkdir(parents=True, exist_ok=True)
        await jobs.start()
        jobs.sweep()
        sweeper = asyncio.create_task(_sweep_forever(jobs, settings.sweep_every_s))
        try:
            yield
        finally:
            sweeper.cancel()
            await jobs.stop()

    app = FastAPI(title="formcheck", lifespan=lifespan, docs_url=None, redoc_url=None, openapi_url=None)
    app.state.jobs = jobs
    app.state.settings = settings
    app.add_middleware(SecurityMiddleware, token=settings.token,
                       hosts=host_names(settings.host, settings.port))
    _error_handlers(app)
    _pages(app, settings)
    _jobs_api(app, jobs, settings)
    _set_files(app, jobs)
    _live(app, settings)
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


def _job_of(jobs: JobQueue, client: str, job_id: str) -> Job:
    """The job only when it belongs to `client`: another client's set is as absent as a made-up one."""
    job = jobs.get(job_id)
    if job is None or job.client != client:
        raise HTTPException(404, "no such set for this client")
    return job


def _pages(app: FastAPI, settings: ServeSettings) -> None:
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

    @app.get("/clients/{client}/sets/{job_id}", include_in_schema=False)
    async def set_page(client: str, job_id: str, request: Request) -> FileResponse:
        _job_of(request.app.state.jobs, client, job_id)
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


def _jobs_api(app: FastAPI, jobs: JobQueue, settings: ServeSettings) -> None:
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
            folder = jobs.folder(job_id)
            folder.mkdir(parents=True)
            video = folder / f"upload{suffix}"
            part.replace(video)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        job = Job(job_id, received.client, time.time(), received.size, received.sha256)
        await jobs.submit(job, video)
        return JSONResponse({"job": job_id, "status": "queued", "links": job.links()}, status_code=202)

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

    @app.get("/api/clients")
    async def clients() -> dict[str, Any]:
        return {"clients": jobs.clients()}

    @app.get("/api/clients/{client}/sets")
    async def client_sets(client: str) -> dict[str, Any]:
        client = check_client(client)
        sets = [{**job.public(), "created": job.created, "finished": job.finished}
                for job in jobs.of_client(client)]
        return {"client": client, "sets": sets}


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


def _set_files(app: FastAPI, jobs: JobQueue) -> None:
    @app.get("/clients/{client}/sets/{job_id}/files/{name}")
    async def set_file(client: str, job_id: str, name: str) -> FileResponse:
        job = _job_of(jobs, client, job_id)
        if name not in SET_FILES or name not in job.files:
            raise HTTPException(404, f"no file {name!r} in this set")
        headers = {"content-security-policy": REPORT_CSP} if name == "report.html" else {}
        if name in ("report.json", "angles.csv"):
            headers["content-disposition"] = f'attachment; filename="{job_id}-{name}"'
        return FileResponse(jobs.folder(job_id) / name, media_type=SET_FILES[name], headers=headers)


def _live(app: FastAPI, settings: ServeSettings) -> None:
    pack = rule_pack(settings.rules)

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
