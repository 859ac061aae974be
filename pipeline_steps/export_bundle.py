"""Export one trained detector as a model bundle: a folder anyone can score videos with
(`depthfake detect VIDEO --model FOLDER`) or upload to the Hugging Face hub.

It holds the weights (safetensors) and their SHA-256, the detector's config, the exact
preprocessing (frame sampling, face backend and options with its model files' digests, crop,
depth backend with its model's identity, normalisation, aggregation), the decision threshold
chosen on the validation videos (the rule stated), the test metrics at 0.5 and at that
threshold with cluster-bootstrap intervals, the robustness tables' rows of its cell, the
training record and provenance (bundle.json), and a model card (README.md).
"""

from __future__ import annotations

from pathlib import Path

from depthfake.bundles.export import export_bundle
from depthfake.jobs._runtime import add_checkpoint_inputs, setup_logging, step_parser
from depthfake.settings import BootstrapSettings, add_arguments, from_args


def main(argv: list[str] | None = None) -> None:
    parser = step_parser(__doc__)
    add_checkpoint_inputs(parser)
    parser.add_argument("--validation", type=Path, required=True,
                        help="Parquet from predict_validation")
    parser.add_argument("--predictions", type=Path, required=True, help="Parquet from evaluate")
    parser.add_argument("--robustness", type=Path, nargs="*", default=[],
                        help="robustness_<mode>.csv tables of the run")
    parser.add_argument("--depth-file", type=Path, help="one HDF5 of the training depth maps "
                        "(a depth-reading model): names the depth model")
    parser.add_argument("--data-layout", required=True,
                        help="the training data set's layout, or demo (states its terms)")
    add_arguments(parser, BootstrapSettings)
    parser.add_argument("--out", type=Path, required=True, help="the bundle folder")
    args = parser.parse_args(argv)
    setup_logging(args.log)
    export_bundle(weights=args.weights, meta=args.meta, validation=args.validation,
                  predictions=args.predictions, robustness=args.robustness,
                  depth_file=args.depth_file, bootstrap=from_args(BootstrapSettings, args),
                  data_layout=args.data_layout, out=args.out)


if __name__ == "__main__":
    main()
