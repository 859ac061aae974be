"""Names stay text: a tiny run on a manifest data set whose videos have hostile names (markup,
quotes, ampersands, non-ASCII, spaces, Markdown), with a face-less and a truncated one, writes
pages with no injected element, in the files and in headless Chromium; its report, built
without --configfile, is of that run."""

from __future__ import annotations

import csv
import json
import shutil

import pandas as pd
import pytest

from depthfake.reporting.browser_check import check_report

from conftest import browser_missing
from hostile_names import HOSTILE_NAMES, PAGE_ELEMENTS, injected, parse_page
from tiny_workflow import TINY, faceless_video, snakemake, write_config

# The manifest data set: the tiny demo's raw reals and FaceSwap fakes under hostile names.
HOSTILE = {
    "datasets": {"hostile": {"layout": "manifest", "root": "hostile",
                             "manifest": "hostile/manifest.csv", "forgeries": ["FaceSwap"],
                             "compressions": None, "build_demo": None,
                             "missing_faces": "skip"}},  # the face-less real: 1 of 7
    "depth": {"backends": ["landmark_mesh"]},
    "train": {"dataset": "hostile", "forgeries": ["FaceSwap"]},
    "evaluate": {"datasets": ["hostile"]},
}


# Two more train reals that the run must record as skips, named to be shown as text too.
BAD = {"face-less": "<script>alert('no face')<\\script> & \"face-less\"",
       "truncated": "<b onclick=alert(4)>truncated | *video*"}


def hostile_dataset(workdir) -> None:
    """Copy the demo's videos under hostile names into hostile/, with its manifest, and add a
    face-less and a truncated train real."""
    demo = pd.read_csv(workdir / "data" / "manifest.csv", dtype=str)
    videos = demo[(demo["compression"] == "raw") & demo["kind"].isin(["real", "FaceSwap"])]
    rows = []
    for number, video in enumerate(videos.itertuples()):
        path = f"{video.kind}/{HOSTILE_NAMES[number % len(HOSTILE_NAMES)]} {video.video}.mp4"
        (workdir / "hostile" / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(workdir / "data" / video.path, workdir / "hostile" / path)
        rows.append(dict(path=path, label=video.label, kind=video.kind, split=video.split,
                         group=video.video.replace("_", ";")))
    faceless_video(workdir / "hostile" / "real" / f"{BAD['face-less']}.mp4")
    whole = (workdir / "hostile" / rows[-1]["path"]).read_bytes()
    (workdir / "hostile" / "real" / f"{BAD['truncated']}.mp4").write_bytes(
        whole[: len(whole) // 3])
    rows += [dict(path=f"real/{name}.mp4", label=0, kind="real", split="train", group=what)
             for what, name in BAD.items()]
    with (workdir / "hostile" / "manifest.csv").open("w", newline="") as handle:
        writer = csv.DictWriter(handle, ["path", "label", "kind", "split", "group"])
        writer.writeheader()
        writer.writerows(rows)


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory) -> dict:
    workdir = tmp_path_factory.mktemp("hostile")
    base = write_config(workdir / "config.yaml", TINY)  # this folder's default config
    built = snakemake(workdir, "data/manifest.csv", "--cores", "2", "--configfile", str(base))
    assert built.returncode == 0, built.stderr[-3000:]
    hostile_dataset(workdir)
    override = workdir / "hostile.yaml"
    override.write_text(json.dumps(HOSTILE))  # JSON is YAML
    result = snakemake(workdir, "--cores", "2", "--configfile", str(base), str(override))
    assert result.returncode == 0, result.stderr[-3000:]
    return dict(workdir=workdir)


@pytest.mark.workflow
def test_every_page_shows_hostile_names_as_text(hostile_run):
    pages = sorted((hostile_run["workdir"] / "results").rglob("*.html"))
    assert {p.name for p in pages} >= {"report.html", "skipped.html", "detection.html",
                                       "robustness_recompute.html"}
    for page in pages:
        assert injected(page.read_text()) == set(), page
    skipped = parse_page((hostile_run["workdir"] / "results" / "skipped.html").read_text())
    assert set(BAD.values()) <= set(skipped.cells)


@pytest.mark.workflow
def test_the_report_without_configfile_is_of_the_run_and_injects_nothing(hostile_run,
                                                                         tmp_path):
    if reason := browser_missing():
        pytest.skip(reason)
    report = tmp_path / "report.html"
    built = snakemake(hostile_run["workdir"], "--report", str(report))
    assert built.returncode == 0, built.stderr[-3000:]
    assert "the report is of the run in results/, made with" in built.stderr
    check = check_report(report)
    assert check.ok, check.summary()
    pages = [item for item in check.items if item.kind == "html"]
    assert len(pages) == 4  # detection, robustness, faces, skipped
    for item in pages:
        assert set(item.elements) <= PAGE_ELEMENTS, (item.path, item.elements)
