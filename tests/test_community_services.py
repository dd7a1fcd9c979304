"""Community services give health of their own (``programmes.community_health_at_margin``; model.health,
``community_qalys_a_year``): the first pound added at the start buys what the NHS's marginal pound buys, each
further pound less, each pound cut more. The place's net health counts it, and the commissioners' forecasts of
their community investment weigh it, so a commissioner that values health no longer cuts the services for
the money their staff cost alone.
"""

import numpy as np
import pytest

from model import LocalHealthEconomy, load_scenario
from model.health import community_qalys_a_year

SEEDS = range(1, 7)


def _run(changes: dict, seed: int, steps: int) -> LocalHealthEconomy:
    s = load_scenario().with_changes({"population.size": 10_000, "run.steps": steps, **changes})
    m = LocalHealthEconomy(s, rng=seed)
    m.run(steps)
    return m


def test_the_first_pound_buys_what_the_marginal_pound_buys_and_each_pound_cut_takes_more():
    m = LocalHealthEconomy(load_scenario().with_changes({"population.size": 6_000}), rng=1)
    p = m.params
    h = next(h for h in m.hospitals if h.community_base_value)
    eps = 1e-6
    per_pound = community_qalys_a_year(m, h, eps) / (eps * h.community_base_value)
    assert per_pound == pytest.approx(p.programmes.community_health_at_margin / p.net_health.cost_per_qaly_outside, rel=1e-4)
    gains = [community_qalys_a_year(m, h, k) for k in (0.1, 0.2)]
    losses = [community_qalys_a_year(m, h, k) for k in (-0.1, -0.2)]
    assert 0 < gains[0] < gains[1] < 2 * gains[0]  # more, less than proportionally
    assert 0 > losses[0] > losses[1] and losses[1] < 2 * losses[0]  # less, more than proportionally
    assert community_qalys_a_year(m, h, 0.0) == 0.0


def test_the_place_counts_the_health_of_community_services_changed_since_the_start():
    m = _run({}, 4, 36)
    t = m.place_table()
    # the month's figure, from the capacity in post at its end
    expected = sum(community_qalys_a_year(m, h, h.in_post("community")) for h in m.hospitals) / 12
    assert t["qalys_community"].iloc[-1] == pytest.approx(expected, rel=1e-12)
    assert (t["qalys_community"] != 0).any()
    # ablation: at 0 the services give health only through the admissions they avoid
    off = _run({"programmes.community_health_at_margin": 0.0}, 4, 36).place_table()
    assert (off["qalys_community"] == 0).all()


@pytest.fixture(scope="module")
def investment():
    """Each commissioner's community investment, averaged over five year ends, at the baseline's
    ``community_health_at_margin`` and at 0, seeds 1-6 (10,000 people)."""
    out = {}
    for share in (None, 0.0):
        for seed in SEEDS:
            changes = {} if share is None else {"programmes.community_health_at_margin": share}
            s = load_scenario().with_changes({"population.size": 10_000, "run.steps": 60, **changes})
            m = LocalHealthEconomy(s, rng=seed)
            levers = {c.name: [] for c in m.commissioners}
            for _ in range(5):
                m.run(12)
                for c in m.commissioners:
                    levers[c.name].append(c.levers["community_investment"])
            out[(share, seed)] = ({c.name: c.strategy for c in m.commissioners}, {k: float(np.mean(v)) for k, v in levers.items()})
    return out


def test_commissioners_that_count_the_services_health_invest_more_in_them(investment):
    """Measured (seeds 1-6): the collaborative Eastmoor CCG's community investment averages -3.0 to +4.2 points a
    year with the services' own health counted, against -5.4 to -4.0 without it; the fortress Northvale CCG's
    -5.6 to +0.8 against -6.0 to -3.6. Ablation: at 0 (the other arm) the forecasts see only the admissions the
    services avoid against what their staff cost, and both cut them by about the lever's floor."""
    strategies, _ = investment[(None, 1)]
    assert set(strategies.values()) == {"fortress", "collaborative"}
    for name in strategies:
        higher = [investment[(None, s)][1][name] > investment[(0.0, s)][1][name] for s in SEEDS]
        assert all(higher), (name, higher)
    # without the services' own health, the collaborator cuts them as the fortress does: most years below zero
    cuts = [investment[(0.0, s)][1][n] < -0.03 for s in SEEDS for n in strategies]
    assert all(cuts)
