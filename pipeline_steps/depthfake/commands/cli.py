"""`depthfake detect VIDEO... --model BUNDLE`: score videos with a model bundle (a folder or
a Hugging Face hub id), writing per video its frames' fake probabilities and a page, and an
index page of the batch. Exits non-zero only when no video could be scored (or the bundle
cannot be used). `depthfake serve` (depthfake.serve.server) offers the same in a browser."""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path

from depthfake.bundles.load import BundleError
from depthfake.detect.batch import INDEX_PAGE, detect_videos
from depthfake.detect.score import SCORED
from depthfake.jobs._runtime import limit_threads
from depthfake.serve.server import serve, serve_parser
from depthfake.settings import DetectSettings, add_arguments, from_args


def detect_parser(commands: argparse._SubParsersAction) -> None:
    parser = commands.add_parser("detect", help="score videos with a bundle",
                                 description=__doc__.split("\n\n")[0])
    parser.add_argument("videos", nargs="+", type=Path, help="video files")
    parser.add_argument("--model", required=True,
                        help="bundle: a folder, or a hub id (user/name, optionally @revision)")
    parser.add_argument("--out", type=Path, default=Path("detections"),
                        help="output folder (default: detections)")
    parser.add_argument("--threads", type=int, default=2, help="CPU threads (default: 2)")
    add_arguments(parser, DetectSettings)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="depthfake", description="RGB-D deepfake detection")
    commands = parser.add_subparsers(dest="command", required=True)
    detect_parser(commands)
    serve_parser(commands)
    args = parser.parse_args(argv)
    if args.command == "serve":
        serve(args)
        return
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(message)s")
    limit_threads(args.threads)
    try:
        results = detect_videos(args.videos, bundle=args.model,
                                settings=from_args(DetectSettings, args), out=args.out)
    except (BundleError, FileNotFoundError) as err:
        sys.exit(f"depthfake detect: {err}")
    for video in results:
        verdict = (f"{video.verdict} (score {video.score:.3f})" if video.outcome == SCORED
                   else f"could not score: {video.reason}")
        print(f"{video.path}: {verdict}")
    scored = sum(video.outcome == SCORED for video in results)
    print(f"{scored} of {len(results)} videos scored; pages in {args.out / INDEX_PAGE}")
    sys.exit(0 if scored else 1)


if __name__ == "__main__":
    main()
