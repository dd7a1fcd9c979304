"""Charts from a run's tables (model.report)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from model import LocalHealthEconomy, load_scenario
from model.report import make_charts

ROOT = Path(__file__).resolve().parent.parent


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


# The drawers fork only from a process with one Python thread, and a test process may keep threads that
# earlier tests started (tqdm's monitor, say): the forked path is checked in a fresh interpreter.
FORKED = """
import sys, threading, tempfile
from pathlib import Path
from model import LocalHealthEconomy, load_scenario
from model.drawers import ChartDrawers
import model.report as report
m = LocalHealthEconomy(load_scenario("teach-pbr").with_changes({"population.size": 2_000, "run.steps": 24}), rng=1).run()
place, orgs = m.place_table(), m.organisation_table()
out = Path(tempfile.mkdtemp())
assert threading.active_count() == 1
drawers = ChartDrawers()
assert drawers._drawers, "one thread: the drawers fork"
drawers.close()
serial = report.make_charts(place, orgs, out / "serial", "teach-pbr", parallel=False)
forked = report.make_charts(place, orgs, out / "forked", "teach-pbr", parallel=True)
assert [p.read_bytes() for p in serial] == [p.read_bytes() for p in forked]
stop = threading.Event()
other = threading.Thread(target=stop.wait, daemon=True)
other.start()
drawers = ChartDrawers()
assert not drawers._drawers, "a second thread: no fork"
here = report.make_charts(place, orgs, out / "here", "teach-pbr", parallel=True)
stop.set()
other.join()
assert [p.read_bytes() for p in serial] == [p.read_bytes() for p in here]
def broken(*args, **kwargs):
    raise RuntimeError("cannot draw")
report.finances_chart = broken  # forked: fails in a drawer, then again here, where its error shows
for where in ("forked", "here"):
    stop = threading.Event()
    other = threading.Thread(target=stop.wait, daemon=True)
    if where == "here":
        other.start()
    try:
        report.make_charts(place, orgs, out / f"broken-{where}", "teach-pbr", parallel=True)
    except RuntimeError as e:
        assert "cannot draw" in str(e)
    else:
        raise AssertionError("the failing chart's error did not show")
    finally:
        stop.set()
    assert (out / f"broken-{where}" / "pool.png").exists(), where  # the others drawn, by the drawers or here
print("ok")
"""


@pytest.mark.skipif(sys.platform != "linux" or (os.cpu_count() or 1) < 2, reason="drawers fork only on Linux with two cores")
def test_the_drawers_fork_only_where_no_other_python_thread_runs():
    """A fork copies only the thread that forks: a lock another thread holds (a notebook kernel's, a Dask
    client's) stays held in the child for ever. In a fresh interpreter, with its one thread the drawers fork
    and their charts are those drawn on one core; with a second thread running none forks, and the charts are
    drawn here, the same. Either way a chart that fails shows its error and the others are drawn."""
    done = subprocess.run([sys.executable, "-c", FORKED], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert done.returncode == 0 and done.stdout.strip().endswith("ok"), done.stderr[-3000:]


def test_a_chart_that_fails_shows_its_error_and_the_others_are_drawn(tables, tmp_path, monkeypatch):
    import model.report as report

    place, orgs = tables

    def broken(*args, **kwargs):
        raise RuntimeError("cannot draw")

    monkeypatch.setattr(report, "finances_chart", broken)
    with pytest.raises(RuntimeError, match="cannot draw"):
        make_charts(place, orgs, tmp_path, "teach-pbr", parallel=True)
    assert (tmp_path / "pool.png").exists()  # the other charts are drawn, by the drawers or here


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
