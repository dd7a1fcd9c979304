"""Councils held to national eligibility criteria (``social_care.national_eligibility``; the Care Act 2014).

Off (the baseline), a council funds the packages it plans and rations eligibility to them: one that
balances its books raises its threshold to what its budget affords, and people who become eligible
during the year wait for a package a death frees, in a hospital bed if they are there. On, each council
funds a package for every resident at or above its starting threshold (plus the little its tightening
lever adds) whatever its budget, and overspends instead. Each test compares the flag on and off on the
same place and seed, so the flag off is each test's ablation."""

import pytest
from lhe_runs import balancing_council_planned, journal_model

from model.decisions import View


@pytest.mark.parametrize("seed", [1, 2])
def test_held_to_national_criteria_nobody_waits_in_a_hospital_bed_for_a_package(seed):
    """The baseline place, two years: rationed, people wait in hospital for a package; held to the
    criteria, every eligible person leaving hospital finds one, and the councils spend more on care."""
    runs = {flag: journal_model({"social_care.national_eligibility": flag}, 24, size=20_000, seed=seed)
            for flag in (False, True)}
    delayed = {flag: m.place_table()["delayed_transfer_days"].sum() for flag, m in runs.items()}
    assert delayed[False] > 0
    assert delayed[True] == 0
    care = {flag: sum(t.pence for _, t in m.ledger.journal if t.kind == "care_packages"
                      and t.payer in {c.account for c in m.councils}) for flag, m in runs.items()}
    assert care[True] > care[False]


def planned(national: bool, monkeypatch):
    """A balancing council at its first year end whose budget affords a third of its packages: the
    council after it has planned its second year."""
    return balancing_council_planned({"social_care.national_eligibility": national}, 1 / 3, monkeypatch)


@pytest.mark.parametrize("national", [False, True])
def test_a_balancing_council_rations_to_its_budget_only_where_no_national_criteria_hold_it(national, monkeypatch):
    m, co = planned(national, monkeypatch)
    criteria = max(co.start_eligibility + co.lever("eligibility_tightening"), m.params.social_care.need_threshold)
    eligible = m.delivery.eligible_count(co)
    if national:
        assert co.eligibility == criteria
        assert co.packages >= eligible > 0  # it funds everyone the criteria count eligible
    else:
        assert co.eligibility > criteria  # rationed up to the packages a third of its money buys
        assert co.packages == eligible


@pytest.mark.parametrize("national", [False, True])
def test_what_a_balancing_council_spends_on_prevention_comes_out_of_care_only_where_it_rations(national, monkeypatch):
    """The year-end forecast of more prevention: a council rationing to its budget funds fewer packages
    for people its duty covers (the whole change, budgeted before its packages, though only what is in post
    is spent: it spends less in the year); held to the criteria, it funds them all the same and only spends
    more."""
    m, co = planned(national, monkeypatch)
    change = View(m).change(co, "prevention_ratio", co.lever("prevention_ratio") + 0.1)
    if national:
        assert change.costs[co.account] > 0
        assert change.duty.get(co.account, 0.0) == 0
    else:
        assert change.costs[co.account] < 0
        assert change.duty[co.account] < 0
