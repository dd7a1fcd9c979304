"""GP contract: capitation per registered patient, plus pay for performance (QOF).

Capitation is paid monthly on the current list; quality pay is settled at
year end in proportion to the share of quality points achieved.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.contracts import Activity, Contract
from model.ledger import Transfer, to_pence
from model.regimes.base import ContractBasis, PaymentRegime, YearEnd


class GPCapitation(PaymentRegime):
    name = "capitation"
    description = "GP contract: capitation per registered patient monthly, quality pay (QOF) at year end"
    scopes = frozenset({"primary_care"})

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {"per_patient": basis.per_patient, "quality_per_patient": basis.quality_per_patient}

    def monthly(self, contract: Contract, activity: Activity) -> list[Transfer]:
        pence = to_pence(contract.terms["per_patient"] * activity.registered_patients / 12.0)
        return [Transfer(contract.payer, contract.provider, pence, "capitation")] if pence else []

    def settle_year(self, contract: Contract, year: YearEnd) -> list[Transfer]:
        activity = contract.year_activity
        # a contract that ran part of the year (a switch, a hand-over) earns that part of its quality pay
        part = contract.months_this_year / 12.0
        pence = to_pence(contract.terms["quality_per_patient"] * activity.registered_patients * activity.quality_achievement * part)
        return [Transfer(contract.payer, contract.provider, pence, "quality_payment")] if pence else []
