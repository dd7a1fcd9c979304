"""Experiment files: designs of the right size, run ids that find finished runs, and bad files refused
with a message naming the file, the field, the value and what is allowed (exit 2)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from model.cli import main
from model.experiments.spec import (
    EXPERIMENT_DIRS,
    ExperimentError,
    experiment_from_data,
    load_experiment,
)

ISHIGAMI = {"name": "i", "simulator": "ishigami", "seeds": {"count": 1},
            "design": {"kind": "sobol", "size": 8, "seed": 1},
            "factors": [{"name": n, "path": n, "range": [-3.14, 3.14]} for n in ("x1", "x2", "x3")]}


def test_the_examples_validate():
    names = sorted(p.stem for d in EXPERIMENT_DIRS for p in d.glob("*.toml"))
    assert {"compare-regimes", "sobol-baseline", "morris-screening", "collaboration-threshold", "care-act",
            "reablement"} <= set(names)
    for name in names:
        e = load_experiment(name)
        assert e.point_count() == len(e.design())


@pytest.mark.parametrize(("kind", "extra", "points"), [
    ("sobol", {"size": 8}, 8 * (3 + 2)),
    ("sobol", {"size": 8, "second_order": True}, 8 * (2 * 3 + 2)),
    ("morris", {"size": 5, "levels": 4}, 5 * (3 + 1)),
    ("lhs", {"size": 7}, 7),
])
def test_design_sizes(kind, extra, points):
    e = experiment_from_data({**ISHIGAMI, "design": {"kind": kind, "seed": 1, **extra}}, "t.toml")
    d = e.design()
    assert len(d) == points == e.point_count()
    for n in ("x1", "x2", "x3"):
        assert d[n].between(-3.14, 3.14).all() and d[f"u_{n}"].between(0, 1).all()


def test_factorial_is_every_combination():
    data = {**ISHIGAMI, "design": {"kind": "factorial"},
            "factors": [{"name": "x1", "path": "x1", "range": [0.0, 1.0], "grid": 3},
                        {"name": "x2", "path": "x2", "levels": [0.5, 1.5]}]}
    d = experiment_from_data(data, "t.toml").design()
    assert sorted(zip(d["x1"], d["x2"], strict=True)) == [(a, b) for a in (0.0, 0.5, 1.0) for b in (0.5, 1.5)]


def test_run_ids_are_reused_by_more_seeds_and_a_doubled_sobol_sample():
    small = experiment_from_data(ISHIGAMI, "t.toml").plan()
    doubled = experiment_from_data({**ISHIGAMI, "design": {**ISHIGAMI["design"], "size": 16}}, "t.toml").plan()
    more_seeds = experiment_from_data({**ISHIGAMI, "seeds": {"count": 3}}, "t.toml").plan()
    assert set(small["run_id"]) < set(doubled["run_id"])  # the first N base points are the same
    assert set(small["run_id"]) < set(more_seeds["run_id"])
    assert len(set(more_seeds["run_id"])) == 3 * len(set(small["run_id"]))
    # the id is the run's content, not its place in the design: another sampler seed gives other runs
    other = experiment_from_data({**ISHIGAMI, "design": {**ISHIGAMI["design"], "seed": 2}}, "t.toml").plan()
    assert not set(small["run_id"]) & set(other["run_id"])


def test_scale_and_arrangement_factors_become_changes():
    e = load_experiment("compare-regimes")
    arrangement = next(f for f in e.factors if f.kind == "arrangements")
    assert arrangement.changes("block")["contracting.acute"] == "block"
    data = {"name": "s", "seeds": {"count": 1}, "design": {"kind": "lhs", "size": 2},
            "base": {"changes": {"tariff.elective_spell": 1000.0}},
            "factors": [{"name": "scaled", "paths": ["tariff.emergency_spell", "population.size"], "scale": [0.5, 2.0]}]}
    e = experiment_from_data(data, "t.toml")
    f = e.factors[0]
    base_tariff, base_size = e.base.tariff.emergency_spell, e.base.population.size
    assert f.changes(1.5) == {"tariff.emergency_spell": base_tariff * 1.5, "population.size": round(base_size * 1.5)}
    assert isinstance(f.changes(1.2345)["population.size"], int)  # whole numbers stay whole


# --- bad files: each gives the clear error and exit 2 ----------------------------------------------
GOOD = """
name = "x"
[base]
scenario = "baseline"
steps = 12
[seeds]
count = 2
[design]
kind = "lhs"
size = 4
[[factors]]
name = "growth"
path = "money.allocation_growth"
range = [0.0, 0.03]
"""

BAD = [  # (what is wrong, the file's text, what the message must name: field and a word of what is allowed)
    ("not TOML", "name = \n[[", "(TOML syntax)", "not valid TOML"),
    ("empty", "   \n", "(file)", "empty"),
    ("unknown field", GOOD.replace('name = "x"', 'name = "x"\nspeed = 3'), "speed", "no such field"),
    ("unknown design", GOOD.replace('kind = "lhs"', 'kind = "taguchi"'), "design.kind", "factorial"),
    ("sobol not a power of 2", GOOD.replace('kind = "lhs"\nsize = 4', 'kind = "sobol"\nsize = 6'), "design", "power of 2"),
    ("no such scenario", GOOD.replace('scenario = "baseline"', 'scenario = "atlantis"'), "base.scenario", "known"),
    ("no such path", GOOD.replace("money.allocation_growth", "money.growth_of_money"), "factors.0.path", "known"),
    ("range the wrong way", GOOD.replace("[0.0, 0.03]", "[0.03, 0.0]"), "factors.0", "low < high"),
    ("range end the place refuses", GOOD.replace('path = "money.allocation_growth"\nrange = [0.0, 0.03]',
                                                 'path = "population.size"\nrange = [50, 5000]'),
     "factors.0.range", "population.size"),
    ("level the place refuses", GOOD.replace('path = "money.allocation_growth"\nrange = [0.0, 0.03]',
                                             'path = "hospitals.0.strategy"\nlevels = ["fortress", "sometimes"]'),
     "factors.0.levels", "fortress"),
    ("unknown outcome", GOOD.replace('name = "x"', 'name = "x"\noutcomes = ["happiness"]'), "outcomes.0", "place_balance"),
    ("unknown arrangement", GOOD.replace('path = "money.allocation_growth"\nrange = [0.0, 0.03]',
                                         'arrangements = ["pbr", "barter"]'), "factors.0.arrangements", "known"),
    ("no seeds", GOOD.replace("count = 2", "count = 0"), "seeds.count", "greater than or equal to 1"),
    ("factorial range without grid", GOOD.replace('kind = "lhs"\nsize = 4', 'kind = "factorial"'), "factors.0.grid", "grid"),
    ("two factors on one path", GOOD + '[[factors]]\nname = "g2"\npath = "money.allocation_growth"\nrange = [0.0, 0.01]\n',
     "factors.1", "one factor only"),
    ("factor name not an identifier", GOOD.replace('name = "growth"', 'name = "money growth"'), "factors.0", "identifier"),
    ("a range over text", GOOD.replace('path = "money.allocation_growth"', 'path = "hospitals.0.strategy"'),
     "factors.0.path", "use levels"),
    ("fixed change refused", GOOD.replace("steps = 12", 'steps = 12\nchanges = { "population.size" = -4 }'),
     "base.changes.population.size", "greater than or equal to 100"),
    ("both path and paths", GOOD.replace('path = "money.allocation_growth"', 'path = "money.allocation_growth"\npaths = ["a"]'),
     "factors.0", "path (not paths)"),
]


@pytest.mark.parametrize(("case", "text", "field", "allowed"), BAD, ids=[b[0] for b in BAD])
def test_a_bad_experiment_file_is_refused_clearly(tmp_path, capsys, case, text, field, allowed):
    path = tmp_path / "bad.toml"
    path.write_text(textwrap.dedent(text))
    assert main(["sweep", str(path), "--dry-run"]) == 2, case
    err = capsys.readouterr().err
    assert err.startswith("lhe: error: ") and "Traceback" not in err
    assert str(path) in err, err  # the file
    assert f": {field}" in err or f"{field}:" in err, err  # the field
    assert "got " in err, err  # the value
    assert allowed in err, err  # what is allowed
    with pytest.raises(ExperimentError):
        load_experiment(path)


def test_a_missing_file_is_refused(tmp_path, capsys):
    assert main(["sweep", str(tmp_path / "nope.toml"), "--dry-run"]) == 2
    assert "no such experiment file" in capsys.readouterr().err


def test_dry_run_prints_the_plan_and_runs_nothing(tmp_path, capsys):
    path = tmp_path / "good.toml"
    path.write_text(GOOD)
    out = tmp_path / "out"
    assert main(["sweep", str(path), "--out", str(out), "--dry-run"]) == 0
    printed = capsys.readouterr().out
    assert "4 points x 2 seeds = 8 runs" in printed and "core-hours" in printed
    assert not Path(out).exists()


def test_a_year_rescued_by_national_support_still_counts_as_a_year_in_deficit():
    """years_in_deficit reads the place's own balance at each year end: the balance less the national support
    drawn so far, so a deficit written off from outside the place is not a year out of deficit."""
    import pandas as pd

    from model.experiments.outcomes import OUTCOMES, FinishedRun

    place = pd.DataFrame({"month": [12, 24, 36], "year": [1, 2, 3], "place_balance": [-1e6, 2e6, 1e6],
                          "national_support": [0.0, 3e6, 0.5e6], "place_balance_own": [-1e6, -1e6, 0.5e6]})
    # own balance at the year ends: -1m, -1m, +0.5m
    assert OUTCOMES["years_in_deficit"](FinishedRun(place, None, None)) == 2
