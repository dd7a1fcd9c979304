"""Block contract: a fixed annual sum paid in twelfths, whatever the activity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.contracts import Activity, Contract
from model.ledger import Transfer
from model.regimes.base import ContractBasis, PaymentRegime


class BlockContract(PaymentRegime):
    name = "block"
    description = "Block contract: a fixed annual sum in monthly twelfths, whatever the activity"
    scopes = frozenset({"acute", "community", "primary_care"})
    rewards_activity = False

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {"annual_value": basis.annual_value}

    def due_to_date(self, contract: Contract) -> float:
        return contract.terms["annual_value"] * contract.months_this_year / 12.0

    def monthly(self, contract: Contract, activity: Activity) -> list[Transfer]:
        return self.pay(contract, self.due_to_date(contract), "block_payment")
