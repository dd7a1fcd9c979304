"""Golden runs: small places whose tables are fingerprinted, so a change that should not
alter results (a restructuring) can be shown to leave them identical to the penny.

Each case names a scenario and changes; between them they cover every payment regime,
switches, capitated budgets led by a hospital and by a GP federation, pooled budgets,
a tender that ends in a hand-back, the transformation fund, and adaptive learning with
the rules of the commons under both regulators. A change that alters results on purpose
regenerates the digests (``LHE_UPDATE_GOLDEN=1 pytest tests/golden``) and says why in
its commit.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pandas as pd

SIZE = 4_000
STEPS = 48
SEEDS = (1, 2)

ADAPTIVE = {"adaptation.policy": "adaptive", "commons.shared_measures": True, "commons.graduated_sanctions": True}

CASES: dict[str, tuple[str, dict[str, Any]]] = {
    "baseline": ("baseline", {}),
    "all-fortress": ("all-fortress", {}),
    "all-collaborative-alliance": ("all-collaborative", {}),
    "block": ("teach-block", {}),
    "block-corridor": ("teach-block-corridor", {}),
    "gain-loss-share": ("teach-gain-loss", {}),
    "outcome-withhold": ("teach-withhold", {}),
    "capitated-gp-led": ("teach-mcp", {}),
    "capitated-hospital-led": ("teach-pacs", {}),
    "dudley-switch-and-budget": ("dudley", {}),
    "pooled-salford": ("salford", {}),
    "pooled-torbay": ("torbay", {}),
    "tender-hand-back": ("unitingcare", {"population.size": 30_000, "run.steps": 24}),
    "adaptive-organisation-regulator": ("baseline", {**ADAPTIVE, "regulation.focus": "organisation",
                                                     "regulation.transformation_fund_share": 0.01,
                                                     "regulation.transformation_fund_years": 2}),
    "adaptive-system-regulator": ("baseline", {**ADAPTIVE, "regulation.focus": "system",
                                               "commons.conflict_resolution": True,
                                               "commons.participation": True}),
}


def frame_digest(df: pd.DataFrame) -> str:
    """A hash of a table's columns, types and every value (floats to the bit)."""
    h = hashlib.sha256(json.dumps([list(map(str, df.columns)), list(map(str, df.dtypes))]).encode())
    h.update(pd.util.hash_pandas_object(df, index=True).values.tobytes())
    return h.hexdigest()[:20]


def digests(case: str, seed: int) -> dict[str, str]:
    from model import LocalHealthEconomy, load_scenario

    name, changes = CASES[case]
    scenario = load_scenario(name).with_changes({"population.size": SIZE, "run.steps": STEPS, **changes})
    model = LocalHealthEconomy(scenario, rng=seed).run()
    return {
        "place": frame_digest(model.place_table()),
        "organisations": frame_digest(model.organisation_table()),
        "events": hashlib.sha256(json.dumps(model.events, sort_keys=True, default=str).encode()).hexdigest()[:20],
    }
