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


KINDS = ("commissioner", "council", "hospital", "gp_federation")


def yearly(place: str, changes: dict[str, Any], seed: int, size: int = 10_000) -> dict[str, Any]:
    """A run's figures by financial year: each kind's result (pounds, summed over its organisations),
    the place's result, and the year's emergency admissions and delayed transfer days."""
    import numpy as np

    from model import LocalHealthEconomy, load_scenario

    scenario = load_scenario(place).with_changes({"population.size": size, **changes})
    model = LocalHealthEconomy(scenario, rng=seed).run()
    years = model.month // 12
    out: dict[str, Any] = {k: np.zeros(years) for k in KINDS}
    for o in model.organisations:
        if o.kind in out:
            out[o.kind] += np.array(o.memory[:years])
    out["place"] = np.sum([o.memory[:years] for o in model.organisations], axis=0)
    table = model.place_table().iloc[: years * 12]
    by_year = table.groupby(np.arange(len(table)) // 12)
    for column in ("emergency_admissions", "delayed_transfer_days"):
        out[column] = by_year[column].sum().to_numpy()
    return out
