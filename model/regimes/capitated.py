"""Capitated whole-population budget to a lead provider (MODEL.md section 5; seed 004).

The commissioner hands a budget per registered person for the whole
population's care to one lead provider or prime contractor: a hospital (a
primary and acute care system, PACS) or a GP federation (a multispecialty
community provider, MCP). The lead pays its sub-contractors under their own
contracts and keeps its own services in-house; upside and downside risk sit
with it. The budget is paid monthly on the current registered population, so
it follows growth in the population but not in activity. No year-end
settlement: what the lead saves it keeps, what it overspends it bears.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.contracts import Activity, Contract
from model.ledger import Transfer, to_pence
from model.regimes.base import ContractBasis, PaymentRegime


class CapitatedBudget(PaymentRegime):
    name = "capitated"
    description = "Capitated whole-population budget to a lead provider (PACS or MCP), paid per registered person"
    scopes = frozenset({"whole_population"})

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        people = basis.expected.registered_patients
        return {"annual_value": basis.annual_value, "per_head": basis.annual_value / people if people else 0.0}

    def monthly(self, contract: Contract, activity: Activity) -> list[Transfer]:
        pence = to_pence(contract.terms["per_head"] * activity.registered_patients / 12.0)
        return [Transfer(contract.payer, contract.provider, pence, "capitated_budget")] if pence else []
