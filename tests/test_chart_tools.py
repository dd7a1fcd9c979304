"""The documentation's chart tools (tools/*_charts.py) still import against the model and the
pattern settings, and the scenario charts cover every file in scenarios/. Running them takes
minutes (make pattern-charts, make scenario-charts); this only catches a name gone missing."""

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def load(name: str):
    spec = importlib.util.spec_from_file_location(f"tool_{name}", ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["pattern_charts", "scenario_charts", "experiment_charts"])
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
    income = o.groupby(["kind", (o.month - 1) // 12]).income.sum()
    for kind in tool.KINDS:
        assert r["result_share"][kind] * income.loc[kind].to_numpy() == pytest.approx(yearly_figures(m)[kind], abs=1.0)
    text = tool.report({1: r})
    assert "| hospital |" in text and text.count("%") > 40
