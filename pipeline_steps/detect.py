"""Score every video of a folder or list with a model bundle (the workflow's `detect`
target; `depthfake detect` is the same for videos named on the command line).

Per video: the fake probability of each sampled frame (frames.csv, frames.json; frames
without a face marked and left out), the video score (their mean) and verdict at the
bundle's threshold, or why it could not be scored; a page with the timeline and the most and
least suspicious frames' crop, depth and Grad-CAM. For the batch: index.html and videos.csv.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.datasets.base import listed_videos
from depthfake.detect.batch import detect_videos
from depthfake.jobs._runtime import limit_threads, setup_logging, step_parser
from depthfake.settings import DetectSettings, add_arguments, from_args


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--bundle", required=True, help="bundle folder or hub id")
    parser.add_argument("--videos", required=True, help="a folder of videos or a list file")
    add_arguments(parser, DetectSettings)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="output folder")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    limit_threads(args.threads)
    detect_videos(listed_videos(args.videos), bundle=args.bundle,
                  settings=from_args(DetectSettings, args), out=args.out)


if __name__ == "__main__":
    main()
