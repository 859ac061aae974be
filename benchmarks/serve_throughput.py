"""The scoring service under load, on loopback: concurrent uploads and status polls against its
workers, beside the same videos scored one after another by `depthfake detect`'s library path
in the same run (today's way; the ceiling is that rate times the workers).

A few distinct face videos (H.264, a face moving over noise) are uploaded --uploads times in
all, at once, to a service started with --workers, once its workers have loaded the bundle
(how long that took is recorded apart); --polls status requests are made meanwhile, from the
first accepted upload on. Measured: the time from the first job's queueing to the last job's
end (the service's own timestamps), beside the sum of the sequential run's seconds per
video (its models loaded once before, as the workers' are); each job's verdict and score
against the sequential run's for its file; status latency (median and 95th percentile); the
web process's resident memory at its peak beyond what it held once started with its bundles
loaded. Targets: every job as the sequential run, status p95 under 200 ms, memory beyond the
bundles under 1 GB.

Usage: python benchmarks/serve_throughput.py [--uploads 20] [--polls 200] [--workers 2]
       [--distinct 4] [--seconds 2] [--size 320x240] [--bundle FOLDER]
Appends one line to docs/records/serve.jsonl (rendered into docs/benchmarks.md).
"""

from __future__ import annotations

import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import psutil

from depthfake.bundles import load_bundle
from depthfake.datasets.video import write_h264
from depthfake.detect.batch import write_video
from depthfake.detect.score import VideoScore, VideoScorer
from depthfake.plan.provenance import code_version
from depthfake.serve.process import running_service, wait_until_ready
from depthfake.serve.store import FINISHED
from depthfake.settings import DetectSettings
from depthfake.synthetic.bundle import write_random_bundle
from depthfake.synthetic.videos import face_frames

from records import add_video_options, benchmark_device, benchmark_parser, frame_size, write_record

FPS = 25
P95_TARGET_MS = 200
MEMORY_TARGET_MB = 1024
SCORE_TOLERANCE = 1e-4


class MemoryPeak(threading.Thread):
    """The peak resident memory of a process, sampled every `every` seconds until stopped."""

    def __init__(self, pid: int, every: float = 0.05):
        super().__init__(daemon=True)
        self.process, self.every = psutil.Process(pid), every
        self.peak, self.done = self.process.memory_info().rss, threading.Event()

    def run(self) -> None:
        while not self.done.wait(self.every):
            self.peak = max(self.peak, self.process.memory_info().rss)


def upload(client: httpx.Client, video: Path) -> str:
    response = client.post("/api/jobs", params={"name": video.name}, content=video.read_bytes(),
                           headers={"Content-Type": "application/octet-stream"})
    response.raise_for_status()
    return response.json()["id"]


def poll_statuses(client: httpx.Client, job_ids: list[str], polls: int, every: float,
                  latencies: list[float]) -> None:
    """Make `polls` status requests, spread over the jobs uploaded so far (`job_ids` grows
    as the uploads are accepted), adding each one's seconds to `latencies`."""
    while not job_ids:
        time.sleep(0.005)
    for number in range(polls):
        start = time.perf_counter()
        client.get(f"/api/jobs/{job_ids[number % len(job_ids)]}").raise_for_status()
        latencies.append(time.perf_counter() - start)
        time.sleep(every)


def sequential_seconds(videos: list[Path], bundle: Path, work: Path, device: str
                       ) -> tuple[dict[str, VideoScore], dict[str, float]]:
    """Each video scored and its page written one after another, as `depthfake detect` does,
    with the models loaded once before: the results and seconds per video, by name."""
    loaded = load_bundle(bundle)
    scorer = VideoScorer(loaded, DetectSettings(device=device))
    results, seconds = {}, {}
    for video in videos:
        start = time.perf_counter()
        results[video.name] = scorer.score(video)
        write_video(results[video.name], work / video.stem, loaded, code_version())
        seconds[video.name] = time.perf_counter() - start
    return results, seconds


def wait_all(client: httpx.Client, job_ids: list[str], timeout: float) -> dict[str, dict]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        jobs = {job["id"]: job for job in client.get("/api/jobs").json()}
        if all(jobs[job_id]["state"] in FINISHED for job_id in job_ids):
            return jobs
        time.sleep(0.2)
    raise TimeoutError(f"jobs still unfinished after {timeout:g} s")


def main() -> None:
    parser = benchmark_parser(__doc__)
    parser.set_defaults(threads=1, device="cpu")
    parser.add_argument("--uploads", type=int, default=20)
    parser.add_argument("--polls", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--distinct", type=int, default=4, help="distinct videos uploaded")
    add_video_options(parser, seconds=2.0, size="320x240")
    args = parser.parse_args()
    device = benchmark_device(args)
    width, height = frame_size(args.size)
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        videos = []
        for number in range(args.distinct):
            videos.append(work / f"video-{number}.mp4")
            write_h264(videos[-1], face_frames(round(args.seconds * FPS), height, width,
                                               seed=number, face_side=height // 3),
                       fps=FPS, crf=23)
        bundle = args.bundle or write_random_bundle(work / "bundle")
        sequential, per_video = sequential_seconds(videos, bundle, work / "sequential",
                                                   device.type)
        uploads = [videos[number % args.distinct] for number in range(args.uploads)]
        sequential_s = sum(per_video[video.name] for video in uploads)
        with running_service([bundle], work / "state", "--workers", str(args.workers),
                             "--threads", str(args.threads), "--device", device.type) as service, \
                httpx.Client(base_url=service.url, timeout=60) as client:
            ready_s = wait_until_ready(service)
            memory = MemoryPeak(service.process.pid)
            baseline = memory.peak
            memory.start()
            accepted: list[str] = []  # job ids, as their uploads are accepted
            latencies: list[float] = []
            polling = threading.Thread(target=poll_statuses, args=(
                client, accepted, args.polls, 0.02, latencies))
            polling.start()

            def accepted_upload(video: Path) -> str:
                job_id = upload(client, video)
                accepted.append(job_id)
                return job_id

            with ThreadPoolExecutor(args.uploads) as pool:
                job_ids = list(pool.map(accepted_upload, uploads))
            polling.join()
            jobs = wait_all(client, job_ids, timeout=60 + 30 * args.uploads)
            # From the first job's queueing to the last job's end, by the service's clock.
            load_s = (max(jobs[i]["finished"] for i in job_ids)
                      - min(jobs[i]["created"] for i in job_ids))
            memory.done.set()
            memory.join()
    matched = sum(jobs[job_id]["verdict"] == sequential[video.name].verdict
                  and jobs[job_id]["score"] is not None
                  and abs(jobs[job_id]["score"] - sequential[video.name].score) <= SCORE_TOLERANCE
                  for job_id, video in zip(job_ids, uploads, strict=True))
    p50, p95 = (float(np.percentile(latencies, q)) * 1000 for q in (50, 95))
    beyond_mb = (memory.peak - baseline) / 2**20
    rate, sequential_rate = args.uploads / load_s, args.uploads / sequential_s
    print(f"{args.uploads} uploads ({args.distinct} distinct {args.size} videos of "
          f"{args.seconds:g} s) on {args.workers} workers: all ended in {load_s:.1f} s = "
          f"{rate:.2f} videos/s; sequential detect {sequential_rate:.2f} videos/s, ceiling "
          f"{sequential_rate * args.workers:.2f}; {matched} of {args.uploads} as the sequential "
          f"run; {args.polls} status polls p50 {p50:.1f} ms, p95 {p95:.1f} ms (target "
          f"{P95_TARGET_MS}); web process +{beyond_mb:.0f} MB beyond its start (target "
          f"{MEMORY_TARGET_MB}); workers ready {ready_s:.1f} s after the service listened")
    write_record(args, "serve", device, {
        "uploads": args.uploads, "distinct": args.distinct, "polls": args.polls,
        "workers": args.workers, "video": f"{args.size} H.264 CRF 23, {args.seconds:g} s at "
        f"{FPS} fps", "bundle": str(args.bundle) if args.bundle else
        "demo preprocessing, random weights", "load_s": round(load_s, 2),
        "workers_ready_s": round(ready_s, 2), "videos_per_s": round(rate, 3),
        "sequential_videos_per_s": round(sequential_rate, 3),
        "matched": matched, "status_p50_ms": round(p50, 1), "status_p95_ms": round(p95, 1),
        "p95_target_ms": P95_TARGET_MS, "memory_beyond_mb": round(beyond_mb, 1),
        "memory_target_mb": MEMORY_TARGET_MB, "baseline_mb": round(baseline / 2**20, 1)})


if __name__ == "__main__":
    main()
