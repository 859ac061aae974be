"""The command-line options of each step for one job, and the files named by settings that
a job reads: only the settings the job reads, so that changing any other reruns nothing."""

from __future__ import annotations

import re
from pathlib import Path

from depthfake.datasets import list_videos, shard
from depthfake.datasets.base import listed_videos
from depthfake.datasets.celebdf import TEST_LIST as CELEBDF_TEST_LIST
from depthfake.plan.catalogue import splits_backbone
from depthfake.plan.dataset_check import shard_listing
from depthfake.plan.grid import RunPlan
from depthfake.settings import (
    BackboneOptions,
    BootstrapSettings,
    DatasetSource,
    DetectSettings,
    EvaluateSettings,
    FaceBackendOptions,
    FaceSettings,
    FrameSettings,
    MarkSettings,
    Settings,
    TrainSettings,
    to_cli,
)


def options(section: Settings, model: type[Settings], ignored: set[str] | tuple = ()) -> str:
    """The options of the fields of `model` (a settings class) that `section` holds, less the
    `ignored` ones (settings a job does not read must not rerun it)."""
    return to_cli(section.model_dump(include=set(model.model_fields) - set(ignored)))


class StepOptions:
    """Each step's options and setting-named inputs, per job."""

    def __init__(self, plan: RunPlan):
        self.plan = plan
        self.config = plan.config
        self._videos: dict[tuple[str, str, str], list] = {}

    def extract(self, *, dataset: str, kind: str) -> str:
        """The data set's source (only the fields its layout reads for this kind) and its
        frame settings."""
        source = self.plan.dataset(dataset)
        read = options(source, DatasetSource, ignored=source.unread(kind))
        return f"{read} {options(self.config.frames_of(dataset), FrameSettings)}"

    def faces(self, *, dataset: str) -> str:
        """The data set's FaceSettings with the options of its backend only."""
        faces = self.config.faces_of(dataset)
        others = set(FaceBackendOptions.model_fields) - {faces.backend}
        return options(faces, FaceSettings, ignored=others)

    def face_loss(self, *, dataset: str) -> str:
        """The share of a slice's videos its data set lets the face stage lose (none given
        under missing_faces: skip, which accepts any), and the min_face_share its crops were
        made with."""
        source = self.plan.dataset(dataset)
        made = f"--min-face-share {self.config.faces_of(dataset).min_face_share}"
        if source.missing_faces == "skip":
            return made
        return f"{made} --max-face-loss {source.max_face_loss}"

    def depth(self, *, backend: str) -> str:
        """The options of one depth backend (depth.<backend>)."""
        return to_cli(self.config.depth.model_dump(include={backend}))

    def train(self, *, model: str, backbone: str) -> str:
        """TrainSettings and the backbone's options, less those this model or optimizer
        ignores (so changing them reruns nothing it does not touch)."""
        train = self.config.train
        settings = options(train, TrainSettings, ignored=train.ignored())
        split = () if splits_backbone(model) else {"split_block"}
        return f"{settings} {options(train.backbone(backbone), BackboneOptions, ignored=split)}"

    def train_launcher(self) -> str:
        """python, or torchrun with one process per GPU (train.processes)."""
        processes = self.config.train.processes
        return "python" if processes == 1 else \
            f"torchrun --standalone --nproc-per-node {processes}"

    def evaluate(self) -> str:
        return options(self.config.evaluate, EvaluateSettings)

    def bootstrap(self) -> str:
        return options(self.config.statistics, BootstrapSettings)

    def marks(self) -> str:
        return options(self.config.statistics, MarkSettings)

    def data_layout(self, *, dataset: str) -> str:
        """The layout of a data set, or demo for one the demo builds (a bundle states its
        data's terms by it)."""
        source = self.plan.dataset(dataset)
        return "demo" if source.build_demo is not None else source.layout

    def detect(self) -> str:
        return options(self.config.detect, DetectSettings)

    def demo_roots(self) -> str:
        """The roots of the data sets the demo builder makes, as a wildcard pattern."""
        roots = [d.root for d in self.config.datasets.values() if d.build_demo is not None]
        return "|".join(re.escape(root) for root in roots) or "(?!)"

    def demo(self, *, root: str) -> str:
        """The demo builder's settings of the data set rooted at `root`."""
        built = next(d for d in self.config.datasets.values()
                     if d.build_demo is not None and d.root == root)
        return to_cli(built.build_demo.model_dump())

    # -- files named by settings -----------------------------------------------------------
    def dataset_files(self, *, dataset: str) -> str | list[str]:
        """What extraction reads beside the videos: the demo build, the given split files,
        the Celeb-DF test list or the manifest (editing them reruns extraction)."""
        source = self.plan.dataset(dataset)
        if source.build_demo is not None:
            return f"{source.root}/manifest.csv"
        if source.layout == "ffpp" and source.splits_dir:
            return [f"{source.splits_dir}/{split}.json" for split in ("train", "val", "test")]
        if source.layout == "celebdf":
            return f"{source.root}/{CELEBDF_TEST_LIST}"
        if source.layout == "manifest":
            return source.manifest
        return []  # the official FF++ splits inside the package; DFD splits its actors itself

    def video_listing(self, *, dataset: str, kind: str, compression: str, number: int) -> str:
        """The shard's videos as found on disk (a digest): restoring or replacing one reruns
        the shard. A built demo is tracked by its manifest instead."""
        source = self.plan.dataset(dataset)
        if source.build_demo is not None:
            return "built"
        videos = self._listed_videos(dataset, kind, compression)
        return shard_listing(shard(videos, number, source.shards_per_kind))

    def _listed_videos(self, dataset: str, kind: str, compression: str) -> list:
        """Listed once per run: a manifest or a Celeb-DF folder is read once, not per shard."""
        key = (dataset, kind, compression)
        if key not in self._videos:
            self._videos[key] = list_videos(self.plan.dataset(dataset), kind, compression)
        return self._videos[key]

    def face_model_files(self, *, dataset: str) -> list[str]:
        """The data set's face backend's model files given in the config (replacing one
        reruns its cropping)."""
        faces = self.config.faces_of(dataset)
        given = faces.options_of(faces.backend)
        return [given[key] for key in ("detector_model", "landmark_model") if given.get(key)]

    def depth_model_files(self, *, backend: str) -> list[str]:
        """The files of a depth model given as a local folder (replacing them reruns the
        depth)."""
        folder = Path(self.config.depth.options_of(backend).get("model", ""))
        if not folder.name or not folder.is_dir():
            return []
        return sorted(str(path) for path in folder.iterdir() if path.is_file())

    def detect_files(self) -> dict[str, str | list[str]]:
        """What the detect target reads: the videos (a folder's, or a list and its videos)
        and a bundle that is a local folder (or one the workflow exports: it is built first);
        a bundle given as a hub id is fetched by the step."""
        detect = self.config.detect
        if not detect.bundle or not detect.videos:
            raise ValueError("the detect target needs detect.bundle (a bundle folder or hub id) "
                             "and detect.videos (a folder or a list of videos) in the config")
        videos = Path(detect.videos)
        listed = [str(v) for v in listed_videos(videos)]
        files = {"videos": listed + ([] if videos.is_dir() else [str(videos)])}
        if Path(detect.bundle).is_dir() or detect.bundle.startswith("results/bundles/"):
            files["bundle"] = detect.bundle
        return files

    def pretrained_file(self, *, backbone: str) -> str | None:
        """The local pretrained weights of a backbone, when they are used."""
        train = self.config.train
        return train.backbone(backbone).pretrained_file if train.pretrained else None
