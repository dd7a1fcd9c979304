"""Analyses checked against cases whose answers are known by hand, sent through the same experiment files,
designs, runner, storage and analysis code as the place: the Ishigami function's Sobol indices, a linear
function's Morris ranking; and an incomplete design refused with the runs it lacks."""

from __future__ import annotations

import math
import textwrap

import numpy as np
import pytest
from sweep_cases import quiet

from model.cli import main
from model.experiments import analyse as A
from model.experiments.runner import Inline, LocalProcesses
from model.experiments.simulators import ishigami_indices
from model.experiments.spec import load_experiment
from model.experiments.sweep import run_sweep

PI = math.pi
ISHIGAMI = f"""
name = "ishigami"
simulator = "ishigami"
[base.changes]
noise = {{noise}}
[seeds]
count = {{seeds}}
[design]
kind = "sobol"
size = {{size}}
seed = 7
[[factors]]
name = "x1"
path = "x1"
range = [{-PI!r}, {PI!r}]
[[factors]]
name = "x2"
path = "x2"
range = [{-PI!r}, {PI!r}]
[[factors]]
name = "x3"
path = "x3"
range = [{-PI!r}, {PI!r}]
"""


def _sweep(tmp_path, text: str, executor=None, name: str = "e.toml"):
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    out = tmp_path / (path.stem + "-out")
    result = run_sweep(load_experiment(path), out, executor=executor or Inline(), progress=False, say=quiet,
                       flush_runs=2000)
    return out, result


def test_sobol_recovers_the_ishigami_indices(tmp_path):
    out, result = _sweep(tmp_path, ISHIGAMI.format(noise=0.0, seeds=1, size=1024))
    assert result.complete and result.finished == 1024 * 5
    table = A.sobol(out, resamples=200).tables["sobol"].set_index("factor")
    truth = ishigami_indices()
    for x in ("x1", "x2", "x3"):
        assert table.loc[x, "S1"] == pytest.approx(truth["S1"][x], abs=0.05), x
        assert table.loc[x, "ST"] == pytest.approx(truth["ST"][x], abs=0.05), x
    # x3 acts only with x1: no first-order effect, a clear total one
    assert table.loc["x3", "S1"] < 0.05 < 0.2 < table.loc["x3", "ST"]
    assert table["seed_noise_share"].isna().all()  # one seed: no noise to measure


def test_seed_noise_share_is_the_variance_within_points(tmp_path):
    """Noise added from each run's seed shows as variance within points; without it the share is 0."""
    noisy, _ = _sweep(tmp_path, ISHIGAMI.format(noise=3.0, seeds=3, size=64), name="noisy.toml")
    clean, _ = _sweep(tmp_path, ISHIGAMI.format(noise=0.0, seeds=3, size=64), name="clean.toml")
    share = A.sobol(noisy, resamples=50).tables["sobol"]["seed_noise_share"].iloc[0]
    # the function's variance is about 13.8 (Ishigami, a=7, b=0.1) and the noise's 9: within/total about 9/22.8
    assert 0.25 < share < 0.55
    assert A.sobol(clean, resamples=50).tables["sobol"]["seed_noise_share"].iloc[0] == 0.0


LINEAR = """
name = "linear"
simulator = "linear"
[seeds]
count = 2
[design]
kind = "morris"
size = 12
levels = 4
seed = 5
[[factors]]
name = "x3"
path = "x3"
range = [0.0, 1.0]
[[factors]]
name = "x1"
path = "x1"
range = [0.0, 1.0]
[[factors]]
name = "x4"
path = "x4"
range = [0.0, 1.0]
[[factors]]
name = "x2"
path = "x2"
range = [0.0, 1.0]
"""


def test_morris_ranks_a_linear_functions_factors_by_their_weights(tmp_path):
    """y = 10 x1 + 5 x2 + 1 x3 + 0 x4: mu* of each factor is its weight, sigma is 0 (no interaction)."""
    out, result = _sweep(tmp_path, LINEAR, executor=LocalProcesses(2))
    assert result.complete
    table = A.morris(out, resamples=100).tables["morris"].set_index("factor")
    assert table["rank"].to_dict() == {"x1": 1, "x2": 2, "x3": 3, "x4": 4}
    np.testing.assert_allclose(table.loc[["x1", "x2", "x3", "x4"], "mu_star"], [10.0, 5.0, 1.0, 0.0], atol=1e-9)
    np.testing.assert_allclose(table["sigma"], 0.0, atol=1e-9)


def test_an_incomplete_sobol_design_is_refused_naming_what_is_missing(tmp_path, capsys):
    path = tmp_path / "e.toml"
    path.write_text(ISHIGAMI.format(noise=0.0, seeds=1, size=8))
    out = tmp_path / "out"
    stop_after = iter(range(30))

    def interrupt(result):
        if next(stop_after) == 29:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_sweep(load_experiment(path), out, executor=Inline(), progress=False, say=quiet, on_result=interrupt)
    with pytest.raises(A.IncompleteDesign, match="10 of 40 are missing"):
        A.sobol(out)
    assert main(["analyse", str(out)]) == 2
    err = capsys.readouterr().err
    assert "point 30 seed 1 (missing)" in err and "lhe sweep" in err and "Traceback" not in err
    assert main(["sweep", str(path), "--out", str(out), "--quiet", "--processes", "0"]) == 0
    capsys.readouterr()
    assert main(["analyse", str(out)]) == 0
    printed = capsys.readouterr().out
    assert "sobol" in printed and "x3" in printed and (out / "analysis" / "sobol.parquet").is_file()


FACTORIAL = """
name = "factorial"
simulator = "linear"
[seeds]
count = 3
[design]
kind = "factorial"
[[factors]]
name = "x1"
path = "x1"
levels = [0.0, 1.0]
[[factors]]
name = "x2"
path = "x2"
range = [0.0, 1.0]
grid = 3
"""


def test_factorial_main_effects_by_hand(tmp_path):
    """y = 10 x1 + 5 x2 + 0.5 + 0 (x3 = 0.5, w3 = 1; x4 weight 0). Level means: x1 = 0 gives 5 x2 mean (2.5)
    + 0.5 = 3.0, x1 = 1 gives 13.0; the grand mean is 8.0, so the effects are -5 and +5, the same on every seed."""
    out, _ = _sweep(tmp_path, FACTORIAL)
    t = A.main_effects(out).tables["main_effects"].set_index(["factor", "level"])
    assert t.loc[("x1", "0.0"), "mean"] == pytest.approx(3.0) and t.loc[("x1", "1.0"), "mean"] == pytest.approx(13.0)
    assert t.loc[("x1", "0.0"), "effect"] == pytest.approx(-5.0) and t.loc[("x1", "1.0"), "effect"] == pytest.approx(5.0)
    assert t.loc[("x2", "1.0"), "effect"] == pytest.approx(2.5)  # 5 x (1 - 0.5)
    assert (t["seeds"] == 3).all() and (t["low"] <= t["mean"]).all() and (t["mean"] <= t["high"]).all()
