"""Model bundles: a trained detector as a self-contained folder anyone can score videos with.

`threshold` chooses the decision threshold on the validation videos and measures the test
set at it; `export` writes a bundle from a run's results; `card` writes its model card;
`load` reads one back from a folder or a Hugging Face hub id, checking its digest.
"""

from depthfake.bundles.load import Bundle, BundleError, load_bundle

__all__ = ["Bundle", "BundleError", "load_bundle"]
