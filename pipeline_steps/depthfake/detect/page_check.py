"""Check a detection batch's pages in headless Chromium (its index and every video's page)
and keep a screenshot of a video's page, as the docs show it:

    python -m depthfake.detect.page_check results/detections --screenshot docs/detect.png \
        --summary docs/detect-check.json

Exits non-zero when an image did not decode, or a page made an outside request, raised a
script error or opened a dialog.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from depthfake.detect.batch import INDEX_PAGE, OUTCOMES
from depthfake.detect.score import SCORED
from depthfake.plan.provenance import code_version
from depthfake.reporting.browser_check import CHROMIUM, check_pages
from depthfake.storage.files import file_sha256, read_csv, write_text


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("detections", type=Path, help="the output folder of a detection")
    parser.add_argument("--screenshot", type=Path, help="PNG of the first scored video's page")
    parser.add_argument("--summary", type=Path, help="JSON of what was found")
    parser.add_argument("--chromium", type=Path, default=CHROMIUM)
    args = parser.parse_args(argv)
    outcomes = read_csv(args.detections / OUTCOMES)
    order = outcomes.sort_values("outcome", key=lambda o: o != SCORED, kind="stable")
    pages = [args.detections / page for page in order["page"]]  # scored videos first
    checks = check_pages([*pages, args.detections / INDEX_PAGE], args.screenshot, args.chromium)
    summary = {"commit": code_version(), "ok": all(c.ok for c in checks),
               "pages": [{"page": str(Path(c.path).relative_to(args.detections)),
                          "title": c.title, "images": c.images, "broken_images": c.broken_images,
                          "tables": c.tables, "ok": c.ok, "requests": c.watch.requests,
                          "page_errors": c.watch.page_errors, "dialogs": c.watch.dialogs}
                         for c in checks],
               **({"screenshot": {"file": args.screenshot.name,
                                  "sha256": file_sha256(args.screenshot)}}
                  if args.screenshot else {})}
    if args.summary:
        write_text(args.summary, json.dumps(summary, indent=1) + "\n")
    print(f"{len(checks)} pages: {sum(c.images for c in checks)} images and "
          f"{sum(c.tables for c in checks)} tables rendered; "
          f"{'all clean' if summary['ok'] else 'problems: see the summary'}")
    sys.exit(0 if summary["ok"] else 1)


if __name__ == "__main__":
    main()
