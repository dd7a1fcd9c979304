"""Intermediate care: a council's places take people fit to leave hospital who wait for care out of a bed
(model.delivery), it pays for them (model.organisations.Council) and decides how many to have as a best
response (model.decisions); Torbay's delayed transfers stay negligible through it (seed 003)."""

import numpy as np
import pytest
from lhe_runs import journal_model
from test_delivery import frail_without_package

from model import LocalHealthEconomy, load_scenario
from model.population import MONTH_DAYS
from model.programmes import Programme


def _no_free_packages(m):
    pop = m.population
    for co in m.councils:
        co.packages = int(np.count_nonzero(pop.sc_met & pop.alive & (pop.council == co.index)))


def _with_places(m, co, places):
    co.residents_at_start = 1000
    co.programmes.setdefault("intermediate", Programme()).in_post = places


def test_places_take_people_waiting_for_care_out_of_hospital_beds_up_to_the_places_free():
    m = journal_model({"social_care.delay_exit_per_month": 0.0}, 0, size=3_000, seed=7)
    pop = m.population
    _no_free_packages(m)
    co = m.councils[0]
    _with_places(m, co, 2.0)  # two places for its 1,000 residents
    leaving = frail_without_package(m, co, 5)
    days = m.delivery.allocate_social_care(leaving, np.zeros(len(m.hospitals)))
    assert co.intermediate_places == 2 and co.in_intermediate_care == 2
    out = leaving[~pop.delayed[leaving]]
    assert out.size == 2 and not pop.sc_met[out].any()  # out of the bed, still waiting for a package
    assert days.sum() == pytest.approx(3 * MONTH_DAYS / 2)  # the other three wait in a bed
    assert m.delivery.tally.bridged[co.index] == 2


def test_without_places_nobody_is_taken_out_and_nothing_is_paid():
    m = journal_model({"social_care.delay_exit_per_month": 0.0}, 0, size=3_000, seed=7)
    _no_free_packages(m)
    co = m.councils[0]
    leaving = frail_without_package(m, co, 5)
    m.delivery.allocate_social_care(leaving, np.zeros(len(m.hospitals)))
    assert m.population.delayed[leaving].all() and co.in_intermediate_care == 0
    assert co.intermediate_care_year() == 0.0


def test_people_leave_intermediate_care_after_its_stay_and_free_the_place():
    m = journal_model({"social_care.delay_exit_per_month": 0.0, "social_care.intermediate_care_months": 1.0},
                      0, size=3_000, seed=7)
    _no_free_packages(m)
    co = m.councils[0]
    _with_places(m, co, 2.0)
    first = frail_without_package(m, co, 2)
    m.delivery.allocate_social_care(first, np.zeros(len(m.hospitals)))
    assert co.in_intermediate_care == 2
    nobody = first[:0]
    m.delivery.allocate_social_care(nobody, np.zeros(len(m.hospitals)))  # a one-month stay: both leave
    assert co.in_intermediate_care == 0


def _torbay(seed: int, changes: dict) -> tuple[float, float]:
    """Delayed transfer days a month in the last year, and the council's intermediate care places per 1,000
    at the end."""
    s = load_scenario("torbay").with_changes(changes)
    m = LocalHealthEconomy(s, rng=seed)
    delayed = []
    for _ in range(s.run.steps):
        m.step()
        delayed.append(sum(h.delayed_days for h in m.hospitals))
    return float(np.mean(delayed[-12:])), m.councils[0].levers["intermediate_care"]


SEEDS = (1, 2, 3)


@pytest.fixture(scope="module")
def torbay_runs():
    return {
        "with intermediate care": [_torbay(s, {}) for s in SEEDS],
        # the ablation: the council may commission none
        "none": [_torbay(s, {"social_care.intermediate_care_most_per_1000": 0.0}) for s in SEEDS],
        # the decisions frozen: it keeps the none it starts with
        "decisions frozen": [_torbay(s, {"decisions.enabled": False}) for s in SEEDS],
    }


def test_torbays_delayed_transfers_stay_negligible_because_its_council_builds_intermediate_care(torbay_runs):
    """Seed 003: Torbay's integrated teams made intermediate care a priority and its delayed transfers of
    care became negligible. The council, collaborative and holding a pooled budget, builds places once
    people wait in beds; without the places (or without the decision) the delays grow."""
    with_ic = torbay_runs["with intermediate care"]
    assert all(places > 0 for _, places in with_ic)
    for ablation in ("none", "decisions frozen"):
        for (delayed, _), (without, _) in zip(with_ic, torbay_runs[ablation], strict=True):
            assert without > 300, f"{ablation}: {without:.0f} delayed days a month"
            assert delayed < 0.1 * without, f"{delayed:.0f} against {without:.0f} ({ablation})"
    assert all(places == 0 for _, places in torbay_runs["none"] + torbay_runs["decisions frozen"])
