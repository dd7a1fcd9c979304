"""The documentation's chart tools (tools/*_charts.py) still import against the model and the
pattern settings, and the scenario charts cover every file in scenarios/. Running them takes
minutes (make pattern-charts, make scenario-charts); this only catches a name gone missing."""

import importlib.util
import json
import os
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"tool_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["pattern_charts", "pattern_sensitivity", "pattern_replication", "scenario_charts",
                                  "experiment_charts"])
def test_a_chart_tool_imports(name):
    assert callable(load(name).main)


def test_the_scenario_charts_document_every_scenario_file():
    files = {p.stem for p in (ROOT / "scenarios").glob("*.toml")}
    assert set(load("scenario_charts").cases()) == files


def test_every_assumption_the_pattern_ranges_move_is_a_field_of_its_place():
    """docs/patterns.md section 5 moves one assumption at a time: each change must load on its place."""
    from model import load_scenario

    tool = load("pattern_charts")
    r = tool.Runs((1,), {})
    claims = tool._range_claims(r)
    assert {c[0] for c in claims} == {"1. fortress", "2. collaborative", "3. commons", "4. regulation"}
    for _, _, shown, _, (arms, name, _) in claims:
        assert len(shown) >= 3 and name in ("admissions", "nmb", "harm", "share", "bend")
        for _, changes in shown:
            for pair in arms(changes):
                for place, settings in pair:
                    load_scenario(place).with_changes(settings)


def test_every_rule_the_patterns_are_measured_under_loads_on_each_place_and_keeps_the_fortress_pair_alike():
    """docs/patterns.md section 6 measures each pattern under other rules: each rule must load on every
    place under both conventions, and the fortress pattern's two places must still start from the same
    levers (a rule's change to the fortress bundles goes into the collaborative ones standing in for them)."""
    from model import load_scenario

    tool = load("pattern_charts")
    claims = tool._rule_claims()
    assert {c[0] for c in claims} == {"1. fortress", "2. collaborative", "3. commons", "4. regulation"}
    for _, rule in tool.RULES:
        for convention in (tool.SPENT, tool.BANKED):
            for _, _, arms, name, _, _ in claims:
                assert name in ("admissions", "nmb", "harm", "share", "bend", "council", "dip")
                for place, settings in arms({**convention, **rule}):
                    load_scenario(place).with_changes(settings)
        (fortress, a), (same, b) = tool._fortress_pair(dict(rule))
        sa, sb = load_scenario(fortress).with_changes(a), load_scenario(same).with_changes(b)
        for kind in ("hospital", "gp_federation", "commissioner", "council"):
            assert getattr(sa.strategies, kind).fortress == getattr(sb.strategies, kind).collaborative, (rule, kind)


def test_the_net_health_section_judges_each_net_benefit_claim_on_both_measures_and_conventions():
    """docs/patterns.md section 7 sets each claim on net benefit on the NMB beside the same claim on the net health
    benefit: every pattern's, each pair loading under both conventions, and the NHB measured from its own column."""
    from model import load_scenario

    tool = load("pattern_charts")
    claims = tool._net_benefit_claims(tool.Runs((1,), {}))
    assert {c[0] for c in claims} == {"1. fortress", "2. collaborative", "3. commons", "4. regulation"}
    for _, _, pair, nmb, nhb, _, times in claims:
        assert (nmb, nhb) in (("nmb", "nhb"), ("dip", "nhb_dip"))
        assert set(times) == set(tool.ps.CONVENTIONS)
        for convention in tool.ps.CONVENTIONS.values():
            for place, settings in pair(convention):
                load_scenario(place).with_changes(settings)
    a = {"net_monetary_benefit": np.array([1e6, 2e6, 3e6]), "net_health_benefit": np.array([10.0, 20.0, 40.0])}
    b = {"net_monetary_benefit": np.zeros(3), "net_health_benefit": np.array([1.0, 1.0, 1.0])}
    assert tool._measure("nhb", a, b) == 67.0
    assert tool._measure("nhb_dip", a, b) == 28.0  # the first two years (pattern_settings.EARLY_YEARS)
    assert tool._measure("nmb", a, b) == 6e6


def test_the_calibration_tools_money_by_year_is_the_organisations_own_results():
    """tools/calibration_years.py gives docs/calibration.md its figures beyond the first year: its yearly result
    by kind of organisation must be what the organisations recorded for the year (model.metrics.yearly_figures),
    read from the monthly table the tool sums; and its report covers the ten years."""
    from model import LocalHealthEconomy, load_scenario
    from model.metrics import yearly_figures

    tool = load("calibration_years")
    small = {"population.size": 5_000}
    r = tool.measure(1, small)
    m = LocalHealthEconomy(load_scenario().with_changes(small), rng=1)
    m.run()
    o = m.organisation_table()
    # the results' income leaves out national support (financing from outside the place); the table's holds it
    o = o.assign(income=o.income - o.groupby("name").national_support.diff().fillna(o.national_support))
    assert m.regulator.national_support > 0  # drawn in this run: leaving it out is tested
    income = o.groupby(["kind", (o.month - 1) // 12]).income.sum()
    for kind in tool.KINDS:
        assert r["result_share"][kind] * income.loc[kind].to_numpy() == pytest.approx(yearly_figures(m)[kind], abs=1.0)
    text = tool.report({1: r})
    assert "| hospital |" in text and text.count("%") > 40


def test_every_point_of_the_joint_design_loads_on_each_pattern_place_at_both_ends_of_every_range():
    """docs/pattern-sensitivity.md moves every pattern assumption at once: each factor at either end of its
    range must load on every place each claim compares (the schema refuses a value out of bounds)."""
    import pandas as pd

    from model import load_scenario

    tool = load("pattern_sensitivity")
    ends = pd.DataFrame([{f.name: f.low for f in tool.FACTORS}, {f.name: f.high for f in tool.FACTORS}])
    for _, row in ends.iterrows():
        changes = tool.point_changes(row)
        assert changes.get("decisions.mission_weight") in (0.0, 1.0)
        for _, _, arms, _, _ in tool.claims():
            for place, settings in arms(changes):
                load_scenario(place).with_changes(settings)
    x = tool.design(16, seed=3)
    for f in tool.FACTORS:  # a Latin hypercube: each range cut in sixteen, one point in each slice
        assert sorted(np.floor(f.unit(x[f.name].to_numpy()) * 16).astype(int)) == list(range(16)), f.name
        assert f.unit(np.array([f.value(0.0), f.value(0.25), f.value(1.0)])) == pytest.approx([0.0, 0.25, 1.0])
    for f in (f for f in tool.FACTORS if f.whole):  # a count: each whole number of its range equally often
        taken = [f.changes(v)[f.path] for v in tool.design(12, seed=3, factors=(f,))[f.name]]
        assert sorted(set(taken)) == list(range(int(f.low), int(f.high) + 1))
        assert len({taken.count(k) for k in set(taken)}) == 1 and all(isinstance(k, int) for k in taken)


def test_the_joint_analysis_finds_a_planted_effect_and_a_planted_region_of_failure():
    """The regression reads each factor's effect over its whole range (a log factor over its logarithm), with
    an interval that leaves out zero for the factor that moves the difference and not for the dummy; PRIM's
    box lies around the region planted to fail, and a box PRIM finds in failures drawn at random is marked as
    possibly chance."""
    tool = load("pattern_sensitivity")
    rng = np.random.default_rng(5)
    x = tool.design(120, seed=9)
    noise = next(f for f in tool.FACTORS if f.log)
    noise_name = noise.name
    u_noise = np.log(x[noise_name] / noise.low) / np.log(noise.high / noise.low)  # written out: what effects() must do
    u_mission = x["mission weight"].to_numpy()  # its range is 0 to 1
    y = 3.0 * u_mission - 2.0 * u_noise + rng.normal(0, 0.2, len(x))
    e = tool.effects(x, y)
    i, j, dummy = e.names.index("mission weight"), e.names.index(noise_name), len(e.names) - 1
    assert e.low[i] < 3.0 < e.high[i] and e.low[j] < -2.0 < e.high[j]
    assert e.clear()[:2] == [i, j] and e.low[dummy] < 0 < e.high[dummy] and e.r2 > 0.9
    assert np.isnan(tool.effects(x.iloc[:5], y[:5]).coef).all()  # too few points for every factor: no estimate
    box = tool.failure_box(x, x["planning horizon"].to_numpy() > 4.0, [f.name for f in tool.FACTORS if f.path], shuffles=50)
    assert box is not None and box.startswith("planning horizon ≥ ") and "≤" not in box and ";" not in box.split(" (")[0]
    assert 3.8 < float(box.split()[3]) <= 4.05 and "may be chance" not in box
    # failures at random: at 120 points PRIM finds a box in one draw in five (here it does), which the shuffles
    # of the failures match in density: marked as possibly chance
    fails = np.random.default_rng(101).random(len(x)) < 0.3
    assert "may be chance" in tool.failure_box(x, fails, ["mission weight", "planning horizon"], shuffles=50)
    assert tool.failure_box(x, np.arange(len(x)) < 3, ["planning horizon"]) is None  # too few to look for a box


def test_a_run_kept_in_the_sensitivity_cache_is_not_run_again(tmp_path):
    """Runs are kept as they finish, so a run stopped halfway goes on where it stopped: a job already in the
    cache is read back (here a place that does not exist, which would fail if it were run), and a line cut
    short by a stop is passed over."""
    import json

    tool = load("pattern_sensitivity")
    cache = tmp_path / "runs.jsonl"
    key = tool._key("nowhere", {"decisions.noise": 0.001}, 1)
    cache.write_text(json.dumps([key, {"harm": 2.5}]) + "\n" + '["cut short')
    runs = tool.run_all([("nowhere", {"decisions.noise": 0.001}, 1)], cache, progress=False)
    assert runs == {key: {"harm": 2.5}}


# --- the patterns' tests on other seeds (tools/pattern_replication.py) -------------------------------------------------
def settings(monkeypatch, **env: str):
    """tests/patterns/pattern_settings.py loaded afresh with these environment variables (and no others of its own)."""
    for name in ("LHE_PATTERN_FIRST_SEED", "LHE_PATTERN_RECORD"):
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    spec = importlib.util.spec_from_file_location("pattern_settings_afresh", ROOT / "tests" / "patterns" / "pattern_settings.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_patterns_seeds_start_where_the_environment_says(monkeypatch):
    """How the tool judges every claim on other seeds: every set of seeds moves with the first, widths kept."""
    ps = settings(monkeypatch)
    assert (ps.SEEDS, ps.WIDE_SEEDS, ps.WIDEST_SEEDS) == (range(1, 13), range(1, 37), range(1, 73))
    ps = settings(monkeypatch, LHE_PATTERN_FIRST_SEED="1001")
    assert (ps.SEEDS, ps.WIDE_SEEDS, ps.WIDEST_SEEDS) == (range(1001, 1013), range(1001, 1037), range(1001, 1073))
    for bad in ("0", "ten"):
        with pytest.raises(ValueError, match=f"LHE_PATTERN_FIRST_SEED: got '{bad}'; a whole number from 1"):
            settings(monkeypatch, LHE_PATTERN_FIRST_SEED=bad)


def test_each_judgement_is_written_down_with_its_test_when_asked(monkeypatch, tmp_path):
    ps = settings(monkeypatch, LHE_PATTERN_RECORD=str(tmp_path))
    diff = np.array([3.0, 2.0, 5.0, -1.0, 4.0, 6.0, 1.0, 2.5, 7.0, 8.0, -0.5, 9.0])  # 10 of 12 positive
    assert ps.holds(diff) and ps.on_the_mean(diff) and not ps.holds(-diff) and not ps.holds(np.zeros(12))
    lines = [json.loads(x) for f in tmp_path.glob("*.jsonl") for x in f.read_text().splitlines()]
    me = os.environ["PYTEST_CURRENT_TEST"].rsplit(" (", 1)[0]
    assert [(j["test"], j["check"], j["positive"], j["n"], j["verdict"]) for j in lines] == [
        (me, "holds", 10, 12, True), (me, "on the mean", 10, 12, True), (me, "holds", 2, 12, False),
        (me, "holds", 0, 12, False)]
    assert lines[0]["p"] < ps.P_VALUE < lines[2]["p"] and lines[3]["p"] == 1.0
    # asked for nothing, it writes nothing
    ps = settings(monkeypatch)
    assert ps.holds(diff) and ps.RECORD is None
    assert sum(len(f.read_text().splitlines()) for f in tmp_path.glob("*.jsonl")) == len(lines)


JUNIT = """<?xml version="1.0" encoding="utf-8"?><testsuites><testsuite name="pytest">
<testcase classname="tests.patterns.test_a" name="test_held[headroom spent]" time="1" />
<testcase classname="tests.patterns.test_a" name="test_short" time="1"><failure message="AssertionError: assert False">x</failure></testcase>
<testcase classname="tests.patterns.test_b" name="test_marked" time="1"><skipped type="pytest.xfail" message="short: 24 of 36" /></testcase>
<testcase classname="tests.patterns.test_b" name="test_marked_but_held" time="1"><failure message="[XPASS(strict)] short: 25 of 36">x</failure></testcase>
</testsuite></testsuites>"""


def test_the_replication_page_sets_each_tests_verdict_on_each_set_of_seeds_side_by_side(tmp_path):
    tool = load("pattern_replication")
    sets = []
    for first, held_short in ((1, "failed"), (1001, "passed")):
        folder = tmp_path / str(first)
        (folder / "judgements").mkdir(parents=True)
        (folder / "junit.xml").write_text(JUNIT.replace('name="test_short" time="1"><failure message="AssertionError: assert False">x</failure></testcase>',
                                                       'name="test_short" time="1" />') if held_short == "passed" else JUNIT)
        checks = [{"test": "tests/patterns/test_a.py::test_short", "check": "holds", "n": 36, "positive": 24 + first // 1000 * 6,
                   "mean": 1.0, "p": 0.002, "verdict": first > 1}]
        (folder / "judgements" / "7.jsonl").write_text("".join(json.dumps(c) + "\n" for c in checks))
        sets.append(tool.verdicts(folder))
    assert {n: v.outcome for n, v in sets[0].items()} == {
        "tests/patterns/test_a.py::test_held[headroom spent]": "passed", "tests/patterns/test_a.py::test_short": "failed",
        "tests/patterns/test_b.py::test_marked": "xfailed", "tests/patterns/test_b.py::test_marked_but_held": "xpassed"}
    assert [v.status for v in sets[0].values()] == ["holds", "short", "short", "holds"]
    page = tool.page([1, 1001], sets, "cafe")
    assert "Of 4 tests, 2 hold on every set of seeds, 1 fall short on every set, and 1 differ between the sets:" in page
    assert "- `test_short` (test_a): short from 1, holds from 1001" in page
    assert "| `test_short` | **short** (24/36, p = 0.002) | holds (30/36, p = 0.002) | 54/72, 75% (64% to 84%) |" in page
    assert "| `test_marked` | **short**, as marked | **short**, as marked |  |" in page
    assert "| `test_marked_but_held` | holds, marked short | holds, marked short |  |" in page
    assert page.index("## test_a") < page.index("## test_b")
    # the interval: 54 of 72 gives 0.639 to 0.836 by the score interval's formula (z = 1.96); none in 12, from 0
    low, high = tool.wilson(54, 72)
    assert abs(low - 0.6392) < 1e-3 and abs(high - 0.8357) < 1e-3 and tool.wilson(0, 12)[0] == 0.0
    assert tool.wilson(0, 36)[0] == 0.0 and tool.wilson(36, 36)[1] == 1.0  # within 0 and 1: never printed as -0%
