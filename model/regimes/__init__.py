"""Payment regimes: one module each, one interface (:class:`PaymentRegime`).

To add a regime: write a module with a ``PaymentRegime`` subclass, test its
money flows against a case worked by hand, and add one line to ``REGIMES``.
"""

from model.regimes.alliance import AllianceContract
from model.regimes.base import OUTCOMES, ContractBasis, Parameter, PaymentRegime, YearEnd
from model.regimes.block import BlockContract
from model.regimes.capitated import CapitatedBudget
from model.regimes.capitation import GPCapitation
from model.regimes.corridor import BlockCorridor
from model.regimes.gainloss import GainLossShare
from model.regimes.pbr import PaymentByResults
from model.regimes.pooled import PooledBudget
from model.regimes.withhold import OutcomeWithhold

REGIMES: dict[str, PaymentRegime] = {
    r.name: r
    for r in (
        PaymentByResults(),
        BlockContract(),
        GPCapitation(),
        BlockCorridor(),
        GainLossShare(),
        OutcomeWithhold(),
        AllianceContract(),
        CapitatedBudget(),
        PooledBudget(),
    )
}

__all__ = ["OUTCOMES", "REGIMES", "ContractBasis", "Parameter", "PaymentRegime", "YearEnd"]
