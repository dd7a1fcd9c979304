"""Intermediate care: a council's places take people fit to leave hospital who wait for care out of a bed
(model.delivery), its reablement restores part of what they can do (some no longer need a long-term package),
it pays for them (model.organisations.Council) and decides how many to have as a best response
(model.decisions); Torbay's delayed transfers stay negligible through it (seed 003)."""

import numpy as np
import pytest
from lhe_runs import journal_model
from test_delivery import frail_without_package

from model import LocalHealthEconomy, load_scenario
from model.decisions import (
    Change,
    View,
    _assessed_at_home,
    _packages,
    _programme_factor,
    _reabled_admissions,
    _unmet_need,
)
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


@pytest.mark.parametrize("months", [1.0, 0.5])
def test_people_leave_intermediate_care_after_its_stay_and_free_the_place(months):
    """A stay of a month or less: everyone leaves at the next month (a stay under a month is not a chance
    above one)."""
    m = journal_model({"social_care.delay_exit_per_month": 0.0, "social_care.intermediate_care_months": months},
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


@pytest.mark.parametrize("fall", [0.05, 0.0])
def test_a_stay_takes_its_frailty_fall_off_and_those_below_the_eligibility_stop_waiting_for_a_package(fall):
    """Reablement: each person a place takes loses ``intermediate_care_frailty_fall`` of frailty; of four
    taken, the two it brings below their council's eligibility are counted reabled and no longer wait for a
    long-term package. With the fall at 0 (the ablation) a stay only bridges: nobody's frailty moves."""
    m = journal_model({"social_care.delay_exit_per_month": 0.0, "social_care.intermediate_care_frailty_fall": fall},
                      0, size=3_000, seed=7)
    pop = m.population
    _no_free_packages(m)
    co = m.councils[0]
    _with_places(m, co, 4.0)
    leaving = frail_without_package(m, co, 4)
    pop.frailty[leaving[:2]] = np.float32(co.eligibility + 0.02)  # within the fall of the eligibility
    pop.frailty[leaving[2:]] = np.float32(co.eligibility + 0.2)
    before = pop.frailty[leaving].copy()
    m.delivery.allocate_social_care(leaving, np.zeros(len(m.hospitals)))
    assert m.delivery.tally.bridged[co.index] == 4 and not pop.delayed[leaving].any()
    assert pop.frailty[leaving] == pytest.approx(before - fall, abs=1e-6)
    below = pop.frailty[leaving] < co.eligibility
    assert m.delivery.tally.reabled[co.index] == below.sum() == (2 if fall > 0 else 0)
    assert (below == (fall > 0) * np.array([True, True, False, False])).all()


def test_the_share_reabled_is_of_those_waiting_whom_the_fall_takes_below_the_eligibility():
    m = journal_model({"social_care.intermediate_care_frailty_fall": 0.03}, 0, size=3_000, seed=7)
    pop = m.population
    co = m.councils[0]
    others = pop.alive & ~pop.sc_met & (pop.council == co.index) & (pop.frailty >= co.eligibility)
    assert not others.any()  # at the start the eligibility is rationed to the packages: nobody waits
    waiting = frail_without_package(m, co, 5)
    pop.frailty[waiting[:3]] = np.float32(co.eligibility + 0.01)  # within the fall of it
    assert m.delivery.reabled_share(co) == pytest.approx(3 / 5)
    m0 = journal_model({"social_care.intermediate_care_frailty_fall": 0.0}, 0, size=3_000, seed=7)
    assert m0.delivery.reabled_share(m0.councils[0]) == 0.0


@pytest.fixture(scope="module")
def first_year_end():
    """Torbay, small, at its first year end, with and without reablement, its council on its own criteria
    and held to national ones: in each pair the same place (no places are built in the first year, so the
    fall has taken nobody yet)."""
    out = {}
    for national in (False, True):
        for fall in (0.05, 0.0):
            m = LocalHealthEconomy(load_scenario("torbay").with_changes(
                {"population.size": 20_000, "social_care.intermediate_care_frailty_fall": fall,
                 "social_care.national_eligibility": national}), rng=2)
            m.run(12)
            m.delivery.last_year.bridged[0] = 200.0  # people who waited to leave: more than the places forecast take
            out[national, fall] = m
    return out


@pytest.mark.parametrize("national", [False, True])
def test_the_forecast_of_places_counts_the_need_reablement_meets(first_year_end, national, monkeypatch):
    """More places: those the stay takes below the eligibility (the share now waiting whom the fall would)
    need no package for half the year on average, and everyone it takes is less likely to be admitted. A
    council on its own criteria has its packages set for the year, so the unmet need falls (health gained,
    its costs as they were); one held to national criteria funds every eligible resident, so it saves the
    packages and the need met is the same. The fall at 0 is the ablation: the rest of the forecast is the
    same to the last digit."""
    changes = {}
    for fall in (0.05, 0.0):
        m = first_year_end[national, fall]
        co = m.councils[0]
        monkeypatch.setitem(co.levers, "intermediate_care", 0.0)  # as it started (its first decision may differ)
        view = View(m)
        changes[fall] = view.change(co, "intermediate_care", 0.5)
    m = first_year_end[national, 0.05]
    co, view = m.councils[0], View(m)
    assert (m.population.frailty == first_year_end[national, 0.0].population.frailty).all()
    share = view.reabled_share(co)
    assert 0 < share <= 1
    build, _, _ = _programme_factor(view, co)
    taken = 0.5 * co.residents_at_start / 1000 * 12 / m.params.social_care.intermediate_care_months * build
    assert 0 < taken < 200.0  # fewer than waited: the places, not the people, bound it
    expected, admissions = Change(), Change()
    if national:
        _packages(view, expected, co, -taken * share / 2)
    _unmet_need(view, expected, co, -taken * share / 2)
    _reabled_admissions(view, admissions, co, taken, co.eligibility)  # and fewer admissions for all it takes
    with_fall, without = changes[0.05], changes[0.0]
    assert with_fall.qalys - without.qalys == pytest.approx(expected.qalys + admissions.qalys, rel=1e-9, abs=1e-12)
    assert admissions.qalys > 0
    saved = without.costs[co.account] - with_fall.costs[co.account]
    assert saved == pytest.approx(-expected.costs.get(co.account, 0.0), abs=1e-6)
    if national:  # the need met the same, the packages saved
        assert saved > 0 and expected.qalys == pytest.approx(0.0, abs=1e-9)
    else:  # the packages the same, the need met
        assert saved == pytest.approx(0.0, abs=1e-6) and expected.qalys > 0


@pytest.mark.parametrize("takes_assessed", [True, False])
def test_discharge_to_assess_takes_the_assessed_home_with_the_places_left(takes_assessed):
    """With the places left after those waiting for a package, intermediate care takes people assessed on
    leaving hospital who are not eligible: home, to be assessed there (no assessment days in a bed), reabled
    (the frailty fall) and without the raised risk of readmission. Two places, one taken by a person waiting
    for a package, one left for three assessed leavers. Off (the ablation), nobody assessed is taken: all
    three wait the assessment's days in a bed and carry the raised risk home."""
    m = journal_model({"social_care.delay_exit_per_month": 0.0, "social_care.discharge_assessment_frailty": 0.30,
                       "social_care.discharge_assessment_days": 2.0, "social_care.intermediate_care_frailty_fall": 0.03,
                       "social_care.intermediate_care_takes_assessed": takes_assessed}, 0, size=3_000, seed=7)
    pop = m.population
    _no_free_packages(m)
    co = m.councils[0]
    _with_places(m, co, 2.0)
    waiting = frail_without_package(m, co, 1)
    assessed = np.flatnonzero(pop.alive & ~pop.sc_met & ~pop.delayed & (pop.council == co.index)
                              & (pop.frailty < 0.01))[:3]
    pop.frailty[assessed] = np.float32((0.30 + co.eligibility) / 2)  # assessed on leaving, not eligible
    before = pop.frailty[assessed].copy()
    leaving = np.concatenate([waiting, assessed])
    m.delivery.allocate_social_care(leaving, np.zeros(len(m.hospitals)))
    t = m.delivery.tally
    assert t.bridged[co.index] == 1 and t.assessed_not_eligible[co.index] == 3
    home = np.isin(assessed, m.delivery.waited_for_assessment, invert=True)
    if takes_assessed:
        assert co.in_intermediate_care == 2 and t.assessed_at_home[co.index] == 1 and home.sum() == 1
        assert pop.frailty[assessed[home]] == pytest.approx(before[home] - 0.03, abs=1e-6)
        assert (pop.discharged_step[assessed[home]] != pop.step).all()  # supported: no raised readmission risk
    else:
        assert co.in_intermediate_care == 1 and t.assessed_at_home[co.index] == 0 and home.sum() == 0
    waited = assessed[~home]
    assert (pop.frailty[waited] == before[~home]).all() and (pop.discharged_step[waited] == pop.step).all()


@pytest.mark.parametrize("days", [2.0, 0.0])
def test_the_forecast_of_places_counts_the_assessed_they_take_home(first_year_end, days, monkeypatch):
    """With discharge to assess, places beyond those waiting take people assessed on leaving who are not
    eligible (up to last year's number): each spares the assessment's days in a bed, leaves without the
    raised readmission risk and is reabled. The forecast with it on, less the forecast with it off (the
    ablation), is exactly that (model.decisions._assessed_at_home), and gains health."""
    m = first_year_end[False, 0.05]
    co = m.councils[0]
    monkeypatch.setitem(co.levers, "intermediate_care", 0.0)
    monkeypatch.setattr(m.delivery.last_year, "bridged", np.zeros_like(m.delivery.last_year.bridged))
    monkeypatch.setattr(m.delivery.last_year, "delayed_days", np.zeros_like(m.delivery.last_year.delayed_days))
    m.delivery.last_year.assessed_not_eligible[co.index] = 30.0
    forecasts = {}
    for on in (True, False):
        monkeypatch.setattr(m.params.social_care, "intermediate_care_takes_assessed", on)
        monkeypatch.setattr(m.params.social_care, "discharge_assessment_days", days)
        forecasts[on] = View(m).change(co, "intermediate_care", 0.2)
    view = View(m)
    build, _, _ = _programme_factor(view, co)
    places = 0.2 * co.residents_at_start / 1000 * 12 / m.params.social_care.intermediate_care_months * build
    assert 0 < places < 30.0
    expected = Change()
    _assessed_at_home(view, expected, co, places)
    gained = forecasts[True].qalys - forecasts[False].qalys
    assert gained == pytest.approx(expected.qalys, rel=1e-9) and gained > 0
    for account in {*expected.costs, *forecasts[True].costs}:
        assert forecasts[True].costs.get(account, 0.0) - forecasts[False].costs.get(account, 0.0) == pytest.approx(
            expected.costs.get(account, 0.0), abs=1e-6), account
    hospitals = sum(expected.costs.get(h.account, 0.0) for h in m.hospitals)
    if days > 0:
        assert hospitals < 0  # the bed days spared cost the hospitals less


@pytest.mark.parametrize("start", [0.5, 0.0])
def test_places_run_from_the_start_are_in_post_and_paid_for_by_the_grant(start):
    """Every council runs ``intermediate_care_start_per_1000`` places from the start: in post at once (no
    recruiting), its lever starting there, its grant larger by exactly what they cost a year, so its first
    plan keeps its packages. At 0 (the ablation, the scenarios' value) none, and the grant as it was."""
    changes = {"population.size": 20_000, "social_care.intermediate_care_most_per_1000": 2.0,
               "social_care.intermediate_care_start_per_1000": start}
    m = LocalHealthEconomy(load_scenario().with_changes(changes), rng=3)
    plain = LocalHealthEconomy(load_scenario().with_changes({**changes, "social_care.intermediate_care_start_per_1000": 0.0}),
                               rng=3)
    for co, co0 in zip(m.councils, plain.councils, strict=True):
        assert co.levers["intermediate_care"] == start
        assert co.intermediate_places == int(start * co.residents_at_start / 1000)
        assert co.grant - co0.grant == pytest.approx(co.intermediate_care_month(start) * 12)
        assert (co.intermediate_places > 0) == (start > 0)
        assert co.packages == co0.packages
    m.step()  # a month on, still in post: nothing to recruit
    assert all(co.in_post("intermediate") == pytest.approx(start) for co in m.councils)


def _torbay(seed: int, changes: dict) -> tuple[float, float, float, float, float]:
    """Delayed transfer days a month in the last year, the council's intermediate care places per 1,000 at
    the end, the person-months of unmet care need over the run, the place's QALYs and the most places per
    1,000 the council set in any year."""
    s = load_scenario("torbay").with_changes(changes)
    m = LocalHealthEconomy(s, rng=seed)
    delayed, places = [], []
    for _ in range(s.run.steps):
        m.step()
        delayed.append(sum(h.delayed_days for h in m.hospitals))
        places.append(m.councils[0].levers["intermediate_care"])
    p = m.place_table()
    return (float(np.mean(delayed[-12:])), m.councils[0].levers["intermediate_care"],
            float(p.unmet_social_care_need.sum()), float(p.qalys.sum()), max(places))


SEEDS = (1, 2, 3)
# reablement's health is small beside the seeds' spread (about 0.01% of the place's QALYs): judged over more
REABLEMENT_SEEDS = range(1, 13)


@pytest.fixture(scope="module")
def torbay_runs():
    return {
        "with intermediate care": [_torbay(s, {}) for s in REABLEMENT_SEEDS],
        # the ablation: the council may commission none
        "none": [_torbay(s, {"social_care.intermediate_care_most_per_1000": 0.0}) for s in SEEDS],
        # the decisions frozen: it keeps the none it starts with
        "decisions frozen": [_torbay(s, {"decisions.enabled": False}) for s in SEEDS],
        # reablement's ablation: the places only bridge the wait for a package
        "no reablement": [_torbay(s, {"social_care.intermediate_care_frailty_fall": 0.0}) for s in REABLEMENT_SEEDS],
    }


def test_torbays_delayed_transfers_stay_negligible_because_its_council_builds_intermediate_care(torbay_runs):
    """Seed 003: Torbay's integrated teams made intermediate care a priority and its delayed transfers of
    care became negligible. The council, collaborative and holding a pooled budget, builds places once
    people wait in beds (from the fifth year), and winds them down once no one waits; without the places (or
    without the decision) the delays grow, to 996 to 1,732 bed days a month in the last year (seeds 1-3).
    With them the last year's delays are under a tenth of that in at least three seeds in four of 1-12 (the
    patterns' share): none in ten. Judged on the last year a seed is judged on the phase of the council's
    answer: in seeds 1 and 2 it wound its places down after the seventh year, no one waiting, and built them
    again only after the delays came back (703 and 15 a month in the last year; 722 and 402 before a rescued
    year's result left out the national support, docs/ODD.md 7.28)."""
    with_ic = torbay_runs["with intermediate care"]
    assert all(run[4] > 0 for run in with_ic)
    for ablation in ("none", "decisions frozen"):
        without = torbay_runs[ablation]
        assert all(run[0] > 300 for run in without), f"{ablation}: {[round(run[0]) for run in without]} delayed days a month"
        assert all(run[4] == 0 for run in without)
        negligible = [run[0] < 0.1 * np.mean([w[0] for w in without]) for run in with_ic]
        assert sum(negligible) >= 0.75 * len(with_ic), f"{ablation}: {[round(run[0]) for run in with_ic]}"


def test_torbays_reablement_leaves_less_care_need_unmet_and_more_health(torbay_runs):
    """Its places' reablement takes most of those it takes below the eligibility, so fewer wait for a
    package: over the run fewer person-months of unmet need than with places that only bridge the wait (the
    ablation: the frailty fall at 0, its council still building places), and more QALYs, each on the mean and
    in at least three seeds in four (the patterns' share). Both are small beside the seeds' spread: over
    seeds 1-12 unmet need is lower by 459 to 2,604 person-months in eleven (of about 480,000; higher by 406
    in seed 2), the QALYs higher by 46 to 270 in eleven and lower by 711 in seed 4, about 0.01% of the
    place's 1.19 million (before a rescued year's result left out the national support, docs/ODD.md 7.28:
    lower unmet need by 14 to 2,200 in all twelve, higher QALYs by 89 to 335 in ten; before the forecasts
    moved A&E attendances with admissions and the rest: lower unmet need by 160 to 2,600 in eleven, higher
    QALYs in ten). (Before the forecasts stopped giving a delayed day a variable cost the
    hospitals never pay, the council kept its places to the end and unmet need was lower in every seed;
    judged on seeds 1-3 alone, as this test once was, a claim of more QALYs in every seed failed on seed 4.)"""
    pairs = list(zip(torbay_runs["with intermediate care"], torbay_runs["no reablement"], strict=True))
    assert all(bridging[4] > 0 for _, bridging in pairs)
    less_unmet = np.array([bridging[2] - run[2] for run, bridging in pairs])
    assert less_unmet.mean() > 0 and (less_unmet > 0).sum() >= 0.75 * less_unmet.size, less_unmet.round()
    more_health = np.array([run[3] - bridging[3] for run, bridging in pairs])
    assert more_health.mean() > 0 and (more_health > 0).sum() >= 0.75 * more_health.size, more_health.round()
