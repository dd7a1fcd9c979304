"""Alliance contract: a multilateral risk share with no lead provider.

The payer lets one contract to each member provider of the alliance. Each is
paid a block budget (``annual_value`` in monthly twelfths, as a block
contract). At year end the alliance's whole result is shared by agreed shares:
with ``members`` mapping each member's account to its share (the shares sum to
1) and R the sum of the members' results for the year, member p is paid

    share_p * R - result_p

(negative: the member pays back). After every member's settlement each member's
result is its share of the alliance's result, and the payer's net flow over all
members is zero, up to rounding each settlement to the penny.

The results (``YearEnd.results``) are what the economy attributes to the
alliance: each member's surplus or deficit for the year before settlement,
times the alliance's share of that member's contract income (so a provider in
two alliances is not shared twice on one result). A member missing
from the results counts as breaking even (0). ``terms["members"]`` is filled by
the economy; an empty dict means the provider is in an alliance of one (share
1), which settles nothing.

Source: MODEL.md section 5 and seed 004 (The King's Fund on the new care
models): alliances "with at least a degree of shared decision-making and risk
and reward"; in Mid-Nottinghamshire "full members can vote on decisions and
share the risks and rewards from joint activities"; Salford's arrangements
include a risk-share agreement.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from model.contracts import Contract
from model.ledger import Transfer
from model.regimes.base import ContractBasis, YearEnd
from model.regimes.block import BlockContract


def alliance_settlement(provider: str, members: Mapping[str, float], results: Mapping[str, float]) -> float:
    """Pounds the payer owes ``provider`` (+) or ``provider`` pays back (-)."""
    shares = dict(members) if members else {provider: 1.0}
    if provider not in shares:
        raise ValueError(f"{provider!r} is not a member of the alliance ({', '.join(sorted(shares))})")
    if abs(sum(shares.values()) - 1.0) > 1e-9:
        raise ValueError(f"alliance shares must sum to 1, not {sum(shares.values())!r}")
    whole = sum(results.get(m, 0.0) for m in shares)
    return shares[provider] * whole - results.get(provider, 0.0)


class AllianceContract(BlockContract):
    name = "alliance"
    description = "Alliance contract: block budgets to each member; the alliance's surplus or deficit shared by agreed shares"
    scopes = frozenset({"acute", "community"})
    payment_kind = "alliance_budget"

    def terms(self, basis: ContractBasis, options: Mapping[str, float] | None = None) -> dict[str, Any]:
        return {"annual_value": basis.annual_value, "members": {}}

    def settle_year(self, contract: Contract, year: YearEnd) -> list[Transfer]:
        pounds = alliance_settlement(contract.provider, contract.terms["members"], year.results)
        return self.settle(contract, pounds, "alliance_risk_share")

    def cost_share(self, contract: Contract) -> float:
        """The alliance bears what is not the member's share of each pound it spends (see the module)."""
        members = contract.terms["members"]
        return 1.0 - members[contract.provider] if members and contract.provider in members else 0.0
