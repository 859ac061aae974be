"""A user's visit to the service, in headless Chromium: upload videos through the page, watch
every job finish without reloading, open a result page, read its verdict. Optionally keep
screenshots of the upload page and of the result, as the docs show them, and check the
verdicts against `depthfake detect` on the same files:

    python -m depthfake.serve.browser_tour --model BUNDLE VIDEO VIDEO --compare \
        --upload-screenshot docs/serve-upload.png --result-screenshot docs/serve-result.png \
        --summary docs/serve-check.json

Exits non-zero when a job did not finish, the page made an outside request or raised a script
error, or a verdict differs from detect's.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

from depthfake.plan.provenance import code_version
from depthfake.reporting.browser_check import CHROMIUM, browser_pages
from depthfake.serve.process import running_service
from depthfake.storage.files import file_sha256, write_text

JOB_ROWS = """() => [...document.querySelectorAll('#jobs tr')].map(row => ({
  name: row.cells[0].textContent, state: row.dataset.state, verdict: row.cells[3].textContent,
  result: row.querySelector('a') ? row.querySelector('a').getAttribute('href') : null}))"""
VERDICT = "() => document.querySelector('p span.fake, p span.real, p span.none').textContent"


def tour(url: str, videos: list[Path], *, chromium: Path = CHROMIUM,
         upload_screenshot: Path | None = None, result_screenshot: Path | None = None,
         timeout_ms: int = 300_000) -> dict:
    """Upload `videos` through the page at `url`, wait until all are done, open the first
    one's result; what the page showed (its rows, the result's verdict, stray requests and
    script errors)."""
    with browser_pages(chromium) as new_page:
        page, watch = new_page((1200, 800))
        page.goto(url)
        page.wait_for_selector("#bundle option", state="attached")
        page.set_input_files("#files", [str(v) for v in videos])
        page.click("#upload button[type=submit]")
        page.wait_for_function(
            "n => document.querySelectorAll('#jobs tr[data-state=done]').length >= n",
            arg=len(videos), timeout=timeout_ms, polling=250)
        rows = page.evaluate(JOB_ROWS)
        if upload_screenshot:
            page.screenshot(path=upload_screenshot)
        first = next(row for row in rows if row["name"] == videos[0].name)
        page.click(f"#jobs tr[data-state=done] a[href='{first['result']}']")
        page.wait_for_selector("h1")
        result = {"name": page.inner_text("h1"), "verdict": page.evaluate(VERDICT),
                  "images": page.evaluate("() => [...document.images].filter(i => i.naturalWidth)"
                                          ".length")}
        if result_screenshot:
            page.screenshot(path=result_screenshot, full_page=False)
    stray = [request for request in watch.requests if not request.startswith(url)]
    return {"jobs": rows, "result": result, "requests": stray, "page_errors": watch.page_errors,
            "dialogs": watch.dialogs}


def detect_verdicts(videos: list[Path], bundle: Path, out: Path) -> dict[str, str | None]:
    """What `depthfake detect` says of each video, by file name."""
    from depthfake.detect.batch import detect_videos
    from depthfake.settings import DetectSettings

    results = detect_videos(videos, bundle=str(bundle), settings=DetectSettings(), out=out)
    return {Path(video.path).name: video.verdict for video in results}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", nargs="+", type=Path)
    parser.add_argument("--model", required=True, type=Path, help="a bundle folder")
    parser.add_argument("--compare", action="store_true",
                        help="check the verdicts against depthfake detect's")
    parser.add_argument("--upload-screenshot", type=Path)
    parser.add_argument("--result-screenshot", type=Path)
    parser.add_argument("--summary", type=Path)
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(dir=".") as work:
        with running_service([args.model], Path(work) / "state") as service:
            seen = tour(service.url, args.videos, chromium=args.chromium,
                        upload_screenshot=args.upload_screenshot,
                        result_screenshot=args.result_screenshot)
        expected = (detect_verdicts(args.videos, args.model, Path(work) / "detect")
                    if args.compare else {})
    shown = {row["name"]: row["verdict"].split(" ")[0] for row in seen["jobs"]}
    differing = {name: (shown.get(name), verdict) for name, verdict in expected.items()
                 if shown.get(name) != verdict}
    ok = (len(seen["jobs"]) == len(args.videos) and not differing and not seen["requests"]
          and not seen["page_errors"] and seen["result"]["verdict"] == shown[args.videos[0].name])
    summary = {"commit": code_version(), "ok": ok, **seen, "detect_verdicts": expected,
               "differing": differing,
               "screenshots": {path.name: file_sha256(path) for path in
                               (args.upload_screenshot, args.result_screenshot) if path}}
    if args.summary:
        write_text(args.summary, json.dumps(summary, indent=1) + "\n")
    print(f"{len(seen['jobs'])} jobs done through the page; result of {seen['result']['name']}: "
          f"{seen['result']['verdict']}; " + ("all as detect says" if ok else
                                              f"problems: {differing or seen}"))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
