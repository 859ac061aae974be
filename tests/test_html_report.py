"""`snakemake --report` builds one self-contained HTML page from the tiny run, and every table
and figure in it renders in a real browser (Debian's chromium, driven by Playwright); the
screenshot in docs/ comes from the current report sources."""

from __future__ import annotations

import json
import re

import matplotlib.image
import pytest

from depthfake.reporting.browser_check import check_report
from depthfake.storage.files import file_sha256

from conftest import REPO, require_browser
from tiny_workflow import snakemake

DOCS = REPO / "docs"
# The tiny run's report: (category, file) -> (images, tables) that must render.
EXPECTED = {
    ("Tables", "results/tables/demo/detection.html"): (0, 2),  # clean set, per kind
    ("Tables", "results/tables/demo/robustness_recompute.html"): (0, 8),  # clean, 6, 1 sweep
    ("Figures", "results/figures/demo/severity_recompute.png"): (1, 0),
    ("Figures", "results/figures/demo/roc.png"): (1, 0),
    ("Figures", "results/figures/demo/scores.png"): (1, 0),
    ("Figures", "results/figures/demo/gradcam.png"): (1, 0),
    ("Data", "results/faces/report.html"): (0, 2),  # per slice, and the videos left out
    ("Data", "results/skipped.html"): (0, 1),  # the two bad videos
    ("Data", "results/figures/depth_samples.png"): (1, 0),
}


@pytest.fixture(scope="module")
def report(tiny_run, tmp_path_factory):
    require_browser("check the report")
    path = tmp_path_factory.mktemp("report") / "report.html"
    built = snakemake(tiny_run["workdir"], "--report", str(path), "--configfile",
                      str(tiny_run["config"]))
    assert built.returncode == 0, built.stderr[-3000:]
    return path


@pytest.fixture(scope="module")
def checked(report):
    screenshot = report.with_name("screenshot.png")
    return check_report(report, screenshot, "gradcam.png"), screenshot


@pytest.mark.workflow
def test_every_table_and_figure_renders_in_the_browser(checked):
    check, _ = checked
    assert check.ok, check.summary()
    found = {(item.category, item.path): (item.images, item.tables) for item in check.items}
    assert found == EXPECTED
    assert sum(i.images for i in check.items) == 5 and sum(i.tables for i in check.items) == 13
    robustness = next(i for i in check.items if i.path.endswith("robustness_recompute.html"))
    # per table a header and 2 forgeries x (rgb + 2 depth backends x (MDN, MDN on zeros))
    assert robustness.table_rows == 8 * (1 + 2 * 5)


@pytest.mark.workflow
def test_captions_say_what_each_item_shows_under_which_config(checked):
    check, _ = checked
    captions = {item.path.rsplit("/", 1)[-1]: item.caption for item in check.items}
    assert all(len(text) > 100 for text in captions.values()), captions
    # the statistics and evaluate sections, rendered
    assert "95 % intervals" in captions["detection.html"]
    assert "(1000 replicates, seed 0)" in captions["detection.html"]
    assert "Attack draws are seeded by 1234" in captions["robustness_recompute.html"]
    assert "this run's modes: recompute" in captions["severity_recompute.png"]
    assert "on the same 4 test faces" in captions["gradcam.png"]
    assert "landmark_mesh, depth_anything" in captions["depth_samples.png"]
    assert all("commit" in text for text in captions.values())


@pytest.mark.workflow
def test_the_report_is_one_self_contained_file(report, checked):
    check, _ = checked
    assert check.requests == []  # the page fetched nothing but itself
    assert not re.findall(r"""(?:src|href)\s*=\s*["']https?://""", report.read_text())


@pytest.mark.workflow
def test_a_broken_figure_is_caught(report, tmp_path):
    text = report.read_text()
    marker = "filename=gradcam.png;base64,"  # the figure's data URI in the page
    start = text.index(marker) + len(marker)
    broken = tmp_path / "broken.html"
    broken.write_text(text[:start] + "A" * 2000 + text[start + 2000:])
    check = check_report(broken)
    assert not check.ok and check.failed == ["results/figures/demo/gradcam.png"]


@pytest.mark.workflow
def test_the_screenshot_shows_a_figure_with_its_caption(checked):
    _, screenshot = checked
    image = matplotlib.image.imread(screenshot)
    assert image.shape[:2] == (900, 1440) and image.std() > 0.1


def test_the_screenshot_in_docs_and_its_check_were_made_together():
    """docs/report.png and docs/report-check.json come from one run of the browser check on
    the demo's report (docs/report.md): the summary names the screenshot's digest, and every
    item it found rendered. A caption edited since leaves both valid, only older."""
    summary = json.loads((DOCS / "report-check.json").read_text())
    assert summary["screenshot"] == {"file": "report.png",
                                     "sha256": file_sha256(DOCS / "report.png")}
    assert summary["ok"] and summary["results"] == len(summary["items"]) > 0
    assert summary["failed"] == summary["missing"] == summary["requests"] == []
    assert matplotlib.image.imread(DOCS / "report.png").shape[:2] == (900, 1440)
