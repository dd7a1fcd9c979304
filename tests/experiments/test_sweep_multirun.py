"""`lhe run --seeds` and `lhe compare` on the runner: each run's folder marked complete, the command's folder
last; the same command again resumes; a folder holding anything else is refused before any run."""

from __future__ import annotations

import json

import pandas as pd

from model.cli import main
from model.experiments import multirun

SEEDS_ARGS = ["run", "baseline", "--seeds", "2", "--steps", "6", "--set", "population.size=2000", "--no-charts",
              "--quiet", "--processes", "0"]  # in this process: the folders are what is tested here


def test_run_seeds_marks_each_run_and_resumes(tmp_path, capsys):
    out = tmp_path / "seeds"
    assert main([*SEEDS_ARGS, "--out", str(out)]) == 0
    for seed in (1, 2):
        record = json.loads((out / "seeds" / f"seed={seed}" / "COMPLETE.json").read_text())
        assert len(record["run"]) == 20 and record["worker"]
    assert (out / "COMPLETE.json").is_file() and (out / "plan.json").is_file()
    first = pd.read_parquet(out / "place.parquet")
    capsys.readouterr()
    assert main([*SEEDS_ARGS, "--out", str(out)]) == 0  # again: both seeds reused, nothing run
    assert "2 of 2 seeds already finished there" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(out / "place.parquet"), first, check_exact=True)


def test_run_seeds_refuses_a_folder_of_other_results(tmp_path, capsys):
    out = tmp_path / "seeds"
    assert main([*SEEDS_ARGS, "--out", str(out)]) == 0
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    more = list(SEEDS_ARGS)
    more[more.index("--seeds") + 1] = "3"
    capsys.readouterr()
    assert main([*more, "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "holds the results of another" in err and "seeds" in err and "choose another --out" in err
    assert {p: p.read_bytes() for p in out.rglob("*") if p.is_file()} == before  # no stale seed beside new ones
    stranger = tmp_path / "stranger"
    stranger.mkdir()
    (stranger / "notes.txt").write_text("mine")
    assert main([*SEEDS_ARGS, "--out", str(stranger)]) == 2
    assert (stranger / "notes.txt").read_text() == "mine"


def test_compare_resumes_from_the_runs_marked_complete(tmp_path, capsys):
    args = ["compare", "baseline", "--regimes", "pbr,block", "--seeds", "2", "--steps", "6", "--set",
            "population.size=2000", "--processes", "0", "--quiet", "--out", str(tmp_path)]
    assert main(args) == 0
    first = pd.read_parquet(tmp_path / "comparison.parquet")
    # a run whose folder lost its completion record (killed between its tables and its record) is run again
    (tmp_path / "runs" / "block" / "seed=2" / "COMPLETE.json").unlink()
    capsys.readouterr()
    assert main(args) == 0
    assert "3 of 4 runs already finished there" in capsys.readouterr().err
    pd.testing.assert_frame_equal(pd.read_parquet(tmp_path / "comparison.parquet"), first, check_exact=True)
    assert multirun.finished(tmp_path / "runs" / "block" / "seed=2",
                             json.loads((tmp_path / "runs" / "block" / "seed=2" / "COMPLETE.json").read_text())["run"])
