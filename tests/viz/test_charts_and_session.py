"""The charts, the single-player session and the page without a browser."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from types import MappingProxyType

import pytest

from model import LocalHealthEconomy, list_scenarios, load_scenario
from model.viz import charts
from model.viz.session import Session, Settings, scenario_for
from model.viz.snapshot import History, take


def _snap(months: int):
    model = LocalHealthEconomy(load_scenario("teach-place"))
    history = History(model)
    for _ in range(months):
        model.step()
        history.record(model)
    return take(model, history, seed=1)


def test_every_chart_is_well_formed_svg_with_its_unit_and_a_legend():
    snap = _snap(13)
    figures = charts.render(snap)
    assert set(figures) == {"network"} | {c.key for c in charts.CHARTS}
    for chart in charts.CHARTS:
        svg = figures[chart.key].decode()
        ET.fromstring(svg)
        assert chart.unit.replace("&", "&amp;") in svg and "month" in svg
        for line in chart.lines(snap):
            assert len(line.values) == 13
    ET.fromstring(figures["network"].decode())


def test_at_month_0_a_chart_says_how_to_begin_instead_of_empty_axes():
    svg = charts.line_chart(charts.CHARTS[0], _snap(0)).decode()
    assert "press Step or Play" in svg


def test_money_is_in_millions_and_unmet_need_per_1000_people():
    snap = _snap(3)
    money = charts.CHARTS[0].lines(snap)[0].values
    assert money[-1] == pytest.approx(snap.series["place_balance"][-1] / 1e6)
    unmet = next(c for c in charts.CHARTS if c.key == "unmet").lines(snap)[0].values
    assert unmet[-1] == pytest.approx(snap.series["unmet_social_care_need"][-1] * 1000 / snap.series["population"][-1])


def test_the_money_chart_shows_the_pool_without_the_national_support_that_rescued_it():
    """Dashed, the pool less the national support drawn so far, once any was drawn; none drawn, no such line."""
    snap = _snap(3)
    assert [line.dashed for line in charts.CHARTS[0].lines(snap)].count(True) == 0  # three months: no year end yet
    support = [0.0, 2e6, 5e6]
    own = tuple(b - r for b, r in zip(snap.series["place_balance"], support, strict=True))
    snap = dataclasses.replace(snap, series=MappingProxyType({**snap.series, "national_support": tuple(support),
                                                              "place_balance_own": own}))
    lines = charts.CHARTS[0].lines(snap)
    without = [line for line in lines if line.dashed]
    assert len(without) == 1
    assert without[0].values == pytest.approx([v / 1e6 for v in own])


def test_an_organisations_own_result_leaves_out_the_national_support_that_rescued_it():
    """The table's and the debrief's own result: the change in its reserves less the support it drew. In the
    teaching place a hospital draws distress finance at the fifth year end; with it counted, its result would
    be better for the rescue."""
    snap = _snap(60)
    model = LocalHealthEconomy(load_scenario("teach-place"))
    start = {o.name: o.reserves for o in model.organisations}
    model.run(60)
    rescued = [o for o in model.organisations if o.national_support > 0]
    assert rescued
    for o in model.organisations:
        assert snap.org(o.name).result == pytest.approx(o.reserves - start[o.name] - o.national_support)
    from model.viz.debrief import run_reference

    figures = run_reference(load_scenario("teach-place"), 1, "bots")
    for o in rescued:
        assert figures.orgs[o.name][-1] == pytest.approx(snap.org(o.name).result)
        assert figures.orgs[o.name][-1] < o.reserves - start[o.name]


def test_a_chart_is_one_more_entry(monkeypatch):
    extra = charts.Chart("net_health", "Net health", "QALYs", "Higher is better.",
                         lambda s: [charts.Line("QALYs", [1.0] * s.month, "#000")])
    monkeypatch.setattr(charts, "CHARTS", [*charts.CHARTS, extra])
    assert "net_health" in charts.render(_snap(2))


def test_names_are_escaped_in_the_pictures():
    snap = _snap(1)
    import dataclasses
    odd = dataclasses.replace(snap, orgs=tuple(dataclasses.replace(o, name="<b>&") for o in snap.orgs[:1]) + snap.orgs[1:],
                              positions={**snap.positions, "<b>&": (0.5, 0.5)})
    svg = charts.network(odd).decode()
    ET.fromstring(svg)
    assert "&lt;b&gt;&amp;" in svg


@pytest.mark.parametrize("name", list_scenarios())
def test_every_scenario_opens_as_its_file_sets_it(name):
    scenario = load_scenario(name)
    built, overrides = scenario_for(Settings(name), scenario)
    assert built is scenario and overrides == []
    model = LocalHealthEconomy(built)
    want = {o.name: o.strategy for k in ("commissioners", "councils", "hospitals", "gp_federations") for o in getattr(scenario, k)}
    assert {o.name: o.strategy for o in model.organisations if o.name in want} == want
    assert model.params.contracting.acute == scenario.contracting.acute


def test_settings_override_only_what_they_change_and_say_so():
    base = load_scenario("baseline")
    same, words = scenario_for(Settings("baseline", acute_regime="pbr", learning=False, regulator="organisation"), base)
    assert words == [] and same is base
    changed, words = scenario_for(Settings("baseline", acute_regime="block", strategies="fortress", learning=True,
                                           shared_measures=True, seed=4), base)
    assert changed.contracting.acute == "block" and changed.adaptation.policy == "adaptive" and changed.run.seed == 4
    assert all(o.strategy == "fortress" for o in changed.hospitals)
    assert any("block" in w for w in words) and any("learn" in w for w in words) and any("seed 4" in w for w in words)


def test_a_place_served_with_changes_says_so_and_keeps_them_when_chosen_again(monkeypatch):
    """`lhe viz PLACE --set ...` serves the place with the changes: the page says the run differs from the file by
    them (not that it is the file's), keeps them when the place is chosen again after another, and says nothing of
    them for another place, opened as its file sets it."""
    from model.viz import page
    from model.vizserve import _place

    served, words = _place("teach-place", "baseline", ["run.seed=7"])
    monkeypatch.setattr(page, "START", served)
    monkeypatch.setattr(page, "START_CHANGES", words)
    s = Session(served, background=False)
    try:
        assert page.started_with(s.base) == ("--set run.seed=7",)
        s.choose_place("torbay")
        assert page.started_with(s.base) == () and s.scenario.run.seed == load_scenario("torbay").run.seed
        s.choose_place("teach-place")
        assert s.base is served and s.scenario.run.seed == 7
        assert page.started_with(s.base) == ("--set run.seed=7",)
    finally:
        s.close()


def test_two_sessions_step_independently():
    a, b = Session("teach-place", background=False), Session("teach-place", background=False)
    try:
        a.clock.step(3)
        deadline = time.monotonic() + 30
        while a.clock.model.month < 3 and time.monotonic() < deadline:
            time.sleep(0.02)
        assert (a.clock.model.month, b.clock.model.month) == (3, 0)
        a.switch("Middleton General", "collaborative")
        assert b.clock.model.organisation("Middleton General").strategy == "fortress"
    finally:
        a.close()
        b.close()


def test_importing_the_pages_builds_no_model():
    code = ("import model.economy as e\n"
            "def boom(*a, **k):\n    raise SystemExit('a model was built on import')\n"
            "e.LocalHealthEconomy.__init__ = boom\n"
            "import model.viz.page, model.viz.classpages\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr


def test_the_page_renders_steps_and_switches_without_a_browser():
    solara = pytest.importorskip("solara")
    import ipyvuetify as v
    import ipywidgets as w

    from model.viz import page

    page.START = "teach-place"
    _, rc = solara.render(page.Page(), handle_error=False)

    def month() -> str:
        return next(x.value for x in rc.find(w.HTML).widgets if "month-counter" in x.value)

    deadline = time.monotonic() + 30
    while "Month 0 of 60" not in month() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Month 0 of 60" in month()
    rc.find(v.Btn, children=["Step"]).widget.click()
    while "Month 1 of 60" not in month() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert "Month 1 of 60" in month()
    rc.find(v.Btn, children=["Make collaborative"]).widget.click()  # the first organisation: Middleton CCG
    while not rc.find(v.Html, class_="strategy-now", children=["now: collaborative"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    rc.find(v.Btn, children=["Make fortress"]).widget.click()
    while not rc.find(v.Html, class_="strategy-now", children=["now: fortress"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    rc.find(v.Html, class_="strategy-now", children=["now: fortress"]).assert_single()
