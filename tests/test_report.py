"""Charts from a run's tables (model.report)."""

import os
import sys
import threading

import pytest

from model import LocalHealthEconomy, load_scenario
from model.drawers import ChartDrawers
from model.report import make_charts


@pytest.fixture(scope="module")
def tables():
    m = LocalHealthEconomy(load_scenario("teach-pbr").with_changes({"population.size": 2_000, "run.steps": 24}), rng=1).run()
    return m.place_table(), m.organisation_table()


def test_charts_drawn_on_two_cores_are_the_charts_drawn_on_one(tables, tmp_path):
    place, orgs = tables
    serial = make_charts(place, orgs, tmp_path / "serial", "teach-pbr", parallel=False)
    forked = make_charts(place, orgs, tmp_path / "forked", "teach-pbr", parallel=True)
    assert [p.name for p in serial] == [p.name for p in forked] == [
        "finances.png", "pool.png", "activity.png", "health.png", "strategies.png", "net_health.png"]
    for a, b in zip(serial, forked, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


@pytest.mark.skipif(sys.platform != "linux" or (os.cpu_count() or 1) < 2, reason="drawers fork only on Linux with two cores")
def test_the_drawers_fork_only_where_no_other_python_thread_runs(tables, tmp_path):
    """A fork copies only the thread that forks: a lock another thread holds (a notebook kernel's, a Dask
    client's) stays held in the child for ever. With this process's one thread the drawers fork; with a
    second thread running none does, and every chart is drawn here, the same as drawn on one core."""
    place, orgs = tables
    assert threading.active_count() == 1
    drawers = ChartDrawers()
    assert drawers._drawers  # forked
    drawers.close()
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        drawers = ChartDrawers()
        assert not drawers._drawers
        here = make_charts(place, orgs, tmp_path / "here", "teach-pbr", parallel=True)
    finally:
        stop.set()
        other.join()
    serial = make_charts(place, orgs, tmp_path / "serial", "teach-pbr", parallel=False)
    for a, b in zip(serial, here, strict=True):
        assert a.read_bytes() == b.read_bytes(), a.name


def test_a_chart_that_fails_in_the_child_is_drawn_again_here_and_its_error_shows(tables, tmp_path, monkeypatch):
    import model.report as report

    place, orgs = tables

    def broken(*args, **kwargs):
        raise RuntimeError("cannot draw")

    monkeypatch.setattr(report, "finances_chart", broken)
    with pytest.raises(RuntimeError, match="cannot draw"):
        make_charts(place, orgs, tmp_path, "teach-pbr", parallel=True)
    assert (tmp_path / "pool.png").exists()  # this process's charts were drawn


def test_the_net_health_chart_draws_one_run_and_several_seeds(tables, tmp_path):
    import pandas as pd

    from model.report import net_health_chart

    place, _ = tables
    net_health_chart(place, tmp_path / "one.png", "teach-pbr")
    seeds = pd.concat([place.assign(seed=1), place.assign(seed=2, qalys=place["qalys"] * 1.01)], ignore_index=True)
    net_health_chart(seeds, tmp_path / "seeds.png", "teach-pbr (2 seeds)")
    assert (tmp_path / "one.png").stat().st_size > 10_000 and (tmp_path / "seeds.png").stat().st_size > 10_000


def test_the_drawers_share_out_every_standard_chart_once():
    from model.drawers import CHART_FILES, SHARES
    from model.report import _charts

    shared = [name for names in SHARES for name in names]
    assert sorted(shared) == sorted(CHART_FILES) == sorted(_charts(None, None, ""))
