"""Stop before training when a slice (data set, compression, kind) lost too many videos to
the face stage: more than datasets.<name>.max_face_loss of them left without face crops.

The error names each such video with its face rate; datasets.<name>.missing_faces: skip
accepts the loss. Writes the slice's videos without crops (CSV): the marker its training and
evaluation jobs wait for.
"""

from __future__ import annotations

import logging
from pathlib import Path

import pandas as pd

from depthfake.face_report import check_face_loss, lost_videos, video_face_rates
from depthfake.files import read_parquet, write_csv
from depthfake.steps import setup_logging, step_parser

log = logging.getLogger(__name__)


def check_faces(indices: list[Path], max_loss: float | None, min_face_share: float,
                out: Path) -> pd.DataFrame:
    """Check one slice's frame indices (FacesLostError past `max_loss`; None: any loss is
    accepted); write and return its videos without face crops."""
    rates = video_face_rates(pd.concat([read_parquet(p) for p in indices], ignore_index=True))
    if note := check_face_loss(rates, max_loss, min_face_share):
        log.warning(note)
        print(f"face check: {note}", flush=True)  # on the console: the log is a file
    lost = lost_videos(rates)
    write_csv(out, lost)
    log.info("%d of %d videos without face crops", len(lost), len(rates))
    return lost


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    parser.add_argument("--indices", type=Path, nargs="+", required=True,
                        help="the slice's Parquet frame indices from crop_faces")
    parser.add_argument("--max-face-loss", type=float, default=None,
                        help="largest share of videos without face crops (default: any)")
    parser.add_argument("--min-face-share", type=float, required=True,
                        help="faces.min_face_share the crops were made with (for the message)")
    parser.add_argument("--out", type=Path, required=True, help="CSV of the videos without "
                        "face crops")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    check_faces(args.indices, args.max_face_loss, args.min_face_share, args.out)


if __name__ == "__main__":
    main()
