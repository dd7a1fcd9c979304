"""Block contract with a volume corridor: a fixed sum, adjusted at year end if
activity strays far from what the block was priced on.

A block pays ``annual_value`` in monthly twelfths, as :class:`BlockContract`
does. At year end the year's activity is valued at the contract's full prices
(``YearEnd.shadow_value``, S) and compared with the block (T). Inside a corridor
of +/- ``corridor`` around T nothing changes hands; above it the payer pays
``outside_rate`` of the value beyond the corridor's top, below it the provider
pays back ``outside_rate`` of the shortfall below the corridor's bottom::

    S > (1 + c) T:  payer pays      r (S - (1 + c) T)
    S < (1 - c) T:  provider repays r ((1 - c) T - S)

It is the block-with-tolerance form of the "cap and collar" risk sharing that
MODEL.md section 5 describes and seed 004 discusses (Modality, Sandwell and
West Birmingham): the provider bears variation in volume within the corridor
and shares it with the commissioner beyond. The width and the rate are not in
the seed: both defaults are assumptions.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.contracts import Contract
from model.ledger import Transfer
from model.regimes.base import PRICE_OF, ContractBasis, Outlook, Parameter, YearEnd, shadow_value
from model.regimes.block import BlockContract


def corridor_settlement(annual_value: float, shadow_value: float, corridor: float, outside_rate: float) -> float:
    """Pounds the payer owes the provider (+) or the provider owes back (-) at year end."""
    top = (1.0 + corridor) * annual_value
    bottom = (1.0 - corridor) * annual_value
    if shadow_value > top:
        return outside_rate * (shadow_value - top)
    if shadow_value < bottom:
        return -outside_rate * (bottom - shadow_value)
    return 0.0


class BlockCorridor(BlockContract):
    name = "block_corridor"
    description = "Block contract with a volume corridor: activity beyond +/- the corridor settled at a share of tariff"
    scopes = frozenset({"acute"})
    parameters = {
        "corridor": Parameter(
            0.05,
            "half-width of the volume corridor as a share of the block value "
            "(assumption: seed 004 names cap-and-collar thresholds but not their size)",
            0.0,
            0.5,
        ),
        "outside_rate": Parameter(
            0.5,
            "share of tariff paid (or repaid) on activity outside the corridor "
            "(assumption: activity outside the corridor at half tariff)",
            0.0,
            1.0,
        ),
    }

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {
            "annual_value": basis.annual_value,
            "prices": dict(basis.prices),
            "corridor": self.option(options, "corridor"),
            "outside_rate": self.option(options, "outside_rate"),
        }

    def settle_year(self, contract: Contract, year: YearEnd) -> list[Transfer]:
        t = contract.terms
        # a contract let part way through a year (a regime switch) is judged on its part of the value
        pounds = corridor_settlement(self.due_to_date(contract), year.shadow_value, t["corridor"], t["outside_rate"])
        return self.settle(contract, pounds, "corridor_settlement")

    def marginal(self, contract: Contract, unit: str, outlook: Outlook) -> float:
        """Nothing inside the corridor; outside it (either side), the outside rate of the tariff."""
        t = contract.terms
        shadow = shadow_value(t["prices"], outlook.activity)
        inside = (1.0 - t["corridor"]) * t["annual_value"] <= shadow <= (1.0 + t["corridor"]) * t["annual_value"]
        return 0.0 if inside else t["outside_rate"] * t["prices"][PRICE_OF[unit]]
