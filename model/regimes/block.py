"""Block contract: a fixed annual sum paid in twelfths, whatever the activity."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from model.contracts import Activity, Contract
from model.ledger import Transfer
from model.regimes.base import ContractBasis, PaymentRegime


class BlockContract(PaymentRegime):
    """Also the base of the regimes that pay a block and settle something at year end."""

    name = "block"
    description = "Block contract: a fixed annual sum in monthly twelfths, whatever the activity"
    scopes = frozenset({"acute", "community", "primary_care"})
    value_key: ClassVar[str] = "annual_value"  # the term holding the year's sum
    payment_kind: ClassVar[str] = "block_payment"

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {"annual_value": basis.annual_value}

    def due_to_date(self, contract: Contract) -> float:
        """The year's sum for the months run so far (at the year end: the part of the year it ran)."""
        return contract.terms[self.value_key] * contract.months_this_year / 12.0

    def year_value(self, contract: Contract, activity: Activity) -> float:
        return contract.terms[self.value_key]

    def monthly(self, contract: Contract, activity: Activity) -> list[Transfer]:
        return self.pay(contract, self.due_to_date(contract), self.payment_kind)
