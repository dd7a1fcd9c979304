"""`lhe compare`: payment arrangements run on the same place and the same seeds,
summarised into means with 95% intervals and ranked.

The runs are small (3,000 people, 24 months, 2 seeds) so the whole file takes
seconds; the statistics are checked on a table made by hand.
"""

from __future__ import annotations

import json
import math
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

import model.compare as cmp
from model.cli import main
from model.compare import (
    ARRANGEMENTS,
    LONG_COLUMNS,
    OUTCOMES,
    RunFailedWarning,
    compare,
    plan,
    rank,
    summarise,
)
from model.experiments.runner import RunResult, run_one
from model.metrics import PLACE_COLUMNS
from model.regimes import REGIMES
from model.scenario import ScenarioError

SMALL = {"population.size": 3000}
STEPS = 24
SEEDS = 2
FIRST_SEED = 1  # baseline.toml's run.seed


@pytest.fixture(scope="module")
def long() -> pd.DataFrame:
    """PbR against block for acute care, 2 seeds, in this process."""
    return compare("baseline", ["pbr", "block"], seeds=SEEDS, steps=STEPS, changes=SMALL, processes=1)


# --- what is compared ----------------------------------------------------------------
def test_arrangements_come_from_the_acute_regimes():
    """Every regime that can pay for acute care is an arrangement of the same
    name that puts acute care under it; the others are not."""
    for name, regime in REGIMES.items():
        if "acute" in regime.scopes:
            description, fn = ARRANGEMENTS[name]
            assert description == regime.description
            assert fn(plan("baseline", [name], 1, changes=SMALL).scenario) == {"contracting.acute": name}
        else:
            assert name not in ARRANGEMENTS


def test_outcomes_are_place_table_columns():
    for name, o in OUTCOMES.items():
        assert o.column in PLACE_COLUMNS, name
        assert o.over in ("last", "last_12", "run")
    assert OUTCOMES["place_balance"].higher_is_better
    assert not OUTCOMES["waiting_list"].higher_is_better


def test_the_places_own_balance_leaves_out_the_national_support_drawn():
    """An arrangement under which organisations are rescued more does not rank higher for it on the place's own
    balance (model.metrics): its balance less the national support drawn so far."""
    from model import LocalHealthEconomy, load_scenario

    t = LocalHealthEconomy(load_scenario("teach-place")).run(60).place_table()
    assert t["national_support"].iloc[-1] > 0  # a hospital is rescued at the fifth year end
    np.testing.assert_allclose(t["place_balance_own"], t["place_balance"] - t["national_support"], rtol=0, atol=1e-6)
    assert OUTCOMES["place_balance_own"].of(t) == t["place_balance_own"].iloc[-1] < OUTCOMES["place_balance"].of(t)
    rescued = pd.DataFrame({"month": [1], "place_balance": [9e6], "place_balance_own": [1e6]})
    paid_its_way = pd.DataFrame({"month": [1], "place_balance": [4e6], "place_balance_own": [4e6]})
    long = pd.DataFrame([{"arrangement": a, "seed": seed, "outcome": name, "value": o.of(t)}
                         for a, t in (("rescued", rescued), ("paid_its_way", paid_its_way)) for seed in (1, 2)
                         for name, o in OUTCOMES.items() if name.startswith("place_balance")])
    assert list(rank(summarise(long), by="place_balance")["arrangement"]) == ["rescued", "paid_its_way"]
    assert list(rank(summarise(long), by="place_balance_own")["arrangement"]) == ["paid_its_way", "rescued"]


def test_the_default_ranking_is_the_net_health_benefit():
    """By default the arrangements are ranked on the net health benefit (which, like the place's own balance,
    leaves national support out, tests/test_health.py), not on a balance: here they rank in opposite orders."""
    assert cmp.DEFAULT_RANK == "net_health_benefit"
    rows = [("A", s, "place_balance_own", 5e6 + s) for s in (1, 2)] + [("A", s, "net_health_benefit", 100.0 + s) for s in (1, 2)]
    rows += [("B", s, "place_balance_own", 1e6 + s) for s in (1, 2)] + [("B", s, "net_health_benefit", 300.0 + s) for s in (1, 2)]
    summary = summarise(pd.DataFrame(rows, columns=LONG_COLUMNS))
    assert list(rank(summary)["arrangement"]) == ["B", "A"]
    assert list(rank(summary, by="place_balance_own")["arrangement"]) == ["A", "B"]
    from model.cli import build_parser

    assert build_parser().parse_args(["compare"]).rank_by == cmp.DEFAULT_RANK


def test_register_adds_an_arrangement_that_is_not_a_regime(monkeypatch):
    """One line adds an arrangement; one that returns None does not apply to the place."""
    monkeypatch.setattr(cmp, "ARRANGEMENTS", dict(ARRANGEMENTS))
    cmp.register("pbr_all_collaborative", "PbR with every hospital collaborative",
                 lambda s: {"contracting.acute": "pbr",
                            **{f"hospitals.{i}.strategy": "collaborative" for i in range(len(s.hospitals))}})
    cmp.register("never", "applies to no place", lambda s: None)
    p = plan("baseline", None, 2, steps=STEPS, changes=SMALL)
    assert "pbr_all_collaborative" in p.arrangements and "never" not in p.arrangements
    assert p.changes["pbr_all_collaborative"]["hospitals.0.strategy"] == "collaborative"
    with pytest.raises(ScenarioError, match="does not apply"):
        plan("baseline", ["never"], 2, changes=SMALL)
    with pytest.raises(ValueError, match="already registered"):
        cmp.register("pbr", "again", lambda s: {})


# --- running -------------------------------------------------------------------------
def test_long_table_has_every_arrangement_seed_and_outcome(long):
    assert list(long.columns) == LONG_COLUMNS
    expected = {(a, s, o) for a in ("pbr", "block") for s in (FIRST_SEED, FIRST_SEED + 1) for o in OUTCOMES}
    assert set(zip(long["arrangement"], long["seed"], long["outcome"], strict=True)) == expected
    assert len(long) == len(expected)
    assert long["value"].notna().all()
    assert long.attrs["failed"] == []


def test_same_seed_same_arrangement_same_values(long):
    """A second call, in the other order and on two spawned processes, gives the same values to the last bit."""
    again = compare("baseline", ["block", "pbr"], seeds=SEEDS, steps=STEPS, changes=SMALL, processes=2)
    key = ["arrangement", "seed", "outcome"]
    a = long.set_index(key)["value"].sort_index()
    b = again.set_index(key)["value"].sort_index()
    pd.testing.assert_series_equal(a, b, check_exact=True)


def test_pbr_and_block_differ(long):
    """On the same seed, the two arrangements differ in at least one outcome (common random numbers:
    the only difference between the runs is the arrangement)."""
    wide = long.pivot_table(index=["seed", "outcome"], columns="arrangement", values="value")
    for seed in (FIRST_SEED, FIRST_SEED + 1):
        one = wide.loc[seed]
        assert (one["pbr"] != one["block"]).any(), seed


def test_a_failed_run_is_reported_and_the_rest_go_on(monkeypatch):
    calls = []

    def flaky_run_many(specs, processes=None, on_result=None):
        for spec in specs:
            if spec.arrangement == "block" and spec.seed == FIRST_SEED:
                result = RunResult(spec, None, None, 0.0, "Traceback (most recent call last):\nRuntimeError: boom")
            else:
                result = run_one(spec)
            calls.append(result)
            on_result(result)
            yield result

    monkeypatch.setattr(cmp, "run_many", flaky_run_many)
    with pytest.warns(RunFailedWarning, match="block, seed 1 failed: RuntimeError: boom"):
        out = compare("baseline", ["pbr", "block"], seeds=2, steps=12, changes=SMALL, processes=1)
    assert len(calls) == 4
    assert out.attrs["failed"][0]["arrangement"] == "block" and out.attrs["failed"][0]["seed"] == FIRST_SEED
    assert len(out) == 3 * len(OUTCOMES)
    assert not ((out["arrangement"] == "block") & (out["seed"] == FIRST_SEED)).any()


def test_bad_input_is_refused_with_a_clear_message():
    with pytest.raises(ScenarioError) as e:
        plan("baseline", ["pbr", "nope"], 2)
    assert "'nope'" in str(e.value) and "known: " in str(e.value) and "block" in str(e.value)
    with pytest.raises(ScenarioError, match="capitation.*not for acute"):
        plan("baseline", ["capitation"], 2)
    with pytest.raises(ScenarioError, match="0 or more"):
        plan("baseline", ["pbr"], [3, -1])
    with pytest.raises(ScenarioError, match="at least 1"):
        plan("baseline", ["pbr"], 0)
    with pytest.raises(ScenarioError, match="no scenario of that name"):
        plan("no-such-place", ["pbr"], 2)


# --- statistics, on a table made by hand --------------------------------------------
# The t quantile for a 95% interval with 3 seeds (2 degrees of freedom) has a closed form:
# t(p, 2) = (2p - 1) * sqrt(2 / (4p(1 - p))); p = 0.975: 0.95 * sqrt(2 / 0.0975) = 4.3026527297
T_975_2 = 0.95 * math.sqrt(2 / (4 * 0.975 * 0.025))


def _hand_long() -> pd.DataFrame:
    values = {  # arrangement: (place_balance by seed, waiting_list by seed)
        "A": ([1.0, 2.0, 3.0], [10.0, 10.0, 10.0]),
        "B": ([4.0, 6.0, 8.0], [30.0, 31.0, 32.0]),
        "C": ([0.0, 0.0, 3.0], [5.0, 6.0, 7.0]),
        "D": ([2.0, 4.0, 6.0], [10.0, 10.0, 10.0]),  # ties A on the waiting list, B-1 on balance
    }
    rows = [(a, seed, outcome, v[k][i])
            for a, v in values.items() for i, seed in enumerate((7, 8, 9))
            for k, outcome in enumerate(("place_balance", "waiting_list"))]
    return pd.DataFrame(rows, columns=LONG_COLUMNS)


def test_summarise_gives_the_t_interval_worked_by_hand():
    s = summarise(_hand_long()).set_index(["arrangement", "outcome"])
    # A's balance: 1, 2, 3: mean 2; sd 1; se 1/sqrt(3) = 0.57735; half-width 4.30265 x 0.57735 = 2.48414
    a = s.loc[("A", "place_balance")]
    assert a["mean"] == 2.0 and a["n"] == 3
    assert a["low"] == pytest.approx(2.0 - 2.4841377117, abs=1e-9)
    assert a["high"] == pytest.approx(2.0 + T_975_2 / math.sqrt(3), abs=1e-12)
    # B's balance: 4, 6, 8: mean 6; sd 2; half-width 2 x 2.48414 = 4.96828
    b = s.loc[("B", "place_balance")]
    assert (b["low"], b["high"]) == (pytest.approx(6 - 4.9682754235), pytest.approx(6 + 4.9682754235))
    # A's waiting list does not vary: the interval is the mean
    assert tuple(s.loc[("A", "waiting_list"), ["mean", "low", "high"]]) == (10.0, 10.0, 10.0)


def test_one_seed_interval_is_the_mean():
    one = _hand_long().query("seed == 7")
    s = summarise(one)
    assert (s["low"] == s["mean"]).all() and (s["high"] == s["mean"]).all() and (s["n"] == 1).all()


def test_rank_respects_higher_and_lower_is_better():
    s = summarise(_hand_long())
    # place balance, higher is better: B (6) > D (4) > A (2) > C (1)
    by_balance = rank(s, by="place_balance")
    assert list(by_balance["arrangement"]) == ["B", "D", "A", "C"]
    assert list(by_balance["rank"]) == [1, 2, 3, 4]
    assert by_balance["mean"].tolist() == [6.0, 4.0, 2.0, 1.0]
    # waiting list, lower is better: C (6) < A (10) = D (10) < B (31); A and D share rank 2
    by_wait = rank(s, by="waiting_list")
    assert list(by_wait["arrangement"]) == ["C", "A", "D", "B"]
    assert list(by_wait["rank"]) == [1, 2, 2, 4]
    with pytest.raises(ScenarioError, match="known outcomes"):
        rank(s, by="happiness")


def test_net_health_outcomes_are_whole_run_totals_ranked_higher_first():
    place = pd.DataFrame({"month": [2, 1, 3], "net_monetary_benefit_cumulative": [5.0, 2.0, 9.0],
                          "qalys_cumulative": [20.0, 10.0, 30.0], "qalys_outside_cumulative": [0.5, 0.0, 1.5]})
    for name, total in (("net_monetary_benefit", 9.0), ("qalys", 30.0), ("qalys_outside", 1.5)):
        o = OUTCOMES[name]
        assert o.higher_is_better and o.when == "over the run"
        assert o.of(place) == total  # the running total's last value
    long = pd.DataFrame([(a, 7, "net_monetary_benefit", v) for a, v in (("A", 1.0), ("B", 3.0), ("C", 2.0))],
                        columns=LONG_COLUMNS)
    assert list(rank(summarise(long), by="net_monetary_benefit")["arrangement"]) == ["B", "C", "A"]


def test_the_ranked_tables_headings_say_when_each_measure_is_taken_and_which_way_is_better():
    from model.cli import ranked_table

    long = pd.DataFrame([(a, 7, o, 1.0) for a in ("A", "B") for o in OUTCOMES], columns=LONG_COLUMNS)
    s = summarise(long)
    text = ranked_table(s, rank(s, by="place_balance"), "place_balance", "title", 1)
    heads = [line for line in text.splitlines() if line.lstrip().startswith("#")]
    strategy = next(h for h in heads if "collaborating" in h)
    assert "share collaborating (12-mo mean) ↑" in strategy and "mean trust (end) ↑" in strategy
    assert "in special measures (12-mo mean) ↓" in strategy
    care = next(h for h in heads if "waiting list" in h)
    assert "emergency adm./1,000 (12-mo mean) ↓" in care and "waiting list (end) ↓" in care
    assert "balances, £m, at the end" in text and "*place ↑" in text
    assert "net monetary benefit ↑" in text and "over the run" in text
    # every outcome has a column
    assert sum(h.count("↑") + h.count("↓") for h in heads) == len(OUTCOMES)


# --- the command line ------------------------------------------------------------------
def _args(tmp_path, *more: str) -> list[str]:
    return ["compare", "baseline", "--regimes", "pbr,block", "--seeds", str(SEEDS), "--steps", str(STEPS),
            "--set", "population.size=3000", "--out", str(tmp_path), "--processes", "1", "--quiet", *more]


def test_cli_writes_files_and_prints_a_ranked_table(tmp_path, capsys):
    assert main(_args(tmp_path)) == 0
    printed = capsys.readouterr().out
    for name in ("comparison.parquet", "comparison.png", "run.json"):
        assert (tmp_path / name).is_file(), name
    for a in ("pbr", "block"):
        for seed in (FIRST_SEED, FIRST_SEED + 1):
            assert (tmp_path / "runs" / a / f"seed={seed}" / "place.parquet").is_file()
    written = pd.read_parquet(tmp_path / "comparison.parquet")
    assert len(written) == 2 * SEEDS * len(OUTCOMES)
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["seeds"] == [FIRST_SEED, FIRST_SEED + 1] and record["status"] == "ok"
    assert record["arrangements"]["block"]["contracting.acute"] == "block"
    # the table lists the arrangements best first on the net health benefit, each cell a mean with its interval
    ranked = rank(summarise(written), by="net_health_benefit")
    rows = [line.split() for line in printed.splitlines() if line.split()[1:2] in (["pbr"], ["block"])]
    assert [r[1] for r in rows[:2]] == list(ranked["arrangement"])
    assert [int(r[0]) for r in rows[:2]] == list(ranked["rank"])
    assert "ranked by *net health benefit" in printed and "±" in printed


def test_cli_rank_by_a_lower_is_better_outcome(tmp_path, capsys):
    assert main(_args(tmp_path, "--rank-by", "emergency_admissions_per_1000")) == 0
    printed = capsys.readouterr().out
    ranked = rank(summarise(pd.read_parquet(tmp_path / "comparison.parquet")), by="emergency_admissions_per_1000")
    rows = [line.split()[1] for line in printed.splitlines() if line.split()[1:2] in (["pbr"], ["block"])]
    assert rows[:2] == list(ranked["arrangement"])
    assert "lower is better" in printed.splitlines()[1]


def test_cli_keeps_finished_runs_when_one_fails(tmp_path, capsys, monkeypatch):
    def flaky_run_many(specs, processes=None, on_result=None):
        for spec in specs:
            ok = not (spec.arrangement == "pbr" and spec.seed == FIRST_SEED + 1)
            result = run_one(spec) if ok else RunResult(spec, None, None, 0.0, "Traceback\nRuntimeError: boom")
            on_result(result)
            yield result

    monkeypatch.setattr(cmp, "run_many", flaky_run_many)
    assert main(_args(tmp_path)) == 1
    err = capsys.readouterr().err
    assert "pbr, seed 2 failed" in err and "boom" in err
    assert (tmp_path / "runs" / "block" / "seed=2" / "place.parquet").is_file()
    assert not (tmp_path / "runs" / "pbr" / "seed=2").exists()
    record = json.loads((tmp_path / "run.json").read_text())
    assert record["status"] == "failed" and record["failed_runs"] == [{"arrangement": "pbr", "seed": 2}]


def test_cli_unknown_regime_exits_2_naming_it(tmp_path, capsys):
    args = _args(tmp_path)
    args[args.index("pbr,block")] = "pbr,fortress_tariff"
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "fortress_tariff" in err and "known:" in err and "Traceback" not in err
    assert not (tmp_path / "comparison.parquet").exists()


def test_cli_negative_seeds_exit_2(tmp_path, capsys):
    args = _args(tmp_path)
    args[args.index("--seeds") + 1] = "-3"
    with pytest.raises(SystemExit) as e:
        main(args)
    assert e.value.code == 2
    assert "--seeds" in capsys.readouterr().err


def test_cli_unknown_scenario_exits_2(tmp_path, capsys):
    args = _args(tmp_path)
    args[1] = "no-such-place"
    assert main(args) == 2
    assert "no-such-place" in capsys.readouterr().err


def test_lhe_regimes_lists_parameters(capsys, monkeypatch):
    from model.regimes.base import Parameter

    fake = SimpleNamespace(description="A test regime", scopes=frozenset({"acute"}),
                           parameters={"test_share": Parameter(0.25, "a share for the test", 0.0, 0.5)})
    monkeypatch.setitem(REGIMES, "zz_test", fake)
    assert main(["regimes"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    i = next(k for k, line in enumerate(lines) if line.startswith("zz_test"))
    assert lines[i + 1].split()[:5] == ["test_share", "default", "0.25", "range", "0"]
    assert "0 to 0.5" in lines[i + 1] and "a share for the test" in lines[i + 1]
    for name, regime in REGIMES.items():
        assert any(line.startswith(name) for line in lines)
        for p in regime.parameters:
            assert any(line.split()[:1] == [p] for line in lines), (name, p)


# --- under both headroom conventions ----------------------------------------------------
def test_agreement_says_which_outcomes_order_the_arrangements_alike():
    """Ranks side by side under each setting; an outcome agrees when every setting ranks alike (ties included)."""
    def summary(values: dict[tuple[str, str], float]) -> pd.DataFrame:
        return summarise(pd.DataFrame([(a, s, o, v + s * 1e-3) for (a, o), v in values.items() for s in (1, 2)],
                                      columns=LONG_COLUMNS))

    spent = summary({("A", "net_health_benefit"): 10, ("B", "net_health_benefit"): 20, ("C", "net_health_benefit"): 5,
                     ("A", "place_balance_own"): 3, ("B", "place_balance_own"): 1, ("C", "place_balance_own"): 1,
                     ("A", "waiting_list"): 7, ("B", "waiting_list"): 7, ("C", "waiting_list"): 9})
    banked = summary({("A", "net_health_benefit"): 11, ("B", "net_health_benefit"): 21, ("C", "net_health_benefit"): 6,
                      ("A", "place_balance_own"): 1, ("B", "place_balance_own"): 4, ("C", "place_balance_own"): 2,
                      ("A", "waiting_list"): 7, ("B", "waiting_list"): 8, ("C", "waiting_list"): 9})
    side = cmp.ranks_under({"spent": spent, "banked": banked})
    assert list(side.columns) == ["outcome", "arrangement", "rank spent", "mean spent", "rank banked", "mean banked"]
    nhb = side[side["outcome"] == "net_health_benefit"].set_index("arrangement")
    assert nhb.loc[["A", "B", "C"], "rank spent"].tolist() == [2, 1, 3] == nhb.loc[["A", "B", "C"], "rank banked"].tolist()
    assert nhb.loc["B", "mean banked"] == pytest.approx(21.0015)
    agree = cmp.agreement(side).set_index("outcome")
    assert bool(agree.loc["net_health_benefit", "same_order"])
    assert not agree.loc["place_balance_own", "same_order"]
    assert agree.loc["place_balance_own", "best spent"] == "A" and agree.loc["place_balance_own", "best banked"] == "B"
    assert agree.loc["place_balance_own", "moved"] == 2 and agree.loc["net_health_benefit", "moved"] == 0  # C is 2nd in both
    # A and B tie on the waiting list when spent (both rank 1) but not when banked: a different order
    assert not agree.loc["waiting_list", "same_order"]
    assert agree.loc["waiting_list", "best spent"] == "A, B" and agree.loc["waiting_list", "moved"] == 1
    with pytest.raises(ValueError, match="no summaries"):
        cmp.ranks_under({})


def test_swaps_judge_each_change_of_order_seed_by_seed():
    """A pair whose order turns between two settings is judged on its paired differences under each: turned round
    beyond chance (both intervals exclude 0, on opposite sides), holding under one setting only, or noise under both.
    The seeds spread the values by hundreds, so only pairing tells these apart."""
    base = {1: 100.0, 2: 200.0, 3: 300.0}
    offsets = {  # arrangement -> (offsets under the first setting, under the second), seed by seed
        "A": ((3, 3, 3), (-2, -2, -2)),
        "B": ((0, 0, 0), (0, 0, 0)),
        "C": ((1, 1, 1), (-3, 1, -1)),
        "D": ((3, -1, 1), (-3, 1, -1)),
    }

    def long(k: int, outcome: str = "net_health_benefit") -> pd.DataFrame:
        return pd.DataFrame([(a, s, outcome, v + off[k][i]) for a, off in offsets.items()
                             for i, (s, v) in enumerate(base.items())], columns=LONG_COLUMNS)

    out = cmp.swaps({"spent": long(0), "banked": long(1)})
    got = {(r["a"], r["b"]): r["verdict"] for r in out.to_dict("records")}
    # C and D tie on the mean under the first setting (both +1 over B): a tie is not a change of order
    assert got == {("A", "B"): "both ways", ("C", "B"): "one way", ("D", "B"): "within chance",
                   ("A", "C"): "one way", ("A", "D"): "within chance"}
    ab = out.set_index(["a", "b"]).loc[("A", "B")]
    assert (ab["first"], ab["second"]) == ("spent", "banked")
    assert (ab["mean first"], ab["low first"], ab["high first"]) == pytest.approx((3.0, 3.0, 3.0))
    assert ab["mean second"] == pytest.approx(-2.0) and ab["gap mean"] == pytest.approx(5.0) and ab["n"] == 3
    # lower is better: the same values as waiting lists order the arrangements the other way round, so each
    # pair is named from the other side and judged alike
    lists = cmp.swaps({"spent": long(0, "waiting_list"), "banked": long(1, "waiting_list")})
    assert {(r["b"], r["a"]): r["verdict"] for r in lists.to_dict("records")} == got
    # the same order under both: nothing swapped
    assert cmp.swaps({"spent": long(0), "banked": long(0)}).empty
    with pytest.raises(ValueError, match="two settings"):
        cmp.swaps({"a": long(0), "b": long(1), "c": long(0)})
    # three settings: each after the first against the first; the third orders as the first, so swaps nothing
    longs = {"spent": long(0), "banked": long(1), "again": long(0)}
    three = cmp.swaps_against_first(longs)
    assert set(three["second"]) == {"banked"} and len(three) == len(out)
    from model.cli import settings_table

    lines = settings_table({k: summarise(v) for k, v in longs.items()}, "net_health_benefit", "x.y", None, longs).splitlines()
    at = lines.index("  net health benefit: 2 of 4 moved; best: A spent; B banked; A again")
    assert lines[at + 1] == ("    spent against banked, pairs swapped 5: both ways 1, one way 2, within chance 2; "
                             "Holm: both ways 1, one way 2, within chance 2")  # the differences beyond chance do not vary
    assert lines[at + 2] == "      both ways: A less B: spent 3.0 (3.0 to 3.0); banked -2.0 (-2.0 to -2.0)"
    assert "    spent against again, no pair swapped" in lines[at + 3:]


def test_holm_adjusts_a_family_of_p_values_step_down():
    """Holm's method on hand-worked values and against statsmodels' own; NaN is left out of the family."""
    assert cmp.holm([0.01, 0.04, 0.03, 0.005]) == pytest.approx([0.03, 0.06, 0.06, 0.02])
    got = cmp.holm([0.2, math.nan, 0.01, 0.9])
    assert math.isnan(got[1]) and [got[0], got[2], got[3]] == pytest.approx([0.4, 0.03, 0.9])
    assert cmp.holm([]).shape == (0,)
    from statsmodels.stats.multitest import multipletests

    rng = np.random.default_rng(7)
    p = rng.uniform(0, 0.2, 25)
    assert cmp.holm(p) == pytest.approx(multipletests(p, method="holm")[1])


def test_swaps_p_values_agree_with_their_intervals_and_holm_judges_the_table_together():
    """A pair's interval excludes 0 exactly when its t test's p is below 5%. The corrected verdicts adjust every
    p-value of the table together: a pair called beyond chance on its own is within chance among many."""
    from scipy.stats import ttest_1samp

    rng = np.random.default_rng(3)
    d = rng.normal(0.5, 1.0, 12)
    lo_hi = cmp.t_interval(d)[1:3]
    assert cmp.t_p_value(d) == pytest.approx(ttest_1samp(d, 0.0).pvalue)
    assert (lo_hi[0] > 0 or lo_hi[1] < 0) == (cmp.t_p_value(d) < 0.05)
    assert math.isnan(cmp.t_p_value([1.0])) and cmp.t_p_value([2.0, 2.0]) == 0.0 and cmp.t_p_value([0.0, 0.0]) == 1.0
    seeds = range(1, 13)
    # X leads Y by about 0.75 (sd 0.6) under the first setting and trails it by as much under the second:
    # on their own both intervals exclude 0; among the pairs of 8 arrangements, most swap by noise alone
    rows = []
    for k in (0, 1):
        noise = np.random.default_rng(11 + k)
        for s in seeds:
            rows.append(("X", s, "net_health_benefit", 1000.0 * s + (0.75 if k == 0 else -0.75) + noise.normal(0, 0.6)))
            rows.append(("Y", s, "net_health_benefit", 1000.0 * s))
            for j in range(6):  # six more arrangements, each a little above or below Y at random per setting
                rows.append((f"N{j}", s, "net_health_benefit", 1000.0 * s + noise.normal(0.02 * (j - 2.5) * (1 - 2 * k), 1.0)))
    long = pd.DataFrame(rows, columns=LONG_COLUMNS)
    half = len(long) // 2
    out = cmp.swaps({"one": long.iloc[:half].reset_index(drop=True), "two": long.iloc[half:].reset_index(drop=True)})
    xy = out.set_index(["a", "b"]).loc[("X", "Y")]
    assert xy["verdict"] == "both ways" and xy["p first"] < 0.05 and xy["p second"] < 0.05
    family = 2 * len(out)
    assert family > 10
    adjusted = cmp.holm(np.concatenate([out["p first"], out["p second"]]))
    at = int(np.flatnonzero((out["a"] == "X") & (out["b"] == "Y"))[0])  # the pair's row: its p first, then p second
    assert xy["verdict holm"] == cmp._verdict(tuple(int(np.sign(m)) if q < 0.05 else 0 for m, q in
                                                    ((xy["mean first"], adjusted[at]), (xy["mean second"], adjusted[len(out) + at]))))
    # never more beyond chance after the correction than before, and on this table fewer
    rank_of = {v: i for i, v in enumerate(cmp.SWAP_VERDICTS)}
    assert all(rank_of[h] >= rank_of[v] for v, h in zip(out["verdict"], out["verdict holm"], strict=True))
    assert (out["verdict holm"] != out["verdict"]).any()


def test_cli_compares_under_both_headroom_conventions_on_the_same_seeds(tmp_path, capsys, monkeypatch):
    """`--headroom both`: a whole comparison under each convention in its own folder, then the two side by side;
    the banked runs buy nothing outside the model, the spent ones do. Run again, it resumes without running."""
    assert main(_args(tmp_path, "--headroom", "both")) == 0
    printed = capsys.readouterr().out
    for c, value in cmp.CONVENTIONS.items():
        folder = tmp_path / f"headroom-{c}"
        for name in ("comparison.parquet", "comparison.png", "run.json", "COMPLETE.json"):
            assert (folder / name).is_file(), (c, name)
        record = json.loads((folder / "run.json").read_text())
        assert all(ch[cmp.HEADROOM] == value for ch in record["arrangements"].values())
        assert record["seeds"] == [FIRST_SEED, FIRST_SEED + 1]
        outside = pd.read_parquet(folder / "comparison.parquet").query("outcome == 'qalys_outside'")["value"]
        assert len(outside) == 2 * SEEDS and ((outside > 0) if value else (outside == 0)).all(), c
    for name in ("conventions.parquet", "conventions.png", "COMPLETE.json"):
        assert (tmp_path / name).is_file(), name
    side = pd.read_parquet(tmp_path / "conventions.parquet")
    for c in cmp.CONVENTIONS:  # the side-by-side ranks are each folder's own ranking
        ranked = rank(summarise(pd.read_parquet(tmp_path / f"headroom-{c}" / "comparison.parquet")), by="net_health_benefit")
        mine = side[side["outcome"] == "net_health_benefit"].set_index("arrangement")[f"rank {c}"]
        assert mine.loc[ranked["arrangement"]].tolist() == ranked["rank"].tolist()
    assert "under both conventions for commissioners' headroom" in printed
    differ = printed.split("outcomes whose order differs")[1]
    # banked, nothing is bought outside: both tie at 0 (rank 1), so block moves up from 2nd
    lines = differ.splitlines()
    at = lines.index("  QALYs bought outside: 1 of 2 moved; best: pbr spent; pbr, block banked")
    assert lines[at + 1] == "    no pair swapped: the order differs by ties alone"
    swapped = pd.read_parquet(tmp_path / "swaps.parquet")  # every pair that swapped, judged seed by seed
    assert set(swapped["verdict"]) <= set(cmp.SWAP_VERDICTS) and "qalys_outside" not in set(swapped["outcome"])
    for r in swapped.to_dict("records"):  # the pair is counted under its outcome's line
        heading = OUTCOMES[r["outcome"]].heading
        assert any(x.startswith(f"  {heading}: ") for x in lines), heading

    def no_runs(*a, **k):
        raise AssertionError("a finished comparison was run again")

    monkeypatch.setattr(cmp, "run_many", no_runs)
    assert main(_args(tmp_path, "--headroom", "both")) == 0
    assert "resuming" in capsys.readouterr().err


def test_cli_headroom_one_convention_and_a_clash_with_set(tmp_path, capsys):
    assert main(_args(tmp_path / "banked", "--headroom", "banked")) == 0
    outside = pd.read_parquet(tmp_path / "banked" / "comparison.parquet").query("outcome == 'qalys_outside'")["value"]
    assert len(outside) == 2 * SEEDS and (outside == 0).all()
    capsys.readouterr()
    assert main(_args(tmp_path / "clash", "--headroom", "both", "--set", f"{cmp.HEADROOM}=0")) == 2
    err = capsys.readouterr().err
    assert cmp.HEADROOM in err and "--headroom sets it" in err
    assert not (tmp_path / "clash").exists()


def test_cli_compares_across_the_settings_of_any_parameter(tmp_path, capsys, monkeypatch):
    """`--across PATH=V1,V2`: a whole comparison under each setting, in its own folder, then side by side. The
    councils' price of a QALY is a valuation, not a lever: every run's people are as they were, and only the net
    health benefit moves (by the councils' own money over each price)."""
    price = "net_health.council_cost_per_qaly"
    assert main(_args(tmp_path, "--across", f"{price}=3800,54224")) == 0
    printed = capsys.readouterr().out
    longs = {}
    for v in (3800, 54224):
        folder = tmp_path / f"council_cost_per_qaly-{v}"
        for name in ("comparison.parquet", "comparison.png", "run.json", "COMPLETE.json"):
            assert (folder / name).is_file(), (v, name)
        record = json.loads((folder / "run.json").read_text())
        assert all(ch[price] == v for ch in record["arrangements"].values())
        longs[v] = pd.read_parquet(folder / "comparison.parquet").set_index(["arrangement", "seed", "outcome"])["value"]
    for name in ("settings.parquet", "settings.png", "swaps.parquet", "COMPLETE.json"):
        assert (tmp_path / name).is_file(), name
    cheap, dear = longs[3800], longs[54224]
    assert cheap.xs("qalys", level="outcome").equals(dear.xs("qalys", level="outcome"))
    assert cheap.xs("place_balance_own", level="outcome").equals(dear.xs("place_balance_own", level="outcome"))
    assert not np.allclose(cheap.xs("net_health_benefit", level="outcome"), dear.xs("net_health_benefit", level="outcome"))
    side = pd.read_parquet(tmp_path / "settings.parquet")
    assert {"rank 3800", "rank 54224"} <= set(side.columns)
    assert f"under each setting of {price} (3800, 54224), the same seeds" in printed
    assert "outcomes ordering the arrangements alike under both: " in printed
    assert "council_cost_per_qaly-3800/, council_cost_per_qaly-54224/" in printed

    def no_runs(*a, **k):
        raise AssertionError("a finished comparison was run again")

    monkeypatch.setattr(cmp, "run_many", no_runs)
    assert main(_args(tmp_path, "--across", f"{price}=3800,54224")) == 0
    assert "resuming" in capsys.readouterr().err


def test_cli_across_a_regimes_term_reaches_only_the_arrangements_taking_it(tmp_path, capsys):
    """Across the corridor's width, the corridor's runs differ and Payment by Results' are the same to the row."""
    args = ["compare", "baseline", "--regimes", "pbr,block_corridor", "--seeds", "1", "--steps", str(STEPS),
            "--set", "population.size=3000", "--out", str(tmp_path), "--processes", "1", "--quiet",
            "--across", "contracting.terms.corridor=0.0,0.5"]
    assert main(args) == 0
    place = {(a, w): pd.read_parquet(tmp_path / f"corridor-{w}" / "runs" / a / f"seed={FIRST_SEED}" / "place.parquet")
             for a in ("pbr", "block_corridor") for w in ("0.0", "0.5")}
    assert place[("pbr", "0.0")].equals(place[("pbr", "0.5")])
    assert not place[("block_corridor", "0.0")]["balance_hospital"].equals(place[("block_corridor", "0.5")]["balance_hospital"])
    assert "under each setting of contracting.terms.corridor (0.0, 0.5)" in capsys.readouterr().out


@pytest.mark.parametrize(("more", "words"), [
    (("--across", "net_health.council_cost_per_qaly=3800"), "two to four values"),
    (("--across", "net_health.council_cost_per_qaly=1000,1000.0"), "each value once"),
    (("--across", "net_health.council_cost_per_qaly=3800,5"), "100 to 1,000,000"),
    (("--across", "net_health.no_such=1,2"), "no field 'no_such'"),
    (("--across", "contracting.acute=pbr,block"), "arrangement block sets contracting.acute itself"),
    (("--across", "money.commissioner_headroom_spent=1,0", "--headroom", "banked"), "--headroom sets it"),
    (("--across", "population.size=3000,4000"), "--set sets it"),
    (("--across", "run.steps=3,4", "--headroom", "both"), "--headroom both is already"),
    (("--across", "contracting.terms.withhold=0.1,0.2"), "not a parameter of any compared arrangement's regimes"),
    (("--across", "run.seed=1,2"), "the seeds are the comparison's own"),
    (("--across", "run.steps=3,4"), "--steps sets it"),
    (("--across", 'hospitals.0.strategy="fortress",fortress'), "each value once"),
    (("--across", 'description="a b","a_b"'), "differ in more than punctuation"),
])
def test_cli_across_refuses_what_it_cannot_compare(tmp_path, capsys, more, words):
    """Each refusal names the option and says what is allowed; nothing is run or written."""
    assert main(_args(tmp_path / "out", *more)) == 2
    err = capsys.readouterr().err
    assert "--across" in err and words in err, err
    assert not (tmp_path / "out").exists()


def test_across_reads_values_as_toml_split_at_top_level_commas():
    from model.overrides import parse_across

    a = parse_across("demand.x=[1, 2],[3, 4]")
    assert a.path == "demand.x" and a.values == ([1, 2], [3, 4]) and a.labels == ("[1, 2]", "[3, 4]")
    b = parse_across('hospitals.0.strategy="fortress", collaborative')
    assert b.values == ("fortress", "collaborative") and b.labels == ('"fortress"', "collaborative")
    assert parse_across("x.y=1,2.5,true").values == (1, 2.5, True)


def test_the_chart_draws_several_settings_side_by_side(tmp_path):
    from model.compare_report import comparison_chart

    long = pd.DataFrame([(a, s, "waiting_list", 10.0 * s + (a == "B")) for a in "AB" for s in (1, 2)], columns=LONG_COLUMNS)
    path = comparison_chart({"spent": long, "banked": long.assign(value=long["value"] + 1)}, tmp_path / "c.png", "t")
    assert path.is_file() and path.stat().st_size > 0
    with pytest.raises(ValueError, match="one to 4"):
        comparison_chart({str(i): long for i in range(5)}, tmp_path / "d.png", "t")


# --- paired with the best ---------------------------------------------------------------
def test_paired_differences_are_taken_seed_by_seed():
    """On common seeds a difference is taken within each seed: here B is 1 above A on every seed while both
    spread by tens across seeds, so the unpaired intervals overlap and the paired one is exactly 1 wide at 0."""
    base = {1: 10.0, 2: 40.0, 3: 70.0}
    rows = [("A", s, "net_health_benefit", v) for s, v in base.items()]
    rows += [("B", s, "net_health_benefit", v + 1.0) for s, v in base.items()]
    rows += [("C", s, "net_health_benefit", v + d) for (s, v), d in zip(base.items(), (-2.0, 1.0, -2.0), strict=True)]
    rows += [("C", s, "waiting_list", v) for s, v in base.items()] + [("A", s, "waiting_list", v + 5) for s, v in base.items()]
    long = pd.DataFrame(rows, columns=LONG_COLUMNS)
    s = summarise(long).set_index(["arrangement", "outcome"])
    assert s.loc[("A", "net_health_benefit"), "high"] > s.loc[("B", "net_health_benefit"), "low"]  # unpaired: overlap
    p = cmp.paired_with(long, "net_health_benefit", "A").set_index("arrangement")
    assert list(p.index) == ["B", "C"]
    assert p.loc["B", "mean"] == pytest.approx(1.0) and p.loc["B", "low"] == pytest.approx(1.0) == p.loc["B", "high"]
    assert (p.loc["B", "better"], p.loc["B", "worse"], p.loc["B", "n"]) == (3, 0, 3)
    assert p.loc["C", "mean"] == pytest.approx(-1.0) and (p.loc["C", "better"], p.loc["C", "worse"]) == (1, 2)
    assert p.loc["C", "low"] < -1.0 < p.loc["C", "high"]
    # the p-values: B's difference never varies (0), C's is within chance; Holm multiplies the larger by 1, the
    # smaller by the 2 compared, keeping the order
    from scipy.stats import ttest_1samp

    assert p.loc["B", "p"] == 0.0 and p.loc["C", "p"] == pytest.approx(ttest_1samp([-2.0, 1.0, -2.0], 0.0).pvalue)
    assert p.loc["C", "p holm"] == pytest.approx(p.loc["C", "p"]) and p.loc["B", "p holm"] == 0.0
    # lower is better: A's list is 5 longer on every seed, so A does worse than C on each
    w = cmp.paired_with(long, "waiting_list", "C").set_index("arrangement")
    assert w.loc["A", "mean"] == pytest.approx(5.0) and (w.loc["A", "better"], w.loc["A", "worse"]) == (0, 3)
    # only the seeds both finished count
    p2 = cmp.paired_with(long[~((long["arrangement"] == "B") & (long["seed"] == 3))], "net_health_benefit", "A")
    assert p2.set_index("arrangement").loc["B", "n"] == 2
    with pytest.raises(ValueError, match="no runs of arrangement 'Z'"):
        cmp.paired_with(long, "net_health_benefit", "Z")


def test_cli_prints_each_arrangement_paired_with_the_best(tmp_path, capsys):
    assert main(_args(tmp_path)) == 0
    printed = capsys.readouterr().out
    long = pd.read_parquet(tmp_path / "comparison.parquet")
    ranked = rank(summarise(long), by="net_health_benefit")
    best, other = ranked["arrangement"].tolist()
    r = cmp.paired_with(long, "net_health_benefit", best).set_index("arrangement").loc[other]
    lines = printed.split(f"paired with the best, {best}, on the same seeds")[1].splitlines()
    row = next(line.split() for line in lines if line.split()[1:2] == [other])
    assert row[0] == "2" and float(row[2].replace(",", "")) == pytest.approx(round(r["mean"], 1), abs=0.051)
    assert " ".join(row[-5:]) == f"{int(r['better'])} / {int(r['worse'])} of {SEEDS}"
    assert row[-6] == ("<0.001" if r["p holm"] < 0.001 else f"{r['p holm']:.3f}")  # one pair: Holm leaves p as it is
    assert r["p holm"] == r["p"]
