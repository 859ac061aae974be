"""Reading a bundle: from a local folder or a Hugging Face hub id (the layout
`huggingface_hub` uploads and downloads), its weights checked against their digest and loaded
by name from safetensors (nothing is unpickled)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from safetensors import SafetensorError
from safetensors.torch import load_file
from torch import nn

from depthfake.models.detectors import DetectorConfig, create_detector
from depthfake.storage.files import UnreadableFileError, file_sha256, read_json

WEIGHTS_FILE = "model.safetensors"
META_FILE = "bundle.json"
CARD_FILE = "README.md"
BUNDLE_FILES = [WEIGHTS_FILE, META_FILE, CARD_FILE]
FORMAT = 1
# What the card and the pages say of a bundle trained on the demo's data set.
DEMO_WARNING = ("Demo bundle: trained in seconds on the demo's miniature data set to show the "
                "pipeline, its verdicts mean nothing. Train on real data for a detector worth "
                "using.")


class BundleError(ValueError):
    """A bundle that cannot be found, read or trusted; the message says which and why."""


@dataclass(frozen=True)
class Bundle:
    """A loaded bundle: where it came from, its record (bundle.json) and its detector."""

    source: str
    folder: Path
    meta: dict
    model: nn.Module
    config: DetectorConfig

    @property
    def digest(self) -> str:
        """The SHA-256 of its weights."""
        return self.meta["weights"]["sha256"]

    @property
    def threshold(self) -> float:
        return float(self.meta["threshold"]["value"])

    @property
    def preprocessing(self) -> dict:
        return self.meta["preprocessing"]

    @property
    def is_demo(self) -> bool:
        """Trained on the demo's miniature data set: its verdicts mean nothing."""
        return bool(self.meta["demo"])


def split_hub_id(source: str) -> tuple[str, str | None]:
    """`user/name` or `user/name@revision` -> (repo id, revision or None)."""
    repo, _, revision = source.partition("@")
    return repo, revision or None


def bundle_folder(source: str) -> Path:
    """The local folder of `source`: itself, or the hub snapshot of a hub id (downloaded, or
    from the Hugging Face cache when offline)."""
    folder = Path(source).expanduser()
    if folder.is_dir():
        return folder
    from huggingface_hub import snapshot_download
    from huggingface_hub.errors import HfHubHTTPError, HFValidationError, LocalEntryNotFoundError

    repo, revision = split_hub_id(source)
    try:
        return Path(snapshot_download(repo, revision=revision, allow_patterns=BUNDLE_FILES))
    except HFValidationError as err:
        raise BundleError(f"bundle {source!r} is neither a folder nor a hub id "
                          "(user/name, optionally @revision)") from err
    except LocalEntryNotFoundError as err:
        raise BundleError(f"bundle {source!r} is not a folder and is not in the Hugging Face "
                          "cache; run once with network access (HF_HUB_OFFLINE unset) or give "
                          "the folder of an exported bundle") from err
    except HfHubHTTPError as err:
        raise BundleError(f"bundle {source!r} is not a folder, and the hub has no such model "
                          f"repository or revision ({err})") from err


def load_bundle(source: str | Path) -> Bundle:
    """The bundle at `source` (folder or hub id), its weights' digest checked, in eval mode
    on the CPU."""
    folder = bundle_folder(str(source))
    missing = [name for name in (WEIGHTS_FILE, META_FILE) if not (folder / name).is_file()]
    if missing:
        raise BundleError(f"{folder} is not a bundle: it has no {' or '.join(missing)}")
    try:
        meta = read_json(folder / META_FILE, "bundle record")
    except UnreadableFileError as err:
        raise BundleError(str(err)) from err
    if meta.get("format") != FORMAT:
        raise BundleError(f"{folder / META_FILE} is bundle format {meta.get('format')!r}; this "
                          f"version of depthfake reads format {FORMAT}")
    weights = folder / WEIGHTS_FILE
    found = file_sha256(weights)
    if found != meta["weights"]["sha256"]:
        raise BundleError(f"{weights} has SHA-256 {found}, but {META_FILE} records "
                          f"{meta['weights']['sha256']}: the weights were changed or damaged; "
                          "refusing to load them")
    config = DetectorConfig.from_dict(meta["detector"])
    model = create_detector(config)
    try:
        model.load_state_dict(load_file(str(weights)), strict=True)
    except (OSError, SafetensorError, RuntimeError) as err:
        raise BundleError(f"{weights} does not load into a {config.detector} detector: "
                          f"{err}") from err
    return Bundle(source=str(source), folder=folder, meta=meta, model=model.eval(),
                  config=config)
