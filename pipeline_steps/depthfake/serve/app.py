"""The service's HTTP side (FastAPI): its pages, the JSON API (documented at /docs), access
checks on every request, and each refusal as a status with a reason (`{"detail": ...}`)."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from urllib.parse import parse_qs

from fastapi import FastAPI, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.openapi.docs import get_swagger_ui_html
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field
from swagger_ui_bundle import swagger_ui_path

from depthfake.serve.access import LOGOUT, SESSION_COOKIE, Access
from depthfake.serve.errors import Refused
from depthfake.serve.pages import PAGE_POLICY, RESULT_POLICY, SCRIPT, login_page, upload_page
from depthfake.serve.service import Service
from depthfake.serve.store import new_job_id
from depthfake.serve.uploads import checked_name, decode_problem, receive, stored_name

# The files of a result a client may fetch, with their types.
RESULT_FILES = {"page.html": "text/html", "frames.csv": "text/csv",
                "frames.json": "application/json"}
SWAGGER_STATIC = "/static/swagger-ui"
RAW_VIDEO_BODY = {"requestBody": {"required": True, "content": {
    "application/octet-stream": {"schema": {"type": "string", "format": "binary"}}}}}


class FolderJobs(BaseModel):
    """Files of the service's videos folder to score."""

    files: list[str] = Field(description="file names, as GET /api/folder lists them")
    bundle: str | None = Field(None, description="a bundle key (optional with one bundle)")


def refusal(error: Refused) -> JSONResponse:
    """A refusal as JSON, with the headers its status calls for."""
    headers = {401: {"WWW-Authenticate": "Bearer"}, 503: {"Retry-After": "30"},
               # An upload refused mid-way: close the connection rather than read the rest.
               413: {"Connection": "close"}}.get(error.status, {})
    return JSONResponse({"detail": error.reason}, status_code=error.status, headers=headers)


async def small_body(request: Request, limit: int = 4096) -> bytes:
    """The body of a request that carries a few fields (a login), refused past `limit`."""
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise Refused(413, f"this request's body may hold at most {limit} bytes")
    return body


def set_session_cookie(request: Request, response: Response, session: str) -> None:
    """The session cookie: HttpOnly, SameSite=Strict, and Secure when served over HTTPS
    (behind a TLS proxy)."""
    response.set_cookie(SESSION_COOKIE, session, httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")


def html_response(text: str, policy: str = PAGE_POLICY, status: int = 200) -> HTMLResponse:
    return HTMLResponse(text, status_code=status, headers={
        "Content-Security-Policy": policy, "X-Content-Type-Options": "nosniff"})


def create_app(service: Service, access: Access) -> FastAPI:
    """The web app of `service` (started and stopped with the app's lifespan)."""

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        service.start()
        try:
            yield
        finally:
            service.stop()

    app = FastAPI(title="depthfake", lifespan=lifespan, docs_url=None, redoc_url=None,
                  description="Score videos with RGB-D deepfake detectors (model bundles).")
    # The API's page from Swagger UI's files on this machine, not a CDN: it works offline.
    app.mount(SWAGGER_STATIC, StaticFiles(directory=swagger_ui_path), name="swagger-ui")

    @app.get("/docs", include_in_schema=False)
    def api_page() -> HTMLResponse:
        return get_swagger_ui_html(
            openapi_url=app.openapi_url, title="depthfake API",
            swagger_js_url=f"{SWAGGER_STATIC}/swagger-ui-bundle.js",
            swagger_css_url=f"{SWAGGER_STATIC}/swagger-ui.css",
            swagger_favicon_url=f"{SWAGGER_STATIC}/favicon-32x32.png")

    @app.middleware("http")
    async def checked_access(request: Request, call_next):
        try:
            access.check(request)
        except Refused as refused:
            if refused.status == 401 and request.method == "GET" and \
                    not request.url.path.startswith("/api/"):
                return RedirectResponse("/login", status_code=303)
            return refusal(refused)
        return await call_next(request)

    @app.exception_handler(Refused)
    async def refused(request: Request, error: Refused) -> JSONResponse:
        return refusal(error)

    # Pages.
    @app.get("/", include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return html_response(upload_page(access.csrf_of(request)))

    @app.get("/app.js", include_in_schema=False)
    def script() -> Response:
        return Response(SCRIPT, media_type="text/javascript",
                        headers={"X-Content-Type-Options": "nosniff"})

    @app.get("/login", include_in_schema=False)
    def login_form(request: Request, token: str | None = None) -> Response:
        return html_response(login_page()) if token is None else logged_in(request, token)

    @app.post("/login", include_in_schema=False)
    async def login_submitted(request: Request) -> Response:
        fields = parse_qs((await small_body(request)).decode(errors="replace"))
        return logged_in(request, fields.get("token", [""])[0])

    def logged_in(request: Request, token: str) -> Response:
        try:
            session, _ = access.new_session(token)
        except Refused:
            return html_response(login_page(refused=True), status=403)
        response = RedirectResponse("/", status_code=303)
        set_session_cookie(request, response, session)
        return response

    @app.post(LOGOUT, include_in_schema=False)
    def logout(request: Request) -> Response:
        access.end_session(request)
        response = RedirectResponse("/login", status_code=303)
        response.delete_cookie(SESSION_COOKIE)
        return response

    @app.get("/jobs/{job_id}/{file}", include_in_schema=False)
    def result_file(job_id: str, file: str) -> Response:
        if file not in RESULT_FILES:
            raise Refused(404, f"a result has no file {file!r}")
        return FileResponse(service.result_file(job_id, file), media_type=RESULT_FILES[file],
                            headers={"Content-Security-Policy": RESULT_POLICY,
                                     "X-Content-Type-Options": "nosniff"})

    # The API.
    @app.post("/api/session", summary="exchange the token for a session cookie")
    async def session(request: Request) -> JSONResponse:
        try:
            token = json.loads(await small_body(request))["token"]
        except (ValueError, KeyError, TypeError):
            raise Refused(400, 'send {"token": "..."} as JSON') from None
        session_id, csrf = access.new_session(str(token))
        response = JSONResponse({"csrf_token": csrf})
        set_session_cookie(request, response, session_id)
        return response

    @app.get("/api/service", summary="the service's workers (and how many have loaded their "
             "bundles), queue and upload limit")
    def about() -> dict:
        settings = service.settings
        return {"workers": settings.workers, "ready_workers": service.pool.ready_count(),
                "max_queue": settings.max_queue,
                "waiting": service.store.waiting(),
                "max_upload_bytes": settings.max_upload_bytes}

    @app.get("/api/bundles", summary="the bundles this service scores with")
    def bundles() -> list[dict]:
        return [bundle.public() for bundle in service.bundles.values()]

    @app.get("/api/folder", summary="the videos of the service's folder, by name")
    def folder() -> list[str]:
        return list(service.folder_videos())

    @app.get("/api/jobs", summary="every job, newest first")
    def jobs() -> list[dict]:
        return [job.public() for job in service.store.jobs()]

    @app.post("/api/jobs", status_code=201, openapi_extra=RAW_VIDEO_BODY,
              summary="upload one video (the request body) and queue it")
    async def upload(request: Request, name: str = Query(description="the video's file name"),
                     bundle: str | None = Query(None, description="a bundle key")) -> dict:
        key = service.bundle_key(bundle)
        shown = checked_name(name)
        await run_in_threadpool(service.check_room)
        job_id = new_job_id()
        declared = request.headers.get("content-length")
        path = await receive(request.stream(), folder=service.uploads,
                             name=stored_name(job_id, shown),
                             limit=service.settings.max_upload_bytes,
                             declared=int(declared) if declared and declared.isdigit() else None)
        problem = await run_in_threadpool(decode_problem, path)
        if problem:
            path.unlink(missing_ok=True)
            raise Refused(415, f"{shown} is not a decodable video: {problem}")
        job = await run_in_threadpool(lambda: service.queue_upload(
            job_id=job_id, name=shown, bundle=key, video=path))
        return job.public()

    @app.post("/api/jobs/folder", status_code=201,
              summary="queue files of the service's videos folder")
    def folder_jobs(request: FolderJobs) -> list[dict]:
        key = service.bundle_key(request.bundle)
        return [job.public() for job in service.queue_folder_files(names=request.files,
                                                                   bundle=key)]

    @app.get("/api/jobs/{job_id}", summary="one job")
    def job(job_id: str) -> dict:
        return service.job(job_id).public()

    @app.get("/api/jobs/{job_id}/frames", summary="a finished job's record (frames.json)")
    def frames(job_id: str) -> Response:
        return FileResponse(service.result_file(job_id, "frames.json"),
                            media_type="application/json")

    @app.post("/api/jobs/{job_id}/cancel", summary="cancel a queued or running job")
    def cancel(job_id: str) -> dict:
        return service.cancel(job_id).public()

    @app.post("/api/jobs/{job_id}/rerun", summary="queue a finished job again")
    def rerun(job_id: str) -> dict:
        return service.rerun(job_id).public()

    @app.delete("/api/jobs/{job_id}", summary="remove a job and its files")
    def delete(job_id: str) -> dict:
        return service.delete(job_id).public()

    return app
