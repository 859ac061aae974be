"""Grad-CAM of trained detectors side by side on the same test faces (the paper's figure).

One row per face (half real, half fake: the first face of the first test videos), columns:
the crop, its depth map, then each detector's map at each of its streams (the layer named
above it), over the crop, with the detector's fake probability. Maps are of the fake-class
logit, each scaled to its own maximum. Writes the PNG and, per face, detector and stream,
the probability, the layer and where the map peaks, as CSV.
"""

from __future__ import annotations

from pathlib import Path

from depthfake.jobs._runtime import add_shard_inputs, limit_threads, setup_logging, step_parser
from depthfake.reporting.gradcam_figure import gradcam_figure


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_shard_inputs(parser)
    parser.add_argument("--weights", type=Path, nargs="+", required=True,
                        help=".safetensors files from train, one per detector shown")
    parser.add_argument("--meta", type=Path, nargs="+", required=True,
                        help="their .json files, in the same order")
    parser.add_argument("--faces-shown", type=int, default=4,
                        help="test faces shown, half real and half fake")
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--out", type=Path, required=True, help="PNG file")
    parser.add_argument("--out-data", type=Path, required=True, help="CSV file")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    limit_threads(args.threads)
    gradcam_figure(index_files=args.index, faces_files=args.faces, depth_files=args.depth,
                   weights=args.weights, metas=args.meta, faces_shown=args.faces_shown,
                   out=args.out, out_data=args.out_data)


if __name__ == "__main__":
    main()
