"""Payment regimes: one module each, one interface (:class:`PaymentRegime`).

To add a regime: write a module with a ``PaymentRegime`` subclass, test its
money flows against a case worked by hand, and add one line to ``REGIMES``.
"""

from model.regimes.base import OUTCOMES, ContractBasis, Parameter, PaymentRegime, YearEnd
from model.regimes.block import BlockContract
from model.regimes.capitation import GPCapitation
from model.regimes.pbr import PaymentByResults

REGIMES: dict[str, PaymentRegime] = {
    r.name: r
    for r in (
        PaymentByResults(),
        BlockContract(),
        GPCapitation(),
    )
}

__all__ = ["OUTCOMES", "REGIMES", "ContractBasis", "Parameter", "PaymentRegime", "YearEnd"]
