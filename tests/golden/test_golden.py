"""The golden runs' tables are identical to the digests stored for them (see golden_cases.py)."""

import json
import os
from pathlib import Path

import pytest
from golden_cases import CASES, SEEDS, digests

STORE = Path(__file__).with_name("digests.json")
UPDATE = os.environ.get("LHE_UPDATE_GOLDEN") == "1"
_new: dict[str, dict[str, str]] = {}


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("case", sorted(CASES))
def test_a_golden_run_is_unchanged(case, seed):
    got = digests(case, seed)
    key = f"{case}/seed{seed}"
    if UPDATE:
        assert not os.environ.get("PYTEST_XDIST_WORKER"), "update the digests in one process (-p no:xdist): workers would race"
        stored = json.loads(STORE.read_text()) if STORE.exists() else {}
        stored[key] = got
        STORE.write_text(json.dumps(dict(sorted(stored.items())), indent=1) + "\n")
        return
    stored = json.loads(STORE.read_text())
    assert key in stored, f"no digest stored for {key}: regenerate with LHE_UPDATE_GOLDEN=1"
    assert got == stored[key]
