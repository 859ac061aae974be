"""`depthfake serve`: uploads scored as `depthfake detect` scores them, bad input refused with a
clear answer and nothing left behind, a bounded queue, cancel, rerun and delete, retention,
access off loopback, a worker's crash and the service's SIGKILL, and a browser's visit."""

from __future__ import annotations

import html
import json
import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient

from depthfake.datasets.video import write_h264
from depthfake.detect.batch import detect_videos
from depthfake.serve.access import Access, host_name
from depthfake.serve.app import create_app
from depthfake.serve.browser_tour import tour
from depthfake.serve.process import running_service, start_service, stop_service
from depthfake.serve.service import Service
from depthfake.serve.store import FINISHED, JobStore
from depthfake.settings import DetectSettings, FrameSettings
from depthfake.settings.serve import ServeSettings
from depthfake.storage.files import file_sha256
from depthfake.synthetic.bundle import write_random_bundle
from depthfake.synthetic.videos import face_frames

from conftest import REPO, require_browser

HOSTILE = "<img src=x onerror=alert(1)>.mp4"
LIMIT_MB = 4


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    return write_random_bundle(tmp_path_factory.mktemp("bundle") / "mdn", crop_size=48,
                               frames=FrameSettings(per_video=4))


@pytest.fixture(scope="module")
def videos(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("videos")
    made = {}
    for name, frames, seed in (("face", 6, 0), ("other", 6, 1), ("long", 400, 2)):
        made[name] = folder / f"{name}.mp4"
        write_h264(made[name], face_frames(frames, 256, 256, seed=seed), fps=25, crf=18)
    made["truncated"] = folder / "truncated.mp4"
    made["truncated"].write_bytes(made["long"].read_bytes()[:40_000])
    made["text"] = folder / "notes.mp4"
    made["text"].write_text("not a video\n" * 100)
    return made


@pytest.fixture(scope="module")
def service(bundle, videos, tmp_path_factory):
    """A service with two workers, a 4 MiB upload limit and a videos folder."""
    state = tmp_path_factory.mktemp("serve") / "state"
    with running_service([bundle], state, "--workers", "2", "--threads", "1", "--max-upload-mb",
                         str(LIMIT_MB), "--videos", str(videos["face"].parent),
                         "--frames", "200") as running, \
            httpx.Client(base_url=running.url, timeout=60) as client:
        yield client, state


def upload(client: httpx.Client, path: Path, name: str | None = None, **params
           ) -> httpx.Response:
    return client.post("/api/jobs", params={"name": name or path.name, **params},
                       content=path.read_bytes())


def wait(client: httpx.Client, job_id: str, until=FINISHED, timeout: float = 180) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] in until:
            return job
        time.sleep(0.05)
    raise TimeoutError(f"job {job_id} still {job['state']} after {timeout} s")


def running_past_decoding(client: httpx.Client, job_id: str) -> dict:
    """Wait until the job runs beyond its first stage (its worker has it in hand)."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["state"] == "running" and job["stage"] != "decoding":
            return job
        assert job["state"] in ("queued", "running"), job
        time.sleep(0.02)
    raise TimeoutError(job)


def worker_of(state: Path, job_id: str) -> int:
    return JobStore(state / "jobs.sqlite").get(job_id).worker


def pid_gone(pid: int, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def files_under(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_uploads_end_with_the_scores_detect_gives_and_names_stay_text(service, videos, bundle,
                                                                      tmp_path):
    client, state = service
    jobs = [upload(client, videos["face"]), upload(client, videos["other"], name=HOSTILE)]
    assert [r.status_code for r in jobs] == [201, 201], [r.text for r in jobs]
    done = [wait(client, r.json()["id"]) for r in jobs]
    sequential = detect_videos([videos["face"], videos["other"]], bundle=str(bundle),
                               settings=DetectSettings(frames=200), out=tmp_path)
    for job, expected in zip(done, sequential, strict=True):
        assert job["state"] == "done" and job["outcome"] == "scored"
        assert job["verdict"] == expected.verdict
        assert job["score"] == pytest.approx(expected.score, abs=1e-5)
    page = client.get(done[1]["result"])
    assert page.status_code == 200 and "script-src" not in page.headers["content-security-policy"]
    assert HOSTILE not in page.text and html.escape(HOSTILE) in page.text
    record = client.get(f"/api/jobs/{done[1]['id']}/frames").json()
    assert record["name"] == record["video"] == HOSTILE  # not the stored file's path
    assert len(record["frames"]) == 6
    assert {f"{job['id']}.mp4" for job in done} <= {p.name for p in (state / "uploads").iterdir()}


def test_files_of_the_folder_are_scored_in_place_and_kept(service, videos):
    client, _ = service
    assert set(client.get("/api/folder").json()) >= {"face.mp4", "long.mp4"}
    queued = client.post("/api/jobs/folder", json={"files": ["face.mp4"]})
    assert queued.status_code == 201, queued.text
    job = wait(client, queued.json()[0]["id"])
    assert job["state"] == "done" and job["verdict"] in ("fake", "real")
    assert client.delete(f"/api/jobs/{job['id']}").status_code == 200
    assert videos["face"].is_file()  # the service never deletes the folder's files
    refused = client.post("/api/jobs/folder", json={"files": ["../face.mp4", "missing.mp4"]})
    assert refused.status_code == 400 and "missing.mp4" in refused.json()["detail"]


@pytest.mark.parametrize(("case", "status", "reason"), [
    ("text", 415, "not a decodable video"),
    ("empty", 400, "empty"),
    ("path", 400, "is a path"),
    ("backslash", 400, "is a path"),
    ("control", 400, "control characters"),
    ("no name", 422, "name"),
    ("unknown bundle", 400, "no bundle"),
])
def test_bad_uploads_get_a_clear_answer_and_leave_nothing(service, videos, tmp_path, case,
                                                          status, reason):
    client, state = service
    before = files_under(state / "uploads")
    (tmp_path / "empty.mp4").write_bytes(b"")
    response = {
        "text": lambda: upload(client, videos["text"]),
        "empty": lambda: upload(client, tmp_path / "empty.mp4"),
        "path": lambda: upload(client, videos["face"], name="../../escape.mp4"),
        "backslash": lambda: upload(client, videos["face"], name="..\\escape.mp4"),
        "control": lambda: upload(client, videos["face"], name="a\x00b.mp4"),
        "no name": lambda: client.post("/api/jobs", content=videos["face"].read_bytes()),
        "unknown bundle": lambda: upload(client, videos["face"], bundle="nope"),
    }[case]()
    assert response.status_code == status, response.text
    assert reason in json.dumps(response.json()["detail"])
    assert files_under(state / "uploads") == before
    assert not (state.parent / "escape.mp4").exists()


def test_a_truncated_video_is_a_job_that_says_why_it_was_not_scored(service, videos):
    client, _ = service
    response = upload(client, videos["truncated"])
    if response.status_code == 415:  # refused at once: its first frame did not decode
        assert "not a decodable video" in response.json()["detail"]
        return
    job = wait(client, response.json()["id"])
    assert job["state"] == "done" and job["outcome"] == "not scored"
    assert job["reason"].startswith("unreadable")


def raw_upload(client: httpx.Client, headers: str, body_chunks: int) -> tuple[str, int]:
    """Send a POST's `headers`, then up to `body_chunks` chunks of 64 KiB (chunked encoding)
    until the service answers or stops reading; its answer and the bytes sent."""
    host, port = client.base_url.host, client.base_url.port
    chunk, sent = b"\0" * 2**16, 0
    with socket.create_connection((host, port)) as sock:
        sock.sendall(f"POST /api/jobs?name=big.mp4 HTTP/1.1\r\nHost: {host}:{port}\r\n"
                     f"{headers}\r\n".encode())
        sock.settimeout(2)
        try:
            for _ in range(body_chunks):
                sock.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n")
                sent += len(chunk)
        except (TimeoutError, BrokenPipeError, ConnectionResetError):
            pass
        sock.settimeout(10)
        answer = b""
        try:
            while part := sock.recv(65536):  # the service closes the connection after it
                answer += part
        except ConnectionResetError:  # the unread rest of the body: what came is kept
            pass
        return answer.decode(errors="replace"), sent


def test_an_upload_past_the_limit_is_refused_before_it_is_all_read(service):
    client, state = service
    declared = f"Content-Length: {8 * LIMIT_MB * 2**20}\r\n"
    answer, _ = raw_upload(client, declared, body_chunks=0)  # no byte of the body sent
    assert answer.startswith("HTTP/1.1 413") and "takes at most" in answer, answer[:300]
    answer, sent = raw_upload(client, "Transfer-Encoding: chunked\r\n", body_chunks=1024)
    assert answer.startswith("HTTP/1.1 413") and "the rest was not read" in answer
    assert sent < 24 * 2**20, sent  # of 64 MiB: the limit (4 MiB) and what sockets buffered
    assert not [p for p in (state / "uploads").iterdir() if p.name.endswith(".part")]


def test_cancel_rerun_and_delete(service, videos):
    client, state = service
    long = upload(client, videos["long"]).json()
    running_past_decoding(client, long["id"])
    assert client.post(f"/api/jobs/{long['id']}/cancel").status_code == 200
    cancelled = wait(client, long["id"])
    assert cancelled["state"] == "cancelled" and cancelled["result"] is None
    assert not (state / "results" / long["id"]).exists()
    assert client.post(f"/api/jobs/{long['id']}/cancel").status_code == 409  # ended already
    assert client.post(f"/api/jobs/{long['id']}/rerun").json()["state"] == "queued"
    assert client.delete(f"/api/jobs/{long['id']}").status_code == 200
    face = wait(client, upload(client, videos["face"]).json()["id"])
    assert (state / "results" / face["id"] / "page.html").is_file()
    assert client.delete(f"/api/jobs/{face['id']}").json()["id"] == face["id"]
    assert not (state / "results" / face["id"]).exists()
    assert not (state / "uploads" / f"{face['id']}.mp4").exists()
    assert client.get(f"/api/jobs/{face['id']}").status_code == 404
    assert client.get(face["result"]).status_code == 404
    assert not (state / "uploads" / f"{long['id']}.mp4").exists()


def test_a_crashed_worker_fails_its_job_and_another_takes_its_place(service, videos):
    client, state = service
    long = upload(client, videos["long"]).json()
    running_past_decoding(client, long["id"])
    os.kill(worker_of(state, long["id"]), signal.SIGKILL)
    failed = wait(client, long["id"])
    assert failed["state"] == "failed" and "exit code -9" in failed["reason"]
    assert wait(client, upload(client, videos["face"]).json()["id"])["state"] == "done"


def test_malformed_requests_and_foreign_hosts_get_clear_answers(service):
    client, _ = service
    assert client.post("/api/jobs/folder", content=b"{not json",
                       headers={"Content-Type": "application/json"}).status_code == 422
    assert client.get("/api/jobs/nope").json() == {"detail": "no job 'nope'"}
    assert client.get("/jobs/nope/..%2F..%2Fjobs.sqlite").status_code == 404
    assert client.get("/jobs/nope/page.html").json() == {"detail": "no job 'nope'"}
    refused = client.post("/api/session", content=b"x" * 5000)
    assert refused.status_code == 413  # a login's body is small, and read no further
    assert client.get("/api/jobs", headers={"X-Forwarded-For": "203.0.113.9"}
                      ).status_code == 403  # no token: a proxied request is refused
    rebound = client.get("/api/jobs", headers={"Host": "attacker.example"})
    assert rebound.status_code == 421
    forged = client.post("/api/jobs?name=a.mp4", content=b"x",
                         headers={"Origin": "http://attacker.example"})
    assert forged.status_code == 403
    assert client.post("/api/jobs?name=a.mp4", content=b"x",
                       headers={"Sec-Fetch-Site": "cross-site"}).status_code == 403
    assert client.get("/openapi.json").json()["paths"]["/api/jobs"]["post"]["requestBody"]


def test_the_api_page_needs_no_network(service):
    client, _ = service
    page = client.get("/docs").text
    assert "/static/swagger-ui/swagger-ui-bundle.js" in page and "cdn" not in page.lower()
    script = client.get("/static/swagger-ui/swagger-ui-bundle.js")
    assert script.status_code == 200 and len(script.content) > 100_000
    assert client.get("/openapi.json").json()["info"]["title"] == "depthfake"


def test_a_killed_service_leaves_no_worker_and_its_restart_marks_the_job(bundle, videos,
                                                                           tmp_path):
    state = tmp_path / "state"
    first = start_service([bundle], state, "--frames", "400")
    try:
        with httpx.Client(base_url=first.url, timeout=60) as client:
            job = upload(client, videos["long"]).json()
            running_past_decoding(client, job["id"])
        worker = worker_of(state, job["id"])
        first.process.send_signal(signal.SIGKILL)
        first.process.wait(30)
        assert pid_gone(worker), "the worker outlived the service"
    finally:
        stop_service(first)
    written = {p: p.stat().st_mtime_ns for p in state.rglob("*") if p.is_file()}
    time.sleep(1)
    assert {p: p.stat().st_mtime_ns for p in state.rglob("*") if p.is_file()} == written
    assert not (state / "results" / job["id"]).exists()
    with running_service([bundle], state) as again, \
            httpx.Client(base_url=again.url, timeout=60) as client:
        interrupted = client.get(f"/api/jobs/{job['id']}").json()
        assert interrupted["state"] == "interrupted" and interrupted["result"] is None
        assert "stopped" in interrupted["reason"]
        assert list((state / "results").glob("*")) == []  # nor a partial one
        assert client.post(f"/api/jobs/{job['id']}/rerun").status_code == 200
        assert wait(client, job["id"])["state"] == "done"


def test_a_second_service_on_the_same_folder_is_refused(service, bundle):
    _, state = service
    with pytest.raises(RuntimeError, match="another service is using"):
        start_service([bundle], state)


def test_off_loopback_the_token_guards_every_request(bundle, tmp_path):
    with running_service([bundle], tmp_path / "state", "--host", "0.0.0.0", "--token",
                         "s3cret-token") as running:
        base = running.url.replace("0.0.0.0", "127.0.0.1")
        with httpx.Client(base_url=base, timeout=30) as client:
            assert client.get("/api/jobs").status_code == 401
            assert client.get("/api/jobs", headers={"Authorization": "Bearer wrong"}
                              ).status_code == 401
            assert client.get("/api/jobs", headers={"Authorization": "Bearer s3cret-token"}
                              ).json() == []
            assert client.get("/").headers["location"] == "/login"
            assert client.get("/login", params={"token": "wrong"}).status_code == 403
            login = client.get("/login", params={"token": "s3cret-token"})
            assert login.status_code == 303
            cookie = login.headers["set-cookie"].lower()
            assert "httponly" in cookie and "samesite=strict" in cookie
            assert client.get("/api/jobs").status_code == 200  # the session cookie
            csrf = client.get("/").text.split('name="csrf-token" content="')[1].split('"')[0]
            without = client.post("/api/jobs/folder", json={"files": []})
            assert without.status_code == 403 and "X-CSRF-Token" in without.json()["detail"]
            with_csrf = client.post("/api/jobs/folder", json={"files": []},
                                    headers={"X-CSRF-Token": csrf})
            assert with_csrf.status_code == 400  # past the checks: no videos folder
            assert client.post("/logout").status_code == 303
            assert client.get("/api/jobs").status_code == 401  # the session has ended
    with running_service([bundle], tmp_path / "state", "--host", "0.0.0.0") as generated:
        assert any("login?token=" in line for line in generated.printed)


def test_a_full_queue_is_refused_at_once_and_old_jobs_expire(bundle, videos, tmp_path):
    settings = ServeSettings(state=tmp_path / "state", max_queue=2, keep_days=1)
    service = Service(settings=settings, bundles=[str(bundle)], detect=DetectSettings())
    client = TestClient(create_app(service, Access(token=None)),  # no lifespan: no workers
                        base_url="http://127.0.0.1")
    assert [upload(client, videos["face"]).status_code for _ in range(3)] == [201, 201, 503]
    full = upload(client, videos["face"]).json()["detail"]
    assert "queue is full" in full and "2 jobs wait" in full
    assert len(list((tmp_path / "state" / "uploads").iterdir())) == 2
    old = client.get("/api/jobs").json()[0]["id"]
    client.post(f"/api/jobs/{old}/cancel")
    with sqlite3.connect(tmp_path / "state" / "jobs.sqlite") as db:
        db.execute("UPDATE jobs SET finished = finished - 2 * 86400 WHERE id = ?", (old,))
    assert service.purge_expired() == 1
    assert old not in [job["id"] for job in client.get("/api/jobs").json()]
    assert len(list((tmp_path / "state" / "uploads").iterdir())) == 1


def test_host_names_without_ports():
    assert [host_name(h) for h in ("127.0.0.1:8000", "[::1]:80", "localhost", "[::1]")] == [
        "127.0.0.1", "::1", "localhost", "::1"]


def test_a_browser_uploads_two_videos_and_reads_the_verdict_detect_gives(bundle, videos,
                                                                        tmp_path):
    require_browser("visit the service")
    chosen = [videos["face"], videos["other"]]
    with running_service([bundle], tmp_path / "state", "--workers", "2") as running:
        seen = tour(running.url, chosen, upload_screenshot=tmp_path / "upload.png",
                    result_screenshot=tmp_path / "result.png")
    expected = {Path(v.path).name: v.verdict for v in detect_videos(
        chosen, bundle=str(bundle), settings=DetectSettings(), out=tmp_path / "detect")}
    assert {row["name"]: row["state"] for row in seen["jobs"]} == {
        "face.mp4": "done", "other.mp4": "done"}
    assert {row["name"]: row["verdict"].split(" ")[0] for row in seen["jobs"]} == expected
    assert seen["result"]["name"] == "face.mp4"
    assert seen["result"]["verdict"] == expected["face.mp4"]
    assert seen["result"]["images"] >= 3
    assert not seen["requests"] and not seen["page_errors"] and not seen["dialogs"]
    assert (tmp_path / "upload.png").stat().st_size > 10_000


def test_under_load_every_job_ends_as_a_sequential_run_would(tmp_path):
    """The load benchmark at CI's size (docs/benchmarks.md has the full one's figures): 8
    concurrent uploads and 80 status polls against 2 workers."""
    result = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "serve_throughput.py"), "--uploads", "8",
         "--polls", "80", "--workers", "2", "--distinct", "3", "--seconds", "1",
         "--records", str(tmp_path)], capture_output=True, text=True, timeout=600,
        cwd=tmp_path)
    assert result.returncode == 0, result.stderr[-3000:]
    record = json.loads((tmp_path / "serve.jsonl").read_text())
    assert record["matched"] == 8
    assert record["status_p95_ms"] < record["p95_target_ms"] == 200
    assert record["memory_beyond_mb"] < record["memory_target_mb"] == 1024


def test_the_screenshots_in_docs_and_their_check_were_made_together():
    """docs/serve-upload.png, docs/serve-result.png and docs/serve-check.json come from one
    browser visit (docs/serve.md's command) whose verdicts were detect's."""
    summary = json.loads((REPO / "docs" / "serve-check.json").read_text())
    assert summary["screenshots"] == {name: file_sha256(REPO / "docs" / name)
                                      for name in ("serve-upload.png", "serve-result.png")}
    assert summary["ok"] and summary["differing"] == {}
    assert {row["name"] for row in summary["jobs"]} == {"009.mp4", "009_007.mp4"}
    assert {row["state"] for row in summary["jobs"]} == {"done"}
    assert summary["result"]["verdict"] == summary["detect_verdicts"]["009.mp4"]
