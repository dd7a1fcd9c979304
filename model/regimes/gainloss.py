"""Gain/loss share with a cap and collar.

The provider is paid a block at a target cost (``target``, T) in monthly
twelfths. At year end the year's activity valued at the contract's full prices
(``YearEnd.shadow_value``, S) is compared with the target:

- a gain (g = T - S > 0): the provider keeps savings up to a cap, ``cap * T``,
  and pays the rest back to the payer, to be reinvested in services;
- a loss (l = S - T > 0): the provider bears losses up to a collar,
  ``collar * T``, alone; beyond the collar the payer pays ``loss_share`` of the
  excess, ``loss_share * (l - collar * T)``.

Source: MODEL.md section 5 and seed 004 (The King's Fund on the new care
models): in Sandwell and West Birmingham the Modality Partnership "would need to
agree a cap and collar arrangement where it might extract profits from
improving services up to a certain threshold, and reinvest profits beyond that
threshold in services, and where it would also share losses beyond a certain
threshold with commissioners. The challenge will be in deciding where those
thresholds should be set." The seed names the arrangement, not the
thresholds: the defaults here are assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.contracts import Contract
from model.ledger import Transfer
from model.regimes.base import PRICE_OF, ContractBasis, Outlook, Parameter, YearEnd, shadow_value
from model.regimes.block import BlockContract


def gain_loss_settlement(target: float, shadow_value: float, cap: float, collar: float, loss_share: float) -> float:
    """Pounds the payer owes the provider (+) or the provider pays back (-) at year end."""
    gain = target - shadow_value
    if gain > 0:
        return -max(gain - cap * target, 0.0)  # savings beyond the cap go back for reinvestment
    loss = -gain
    return loss_share * max(loss - collar * target, 0.0)  # losses beyond the collar are shared


class GainLossShare(BlockContract):
    name = "gain_loss_share"
    description = "Gain/loss share: a block at target; savings kept up to a cap, losses shared beyond a collar"
    scopes = frozenset({"acute"})
    value_key = "target"
    parameters = {
        "cap": Parameter(
            0.03,
            "most savings the provider keeps, as a share of the target; the rest is reinvested "
            "(assumption: seed 004, Modality, names the cap but not its level)",
            0.0,
            0.5,
        ),
        "collar": Parameter(
            0.03,
            "losses the provider bears alone, as a share of the target "
            "(assumption: seed 004, Modality, names the collar but not its level)",
            0.0,
            0.5,
        ),
        "loss_share": Parameter(
            0.5,
            "share of losses beyond the collar that the payer bears (assumption)",
            0.0,
            1.0,
        ),
    }

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {
            "target": basis.annual_value,
            "prices": dict(basis.prices),  # the prices the shadow value is taken at
            "cap": self.option(options, "cap"),
            "collar": self.option(options, "collar"),
            "loss_share": self.option(options, "loss_share"),
        }

    def settle_year(self, contract: Contract, year: YearEnd) -> list[Transfer]:
        t = contract.terms
        # a contract let part way through a year (a regime switch) is judged on its part of the target
        pounds = gain_loss_settlement(self.due_to_date(contract), year.shadow_value, t["cap"], t["collar"], t["loss_share"])
        return self.settle(contract, pounds, "gain_loss_share")

    def marginal(self, contract: Contract, unit: str, outlook: Outlook) -> float:
        """A gain beyond the cap goes back, so there one more unit is paid at tariff (less goes back);
        a loss beyond the collar is shared, so there the payer pays its share of the tariff; between
        the cap and the collar, nothing."""
        t = contract.terms
        price = t["prices"][PRICE_OF[unit]]
        gain = t["target"] - shadow_value(t["prices"], outlook.activity)
        if gain > t["cap"] * t["target"]:
            return price
        if -gain > t["collar"] * t["target"]:
            return t["loss_share"] * price
        return 0.0
