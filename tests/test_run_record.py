"""A report is of the run whose results it shows: without --configfile it takes the run's
config files; with other files it is one error saying which ones to pass."""

from __future__ import annotations

import pytest

from depthfake.plan.run_record import (
    ReportConfigError,
    building_report,
    record_run,
    report_configfiles,
)


def config_sha(files) -> str:
    """The config of the default config.yaml ("a") with files named b, c... merged on top."""
    return "a" + "".join(sorted(f.rsplit("/", 1)[-1][0] for f in files))


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yaml").write_text("")
    (tmp_path / "b.yaml").write_text("")
    record_run("results/run.json", ["config.yaml", "b.yaml"], "abc")
    return tmp_path


def test_a_report_without_configfile_takes_the_runs_files(run):
    assert report_configfiles("results/run.json", [], config_sha) == [
        str(run / "config.yaml"), str(run / "b.yaml")]


def test_a_report_of_the_same_config_adds_nothing(run):
    assert report_configfiles("results/run.json", ["config.yaml", "b.yaml"],
                              lambda files: "abc") == []
    assert report_configfiles("results/none.json", [], config_sha) == []  # no run yet


def test_a_report_of_another_config_says_which_files_to_pass(run):
    with pytest.raises(ReportConfigError) as error:
        report_configfiles("results/run.json", ["c.yaml"], lambda files: "ac")
    assert str(error.value) == (
        "results/run.json: the results were made with config abc (from config.yaml b.yaml); "
        "--configfile c.yaml gives config ac. Report that run with: snakemake --report "
        "report.html --configfile config.yaml b.yaml")


def test_run_files_changed_since_are_one_error(run):
    (run / "b.yaml").unlink()
    with pytest.raises(ReportConfigError, match="which have changed since .or are gone.: "
                                                "rerun the workflow"):
        report_configfiles("results/run.json", [], config_sha)


def test_report_command_lines():
    assert building_report(["snakemake", "--report", "r.html", "--configfile", "a.yaml"])
    assert building_report(["snakemake", "--report=r.html"])
    assert not building_report(["snakemake", "--cores", "all", "--report-stylesheet", "x"])
