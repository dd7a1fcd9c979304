"""A run that stops: the error, the month and the organisation the failing code was working on."""

from __future__ import annotations

import pytest

from model import LocalHealthEconomy, load_scenario
from model.failures import diagnose, organisation_in


@pytest.fixture(scope="module")
def hospitals():
    return LocalHealthEconomy(load_scenario().with_changes({"population.size": 1000, "run.steps": 1})).hospitals


def _raised(fn, *args):
    try:
        fn(*args)
    except ZeroDivisionError as e:
        return e
    raise AssertionError("did not fail")


def test_the_organisation_is_the_one_the_failing_line_names(hospitals):
    def by_local(orgs):
        for h in orgs:
            if h.name == "Riverside Hospitals":
                return h.beds / 0

    assert organisation_in(_raised(by_local, hospitals).__traceback__) == "Riverside Hospitals"


def test_a_method_of_an_organisation_blames_it(hospitals, monkeypatch):
    monkeypatch.setattr(type(hospitals[2]), "broken", lambda self: 1 / 0, raising=False)
    assert organisation_in(_raised(lambda: hospitals[2].broken()).__traceback__) == hospitals[2].name


def test_a_variable_left_over_from_an_earlier_loop_is_not_blamed(hospitals):
    def after_loop(orgs):
        total = 0
        for h in orgs:
            total += h.beds
        return total / 0

    assert organisation_in(_raised(after_loop, hospitals).__traceback__) is None


def test_diagnose_says_what_when_and_where():
    def fails():
        return 1 / 0

    failure = diagnose(_raised(fails), 7)
    assert failure.describe() == "the run failed in month 7: ZeroDivisionError: division by zero"
    assert diagnose(_raised(fails), 0).describe().startswith("the run failed while building the place: ")
    assert failure.record() == {"error": "ZeroDivisionError: division by zero", "month": 7, "organisation": None, "where": None}
