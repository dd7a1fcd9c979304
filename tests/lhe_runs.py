"""Helpers for tests that run the model in another process.

A worker started with the ``spawn`` method imports functions by module name,
so they live here at module level rather than inside a test.
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
