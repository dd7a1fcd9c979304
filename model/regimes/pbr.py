"""Payment by Results: a national tariff per spell and attendance.

Emergency admissions above the contract's baseline are paid at a marginal rate
(30% of tariff in England, seed 003 / MODEL.md section 5); emergency
readmissions within 30 days are paid at ``readmission_rate`` (0 in England
from 2011). A commissioner may cap elective activity above a plan by paying
it at ``over_plan_rate``. Payments are made monthly on the year's cumulative
activity against a baseline pro-rated to the months elapsed, so the last month
of the year settles the annual rule exactly.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.contracts import Activity, Contract
from model.ledger import Transfer
from model.regimes.base import PRICE_OF, ContractBasis, Outlook, PaymentRegime


def pbr_value(terms: dict[str, Any], year: Activity, months: int) -> float:
    """The value in pounds of a year-to-date's activity after ``months`` months."""
    p = terms["prices"]
    share = months / 12.0
    baseline = terms["emergency_baseline"] * share
    readmissions = year.emergency_readmissions
    first_admissions = year.emergency_spells - readmissions
    within = min(first_admissions, baseline)
    above = max(first_admissions - baseline, 0.0)
    emergency = p["emergency_spell"] * (within + terms["marginal_rate"] * above + terms["readmission_rate"] * readmissions)
    plan = terms.get("elective_plan")
    if plan is None:
        elective = p["elective_spell"] * year.elective_spells
    else:
        in_plan = min(year.elective_spells, plan * share)
        elective = p["elective_spell"] * (in_plan + terms["over_plan_rate"] * (year.elective_spells - in_plan))
    return (
        emergency
        + elective
        + p["ae_attendance"] * year.ae_attendances
        + p["outpatient_attendance"] * year.outpatient_attendances
    )


class PaymentByResults(PaymentRegime):
    name = "pbr"
    description = "Payment by Results: tariff per spell; emergencies above baseline at a marginal rate"
    scopes = frozenset({"acute"})  # community services have no national tariff (seed 001): a block pays them

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {
            "prices": dict(basis.prices),
            "emergency_baseline": float(basis.expected.emergency_spells - basis.expected.emergency_readmissions),
            "marginal_rate": basis.marginal_rate,
            "readmission_rate": 0.0,
            "elective_plan": None,
            "over_plan_rate": 1.0,
        }

    def due_to_date(self, contract: Contract) -> float:
        return pbr_value(contract.terms, contract.year_activity, contract.months_this_year)

    def monthly(self, contract: Contract, activity: Activity) -> list[Transfer]:
        return self.pay(contract, self.due_to_date(contract), "pbr_payment")

    def year_value(self, contract: Contract, activity: Activity) -> float:
        return pbr_value(contract.terms, activity, 12)

    def marginal(self, contract: Contract, unit: str, outlook: Outlook) -> float:
        """The tariff; an emergency admission beyond the baseline at the marginal rate, a readmission at
        the readmission rate, an elective beyond a plan at the over-plan rate."""
        t, a = contract.terms, outlook.activity
        price = t["prices"][PRICE_OF[unit]]
        if unit == "emergency_spell":
            first = a.emergency_spells - a.emergency_readmissions
            return price * (t["marginal_rate"] if first >= t["emergency_baseline"] else 1.0)
        if unit == "emergency_readmission":
            return price * t["readmission_rate"]
        if unit == "elective_spell" and t.get("elective_plan") is not None and a.elective_spells >= t["elective_plan"]:
            return price * t["over_plan_rate"]
        return price
