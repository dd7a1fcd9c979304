"""How many care packages a council that balances its books funds for the year (Council.plan_year):
no more than its residents eligible when it plans (the baseline), or every package its budget affords
(``social_care.packages_as_afforded``), those who become eligible during the year taking the rest."""

import pytest
from lhe_runs import balancing_council_planned, journal_model


def planned(afforded: bool, monkeypatch) -> tuple[int, int]:
    """A balancing council at its first year end with a budget well above its eligible residents'
    packages: the packages it plans and its residents eligible."""
    m, co = balancing_council_planned({"social_care.packages_as_afforded": afforded}, 3, monkeypatch)
    return co.packages, m.delivery.eligible_count(co)


@pytest.mark.parametrize("afforded", [False, True])
def test_a_balancing_council_funds_its_eligible_residents_or_all_it_affords(afforded, monkeypatch):
    packages, eligible = planned(afforded, monkeypatch)
    assert eligible > 0
    if afforded:
        assert packages > 1.5 * eligible  # room for those who become eligible during the year
    else:
        assert packages == eligible


def test_funding_what_it_affords_takes_the_second_years_waits_for_a_package_down():
    """The baseline, two years, paired seeds: those who become eligible in the second year find a
    package a balancing council funded for them, so fewer wait in a hospital bed (the first year's
    packages are set before any plan, the same either way)."""
    lower = 0
    for seed in (1, 2, 3):
        tables = [journal_model({"social_care.packages_as_afforded": a}, 24, size=20_000, seed=seed).place_table()
                  for a in (False, True)]
        first = [t["delayed_transfer_days"].iloc[:12].sum() for t in tables]
        second = [t["delayed_transfer_days"].iloc[12:].sum() for t in tables]
        assert first[0] == first[1]
        lower += second[1] < second[0]
    assert lower == 3
