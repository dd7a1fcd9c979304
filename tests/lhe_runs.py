"""Helpers for tests that run the model.

A worker started with the ``spawn`` method imports functions by module name,
so those live here at module level rather than inside a test.
"""

from __future__ import annotations

from typing import Any

import pandas as pd


def run_tables(name: str, changes: dict[str, Any], seed: int | None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Build a place from a scenario name and changes, run it, and return its
    place table and organisation table."""
    from model import LocalHealthEconomy, load_scenario

    scenario = load_scenario(name).with_changes(changes)
    model = LocalHealthEconomy(scenario, rng=seed).run()
    return model.place_table(), model.organisation_table()


def journal_model(changes: dict[str, Any], steps: int, *, size: int, seed: int):
    """The baseline place of ``size`` people with ``changes``, keeping a journal of every payment,
    stepped ``steps`` months."""
    from model import LocalHealthEconomy, load_scenario

    model = LocalHealthEconomy(load_scenario().with_changes({"population.size": size, **changes}), rng=seed)
    model.ledger.keep_journal = True
    for _ in range(steps):
        model.step()
    return model


def yearly(place: str, changes: dict[str, Any], seed: int, size: int = 10_000) -> dict[str, Any]:
    """Build a place from a scenario name and changes, run it, and return its figures by financial
    year (model.metrics.yearly_figures)."""
    from model import LocalHealthEconomy, load_scenario
    from model.metrics import yearly_figures

    scenario = load_scenario(place).with_changes({"population.size": size, **changes})
    return yearly_figures(LocalHealthEconomy(scenario, rng=seed).run())


def load_in_worker(path: str):
    """Load a scenario in a worker process (its errors must cross back to the caller)."""
    from model import load_scenario

    return load_scenario(path).name


def balancing_council_planned(changes: dict[str, Any], grant_factor: float, monkeypatch):
    """teach-pbr (20,000 people, seed 2, with ``changes``) at its first year end, its council made one that
    balances its books with its grant times ``grant_factor``, after it has planned its second year: the
    model and the council."""
    from model import LocalHealthEconomy, load_scenario

    m = LocalHealthEconomy(load_scenario("teach-pbr").with_changes({"population.size": 20_000, **changes}), rng=2)
    m.run(12)
    co = m.councils[0]
    monkeypatch.setattr(co.behaviour, "balances_books", True)
    monkeypatch.setattr(co, "grant", co.grant * grant_factor)
    co.plan_year()
    return m, co


class _AtDecide(Exception):
    pass


def decision_time(changes: dict[str, Any], years: int, *, size: int, seed: int):
    """The baseline place of ``size`` people with ``changes``, stopped at its ``years``-th year end just as the
    organisations are about to decide (model.decisions.decide): last year's figures as they decide on them."""
    import model.economy as economy
    from model import LocalHealthEconomy, load_scenario

    model = LocalHealthEconomy(load_scenario().with_changes({"population.size": size, **changes}), rng=seed)
    for _ in range(12 * years - 1):
        model.step()
    decide = economy.decide

    def stop(_model) -> None:
        raise _AtDecide

    economy.decide = stop
    try:
        model.step()
    except _AtDecide:
        return model
    finally:
        economy.decide = decide
    raise AssertionError("the year end did not reach the decisions")
