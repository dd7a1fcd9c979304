"""Pooled health and social care budget (Section 75 / Better Care Fund; MODEL.md section 5, seed 004).

The commissioner pays an agreed contribution into a budget pooled with the
council's own social care money and hosted by the council (Salford's pooled
adult health and social care budget was £236 million, seed 004). The pot pays
for care packages; at year end the pot's surplus or deficit, which is the
council's result for the year, is shared: the NHS takes ``pooled_risk_share``
of it (pays that share of a deficit, receives that share of a surplus).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.contracts import Contract
from model.ledger import Transfer
from model.regimes.base import ContractBasis, Parameter, YearEnd
from model.regimes.block import BlockContract


class PooledBudget(BlockContract):
    name = "pooled_budget"
    description = "Pooled health and social care budget hosted by the council; the year's result shared with the NHS"
    scopes = frozenset({"social_care"})
    payment_kind = "pooled_budget"
    parameters = {
        "pooled_risk_share": Parameter(0.5, "the NHS's share of the pooled budget's surplus or deficit (assumption: an even split)"),
    }

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {"annual_value": basis.annual_value, "risk_share": self.option(options, "pooled_risk_share")}

    def settle_year(self, contract: Contract, year: YearEnd) -> list[Transfer]:
        result = year.results.get(contract.provider, 0.0)
        return self.settle(contract, -result * contract.terms["risk_share"], "pooled_risk_share")  # a deficit: the NHS pays in

    def cost_share(self, contract: Contract) -> float:
        """The NHS bears its risk share of each pound the pot's host spends."""
        return contract.terms["risk_share"]
