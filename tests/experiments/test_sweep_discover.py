"""Scenario discovery on a case whose answer is known (a linear function: y > 12 needs a high x1), the
report page built from a sweep of the place, and the EMA Workbench adapter both ways."""

from __future__ import annotations

import json
import re
import textwrap

import numpy as np
import pandas as pd
import pytest
from sweep_cases import quiet, write_small

from model.cli import main
from model.experiments import discover as D
from model.experiments.runner import Inline, Task, run_task
from model.experiments.spec import load_experiment
from model.experiments.sweep import run_sweep

LINEAR_LHS = """
name = "linear-lhs"
simulator = "linear"
[seeds]
count = 1
[design]
kind = "lhs"
size = 400
seed = 3
[[factors]]
name = "x1"
path = "x1"
range = [0.0, 1.0]
[[factors]]
name = "x2"
path = "x2"
range = [0.0, 1.0]
[[factors]]
name = "x4"
path = "x4"
range = [0.0, 1.0]
"""


@pytest.fixture(scope="module")
def linear(tmp_path_factory):
    folder = tmp_path_factory.mktemp("linear")
    path = folder / "linear.toml"
    path.write_text(textwrap.dedent(LINEAR_LHS))
    run_sweep(load_experiment(path), folder / "out", executor=Inline(), progress=False, say=quiet, flush_runs=1000)
    return folder / "out"


def test_prim_finds_the_box_that_makes_the_case(linear):
    """y = 10 x1 + 5 x2 + 0.5 (x3 = 0.5; x4 has no weight): y > 12 needs x1 above 0.65 (and a high x2)."""
    d = D.discover(linear, "linear_y > 12")
    box = d.box.set_index("factor")
    chosen = d.trajectory.loc[d.chosen]
    assert chosen.density >= 0.8 and chosen.coverage >= 0.6
    assert box.loc["x1", "restricted"] and float(box.loc["x1", "box"].split(" to ")[0]) >= 0.6
    traj = d.trajectory
    assert traj["coverage"].is_monotonic_decreasing and traj["density"].iloc[-1] > traj["density"].iloc[0]
    assert "x1" in d.rules.splitlines()[0]  # CART splits first on x1
    # the ablation: a condition on x4 alone is found on x4, not x1
    d4 = D.discover(linear, "x4 > 0.7")
    box4 = d4.box.set_index("factor")
    assert box4.loc["x4", "restricted"] and not box4.loc["x1", "restricted"]


def test_lhe_discover_writes_and_prints_and_refuses_a_bad_expression(linear, capsys):
    assert main(["discover", str(linear), "--where", "linear_y > 12"]) == 0
    out = capsys.readouterr().out
    assert "PRIM box" in out and "CART tree" in out and "<- chosen" in out
    info = json.loads((linear / "discovery" / "linear-y-12" / "discovery.json").read_text())
    assert info["where"] == "linear_y > 12" and info["density"] >= 0.8
    assert main(["discover", str(linear), "--where", "happiness > 3"]) == 2
    err = capsys.readouterr().err
    assert "happiness" in err and "linear_y" in err and "Traceback" not in err
    assert main(["discover", str(linear), "--where", "linear_y + 1"]) == 2  # not a condition
    assert main(["discover", str(linear.parent), "--where", "linear_y > 1"]) == 2  # not a sweep folder


def test_report_is_one_self_contained_page_with_its_charts(tmp_path, capsys):
    experiment = load_experiment(write_small(tmp_path, size=4, seeds=2, keep_monthly=True))
    out = tmp_path / "out"
    assert run_sweep(experiment, out, executor=Inline(), progress=False, say=quiet).complete
    assert main(["discover", str(out), "--where", "place_balance < 0"]) == 0
    assert main(["report", str(out)]) == 0
    page = (out / "report" / "report.html").read_text()
    charts = {p.stem for p in (out / "report").glob("*.png")}
    assert {"comparison-growth", "comparison-hospital_0", "comparison-tariff", "fan-place_balance",
            "prim-place-balance-0"} <= charts
    assert all((out / "report" / f"{c}.svg").is_file() for c in charts)
    assert page.count('src="data:image/png;base64,') == len(charts)
    assert not re.search(r'(src|href)="(?!data:)', page)  # nothing fetched from elsewhere
    assert "small-place" in page and "Scenario discovery" in page


# --- the EMA Workbench ------------------------------------------------------------------------------
def test_a_sweep_folder_feeds_emas_prim(linear):
    from ema_workbench.analysis import prim

    from model.experiments.ema import sweep_to_ema

    experiments, outcomes = sweep_to_ema(linear)
    assert len(experiments) == 400 and set(outcomes) == {"linear_y"}
    assert {"x1", "x2", "x4", "scenario", "policy", "model"} <= set(experiments.columns)
    finder = prim.Prim(experiments[["x1", "x2", "x4"]], outcomes["linear_y"] > 12, peel_alpha=0.05)
    box = finder.find_box()
    traj = box.peeling_trajectory
    assert traj["density"].max() >= 0.8
    best = traj[traj["density"] >= 0.8]["coverage"].idxmax()
    box.select(best)
    assert box.box_lim.loc[0, "x1"] >= 0.6  # the same finding as ours: a high x1


def test_replicator_model_runs_the_place_as_the_runner_does():
    from ema_workbench import SequentialEvaluator

    from model.experiments.ema import replicator_model
    from model.experiments.simulators import SIMULATORS
    from model.scenario import load_scenario

    model = replicator_model("baseline", {"money.allocation_growth": (0.0, 0.03), "hospitals.0.strategy": ["fortress", "collaborative"]},
                             outcomes=["place_balance", "waiting_list"], seeds=[1, 2], steps=6, changes={"population.size": 2000})
    assert [u.name for u in model.uncertainties] == ["money__allocation_growth", "hospitals__0__strategy"]
    with SequentialEvaluator(model) as ev:
        experiments, outcomes = ev.perform_experiments(scenarios=2)
    assert outcomes["place_balance"].shape == (2, 2) and np.isfinite(outcomes["place_balance"]).all()
    row = experiments.iloc[0]
    base = load_scenario("baseline").with_changes({"population.size": 2000})
    changes = {"money.allocation_growth": float(row["money__allocation_growth"]), "hospitals.0.strategy": str(row["hospitals__0__strategy"])}
    mine = run_task(Task(0, "lhe", SIMULATORS["lhe"].resolve(base, changes, 2, 6), 2, ("place_balance",)))
    assert outcomes["place_balance"][0, 1] == mine.outcomes["place_balance"]  # replication 2 is seed 2
    with pytest.raises(Exception, match="population.size"):
        replicator_model("baseline", {"population.size": (10, 5000)})  # a range end the place refuses
    assert isinstance(experiments, pd.DataFrame)
