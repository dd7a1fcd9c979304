"""Net health: quality-adjusted life from each person's state, and money valued in it.

The common currency in which the place's results are judged (INCENTIVES.md, "Net health").
Every figure is a parameter of the scenario's ``[net_health]`` section, with its source.

**A person-month.** Everyone alive at the end of a month accrues a twelfth of their utility::

    u = norm(age) - ltc_decrements[ltc] - frailty_decrement x frailty
        - unmet_need_decrement x [social care need unmet]
    norm(age) = norm_intercept + norm_per_year x age + norm_per_year_squared x age^2

The norm is the UK EQ-5D-3L population norm of Ara and Brazier (2010, Value in Health 13(5)):
the model has no sex, so its constant is that of a mixed population, half male. People who
die in a month accrue nothing for it, nor after. Decrements add up; nothing floors the sum
(the UK EQ-5D-3L tariff has states worse than dead).

**Harms of the month's services**, counted rather than carried per person, are taken off the
place's total: ``delayed_decrement`` for each person-month spent in a hospital bed waiting for
care (delayed transfer days over the days of a month), ``long_wait_decrement`` for each person
on the elective waiting list who has waited more than 18 weeks, and
``emergency_admission_decrement`` for each emergency admission (a month of acute illness).

**Anchoring.** The norms describe people as they are, conditions and frailty included, so
subtracting condition and frailty decrements in full counts them twice. With
``anchor_to_norms`` (the default) the decrements are taken as departures from the place's
starting average at each age: at the start the condition and frailty decrements of the people
alive are fitted by least squares on a quadratic in age, and the fit is added to the norm's
coefficients. The place then starts on the norm on average (the residuals of a least-squares
fit with a constant sum to zero), and a person with more conditions or frailty than was usual
at their age scores below it. Changes of state are valued the same either way.

**Money outside the model.** Commissioners spend what their plans leave on services the model
does not represent (``Commissioner.other_services``, booked monthly as ``other_services``).
That money buys health at the NHS's marginal cost per QALY, ``cost_per_qaly_outside`` (Claxton
et al. 2015, Health Technology Assessment 19(14): about £12,936): ``qalys_outside = pounds /
cost_per_qaly_outside``.

**Net monetary benefit** at a threshold ``threshold_per_qaly`` (NICE's £20,000 to £30,000 a
QALY; £20,000 by default)::

    NMB = threshold x (QALYs of the population + QALYs bought outside) + money

where *money* is the change in the place's balance (what came in from the NHS allocation,
council grants and any fund, less everything spent, outside the model included), less the
national support a failing hospital draws from outside the place (model.regulation: counted
as money, it would reward failure). Spending
outside the model thus enters twice, as money spent (it lowers the balance) and as the QALYs it
buys; at the default figures a pound spent outside adds ``20,000 / 12,936 - 1``, about 55p,
to the NMB. Nothing is discounted.

**Net health benefit** (QALYs) counts the place's money as the health it would buy at the NHS's
margin, at ``cost_per_qaly_outside`` a QALY (Claxton et al. 2015: the health forgone when a budget
is spent one way rather than another)::

    NHB = QALYs of the population + QALYs bought outside + money / cost_per_qaly_outside

Every pound is priced alike, so a commissioner's pound spent outside the model and the same pound
banked count the same (``money.commissioner_headroom_spent`` moves the NHB only through what a
commissioner's reserves change downstream), where the NMB counts the pound spent at
``threshold / cost_per_qaly_outside`` and the pound banked at one. A council's pound is priced as the
NHS's by default (an assumption: local public health's marginal cost has been put at about £3,800 a
QALY, Martin, Lomas and Claxton 2020, and adult social care's above £54,000 a social-care QALY, Longo
et al. 2023). ``council_cost_per_qaly`` prices the councils' own money apart: their balance less the
national support they drew, at that price, the NHS organisations' at ``cost_per_qaly_outside``::

    NHB = QALYs + QALYs bought outside + NHS money / cost_per_qaly_outside + council money / council_cost_per_qaly

The NMB divided by the threshold equals the NHB when the threshold is ``cost_per_qaly_outside`` and the
councils' money is priced as the NHS's.

**Valuing a change** (for decisions weighing a lever's health consequences):
:func:`qalys_gained` turns changes in person-months in each state into QALYs, e.g.::

    from model.health import qalys_gained, net_monetary_benefit
    p = model.params.net_health
    gain = qalys_gained(p, admissions_avoided=120, delayed_months_avoided=35.5, deaths_avoided=2)
    worth = net_monetary_benefit(p, gain, money=-250_000.0)  # pounds, at the threshold

A positive number of a thing avoided gains health; a negative one (more of it) loses it. Each
person-month is valued as the monthly accrual values it, so the gain equals the change in the
accrued QALYs, except for a death: the accrual stops at death and counts only the months left
in the run, while ``deaths_avoided`` is valued at ``qalys_per_death``, the QALYs a death
avoided gives the person over the rest of their life. :func:`utility` gives the utility of any
state, for changes the helper does not name (a condition avoided: the difference of two states).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from model.delivery import LONG_WAIT_BIN
from model.organisations import SINK, Hospital
from model.population import LTC_LEVELS, MONTH_DAYS, MonthDemand, Population
from model.programmes import dose_response
from model.scenario import NetHealth as NetHealthParams

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy

MONTHS = 12.0
F4 = np.float32
F8 = np.float64


# --- the value of a state and of a change -------------------------------------------------------
def utility(
    p: NetHealthParams,
    age: np.ndarray | float,
    ltc: np.ndarray | int,
    frailty: np.ndarray | float,
    unmet_need: np.ndarray | bool = False,
    anchor: tuple[float, float, float] = (0.0, 0.0, 0.0),
) -> np.ndarray:
    """Utility a year (float64) of people in a state: the norm at their age less the decrements
    for their conditions (0, 1, 2, 3+), frailty and unmet social care need. ``anchor`` adds to the
    norm's constant, age and age-squared coefficients (see :meth:`PlaceHealth.fit_anchor`)."""
    age = np.asarray(age, dtype=F8)
    a0, a1, a2 = anchor
    norm = (p.norm_intercept + a0) + (p.norm_per_year + a1) * age + (p.norm_per_year_squared + a2) * age * age
    ltc_loss = np.asarray(p.ltc_decrements, dtype=F8)[np.minimum(np.asarray(ltc), LTC_LEVELS - 1)]
    return norm - ltc_loss - p.frailty_decrement * np.asarray(frailty, dtype=F8) - p.unmet_need_decrement * np.asarray(unmet_need, dtype=F8)


def qalys_gained(
    p: NetHealthParams,
    *,
    admissions_avoided: float = 0.0,
    unmet_need_months_avoided: float = 0.0,
    delayed_months_avoided: float = 0.0,
    long_wait_months_avoided: float = 0.0,
    frailty_months_avoided: float = 0.0,
    deaths_avoided: float = 0.0,
    spent_outside: float = 0.0,
) -> float:
    """QALYs gained when these are avoided (negative: more of them): emergency admissions,
    person-months of unmet social care need, of delay in a hospital bed and of waiting more than
    18 weeks, frailty-index-months (frailty index points times months), deaths (at
    ``qalys_per_death`` each); and pounds spent on services outside the model (at
    ``cost_per_qaly_outside``)."""
    per_month = (admissions_avoided * p.emergency_admission_decrement
                 + unmet_need_months_avoided * p.unmet_need_decrement
                 + delayed_months_avoided * p.delayed_decrement
                 + long_wait_months_avoided * p.long_wait_decrement
                 + frailty_months_avoided * p.frailty_decrement)
    return per_month / MONTHS + deaths_avoided * p.qalys_per_death + spent_outside / p.cost_per_qaly_outside


def net_monetary_benefit(p: NetHealthParams, qalys: float, money: float = 0.0) -> float:
    """Pounds: QALYs at the threshold, plus money (the change in the place's balance)."""
    return p.threshold_per_qaly * qalys + money


# --- the place's month --------------------------------------------------------------------------
@dataclass(frozen=True)
class MonthHealth:
    """One month's quality-adjusted life in the place."""

    qalys: float  # the population's, net of the harms below
    people: int  # alive at the end of the month
    lost_unmet_need: float  # QALYs lost to unmet social care need
    lost_delays: float  # to delays in a hospital bed
    lost_waits: float  # to waits over 18 weeks
    lost_admissions: float  # to emergency admissions
    spent_outside: float  # pounds spent on services outside the model
    qalys_outside: float  # the QALYs that bought
    qalys_community: float = 0.0  # what community services changed since the start give beyond the admissions they avoid


def _solve(a: list[list[float]], b: list[float]) -> list[float]:
    """``x`` with ``a x = b`` for a small square system, by Gaussian elimination with partial pivoting in
    Python's floats: every operation in a fixed order, so the result is the same to the bit on every
    processor (LAPACK's, through NumPy, depends on the kernels OpenBLAS picks for the processor)."""
    n = len(b)
    m = [[*map(float, row), float(v)] for row, v in zip(a, b, strict=True)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(m[r][col]))
        if m[pivot][col] == 0.0:
            raise ValueError("singular system")
        m[col], m[pivot] = m[pivot], m[col]
        for r in range(col + 1, n):
            f = m[r][col] / m[col][col]
            for c in range(col, n + 1):
                m[r][c] -= f * m[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (m[r][n] - sum(m[r][c] * x[c] for c in range(r + 1, n))) / m[r][r]
    return x


def community_qalys_a_year(model: LocalHealthEconomy, hospital: Hospital, capacity: float) -> float:
    """QALYs a year the community services a hospital runs give beyond the admissions they avoid, at ``capacity``
    (their real change over the start, as a share of it): the first pound added at the start buys
    ``programmes.community_health_at_margin`` of what the NHS's marginal pound buys
    (``net_health.cost_per_qaly_outside``), each further pound less and each pound cut more, by the community half
    dose's curve (model.programmes.dose_response); none for a hospital holding no community block."""
    p = model.params.programmes
    base = hospital.community_base_value
    if not base or p.community_health_at_margin == 0.0:
        return 0.0
    half = p.community_half_dose
    most = p.community_health_at_margin * half * base / model.params.net_health.cost_per_qaly_outside
    return dose_response(capacity, most, half)


class PlaceHealth:
    """The place's quality-adjusted life, month by month, and its running totals."""

    def __init__(self, model: LocalHealthEconomy) -> None:
        self.model = model
        p = model.params.net_health
        self.p = p
        # figures read once (pydantic attribute access is slow)
        self._ltc_steps = np.diff(np.asarray(p.ltc_decrements, dtype=F8))  # lost going from k-1 to k conditions
        self._ltc_none = float(p.ltc_decrements[0])
        self._frailty = float(p.frailty_decrement)
        self.anchor = self.fit_anchor(model.population) if p.anchor_to_norms else (0.0, 0.0, 0.0)
        a0, a1, a2 = self.anchor
        self._coef = (p.norm_intercept + a0, p.norm_per_year + a1, p.norm_per_year_squared + a2)
        self._work(model.population.capacity)
        self.month: MonthHealth | None = None
        self.qalys_cumulative = 0.0
        self.qalys_outside_cumulative = 0.0
        self.qalys_community_cumulative = 0.0
        self.opening_balance = model.ledger.totals()["organisations"] / 100  # pounds, before the first month
        # the councils' share of it, priced apart when net_health.council_cost_per_qaly says so
        self.opening_council = sum(model.ledger.balance(c.account) for c in model.councils) / 100
        self._council_last = self.opening_council

    def _work(self, capacity: int) -> None:
        """Work arrays for the monthly sums, reused every month (see Population._work)."""
        self._w = np.empty(capacity, dtype=F4)
        self._w2 = np.empty(capacity, dtype=F4)
        self._b = np.empty(capacity, dtype=bool)

    def fit_anchor(self, pop: Population) -> tuple[float, float, float]:
        """Least-squares quadratic in age of the people's condition and frailty decrements at the
        start: what the norm's coefficients gain so the decrements count as departures from the
        average at each age. Sums are numpy's own (pairwise, float64) and the 3x3 system is solved in
        Python's floats (``_solve``), not by LAPACK, whose kernels differ with the processor: so the
        fit is the same on any machine."""
        p = self.p
        alive = pop.alive
        age = pop.age[alive].astype(F8) / 100.0  # scaled: a better conditioned system
        loss = np.asarray(p.ltc_decrements, dtype=F8)[pop.ltc[alive]] + p.frailty_decrement * pop.frailty[alive].astype(F8)
        powers = [np.ones_like(age), age, age * age]
        gram = [[float(np.sum(a * b)) for b in powers] for a in powers]
        rhs = [float(np.sum(a * loss)) for a in powers]
        beta = _solve(gram, rhs)
        return (beta[0], beta[1] / 100.0, beta[2] / 10_000.0)

    def people(self, pop: Population) -> tuple[float, int, int]:
        """Over everyone alive: the sum of their utility a year before unmet need, how many they
        are, and how many have unmet social care need.

        Age and frailty are combined per person in a float32 work array whose sum is taken in
        float64; conditions and unmet need are counts."""
        if self._w.size != pop.capacity:  # the arrays grew for new registrations
            self._work(pop.capacity)
        c0, c1, c2 = self._coef
        w, w2, b = self._w, self._w2, self._b
        alive = pop.alive
        np.multiply(pop.age, F4(c2), out=w)  # the norm less its constant, by Horner's rule
        np.add(w, F4(c1), out=w)
        np.multiply(w, pop.age, out=w)
        np.multiply(pop.frailty, F4(self._frailty), out=w2)
        np.subtract(w, w2, out=w)
        np.multiply(w, alive, out=w)
        total = float(np.add.reduce(w, dtype=F8))
        n = int(np.count_nonzero(alive))
        ltc_loss = self._ltc_none * n
        for k, step in enumerate(self._ltc_steps, start=1):
            if step != 0.0:
                np.greater_equal(pop.ltc, k, out=b)
                np.logical_and(b, alive, out=b)
                ltc_loss += step * np.count_nonzero(b)
        return total + c0 * n - ltc_loss, n, int(np.count_nonzero(pop.unmet_mask(b)))

    def accrue(self, demand: MonthDemand, activity: dict[str, Any]) -> MonthHealth:
        """The month's QALYs, from the state at its end and the month's care; added to the totals."""
        m = self.model
        p = self.p
        pop = m.population
        people, n, unmet = self.people(pop)
        lost_unmet = unmet * p.unmet_need_decrement / MONTHS
        delayed_months = float(np.sum(activity["delayed_days"])) / MONTH_DAYS
        lost_delays = delayed_months * p.delayed_decrement / MONTHS
        lost_waits = float(m.delivery.waiting[:, :, LONG_WAIT_BIN:].sum()) * p.long_wait_decrement / MONTHS
        lost_admissions = demand.admitted.size * p.emergency_admission_decrement / MONTHS
        spent = m.ledger.period_by_kind[(SINK, "other_services")] / 100
        community = sum(community_qalys_a_year(m, h, h.in_post("community")) for h in m.hospitals) / MONTHS
        month = MonthHealth(
            qalys=people / MONTHS - lost_unmet - lost_delays - lost_waits - lost_admissions,
            people=n,
            lost_unmet_need=lost_unmet,
            lost_delays=lost_delays,
            lost_waits=lost_waits,
            lost_admissions=lost_admissions,
            spent_outside=spent,
            qalys_outside=spent / p.cost_per_qaly_outside,
            qalys_community=community,
        )
        self.qalys_cumulative += month.qalys
        self.qalys_outside_cumulative += month.qalys_outside
        self.qalys_community_cumulative += month.qalys_community
        self.month = month
        return month

    def report(self, place_surplus: float, place_balance: float, council_balance: float | None = None) -> dict[str, float]:
        """The place table's net health columns for the month just accrued (see metrics).

        ``place_surplus`` and ``place_balance``: the place's own money (less national support), the month's
        change and the balance; ``council_balance``: the councils' own balance, needed only when their
        pounds are priced apart (``council_cost_per_qaly``)."""
        month = self.month
        if month is None:
            raise RuntimeError("no month accrued yet")
        threshold = self.p.threshold_per_qaly
        forgone = self.p.cost_per_qaly_outside  # pounds a QALY at the NHS's margin: what a pound of the place's money would buy
        council_price = self.p.council_cost_per_qaly
        change = place_balance - self.opening_balance
        if council_price is None or council_price == forgone:
            health_of_money, health_of_money_month = change / forgone, place_surplus / forgone
        else:
            if council_balance is None:
                raise ValueError("net_health.council_cost_per_qaly prices the councils' money apart: pass council_balance")
            council_month, council_change = council_balance - self._council_last, council_balance - self.opening_council
            self._council_last = council_balance
            health_of_money = (change - council_change) / forgone + council_change / council_price
            health_of_money_month = (place_surplus - council_month) / forgone + council_month / council_price
        return {
            "qalys": month.qalys,
            "qalys_per_person_year": month.qalys * MONTHS / month.people if month.people else 0.0,
            "qalys_lost_unmet_need": month.lost_unmet_need,
            "qalys_lost_delays": month.lost_delays,
            "qalys_lost_waits": month.lost_waits,
            "qalys_lost_admissions": month.lost_admissions,
            "other_services": month.spent_outside,
            "qalys_outside": month.qalys_outside,
            "qalys_community": month.qalys_community,
            "net_monetary_benefit": threshold * (month.qalys + month.qalys_outside + month.qalys_community) + place_surplus,
            "qalys_cumulative": self.qalys_cumulative,
            "qalys_outside_cumulative": self.qalys_outside_cumulative,
            "qalys_community_cumulative": self.qalys_community_cumulative,
            "net_monetary_benefit_cumulative": threshold * (self.qalys_cumulative + self.qalys_outside_cumulative
                                                            + self.qalys_community_cumulative)
            + (place_balance - self.opening_balance),
            "net_health_benefit": month.qalys + month.qalys_outside + month.qalys_community + health_of_money_month,
            "net_health_benefit_cumulative": self.qalys_cumulative + self.qalys_outside_cumulative
            + self.qalys_community_cumulative + health_of_money,
        }

