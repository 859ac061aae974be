"""The FF++ settings (workflow/configs/ffpp.yaml) find small, compressed faces: on a generated
FF++ tree of 480p videos at CRF 40 with 42 px faces (two people), every video keeps a face in
at least 80 % of its sampled frames, up to the face report."""

from __future__ import annotations

import json

import pytest
import yaml

from depthfake.storage.files import read_csv
from depthfake.synthetic.videos import write_face_tree

from conftest import REPO
from tiny_workflow import snakemake

SMALL_FACES = dict(videos=6, frames=32, height=480, width=640, crf=40, compression="c40",
                   forgeries=("FaceSwap",), face_side=42, identities=2)


@pytest.mark.workflow
def test_the_ffpp_settings_keep_small_compressed_faces(tmp_path):
    source = write_face_tree(tmp_path / "ffpp", **SMALL_FACES)
    settings = yaml.safe_load((REPO / "workflow" / "configs" / "ffpp.yaml").read_text())
    assert "faces" not in settings["datasets"]["ffpp"]  # the top-level, real-data settings
    settings["datasets"]["ffpp"].update(  # this tree's place, size and kinds; no face setting
        root=source.root, splits_dir=source.splits_dir, shards_per_kind=1,
        forgeries=["FaceSwap"], compressions=["c40"])
    settings["train"]["forgeries"] = ["FaceSwap"]
    override = tmp_path / "ffpp.yaml"
    override.write_text(json.dumps(settings))
    result = snakemake(tmp_path, "results/faces/report.md", "--cores", "2", "--configfile",
                       str(REPO / "config.yaml"), str(override))
    assert result.returncode == 0, result.stderr[-3000:]
    rates = read_csv(tmp_path / "results" / "faces" / "videos.csv")
    assert len(rates) == 12 and set(rates["kind"]) == {"real", "FaceSwap"}
    assert rates["face_rate"].min() >= 0.8, rates
