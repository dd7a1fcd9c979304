"""Programmes: capacity an organisation builds, and what it does to the population's risks.

A programme (a GP federation's proactive case management, a hospital's specialist
outreach and early supported discharge, a council's prevention, the community
services a commissioner funds) has a *dose*: what the organisation decides to put
into it (a share of clinical time, an intensity, a change in spending). Its capacity
follows the dose as people are recruited and services set up, paid for as it goes;
its *effect* follows the capacity in post as the service embeds (teams learn, lists
of patients are found, relationships form). So the lag of a programme comes from
building and embedding capacity, not from a clock: nothing put in, nothing built,
no effect; a dose cut releases capacity (faster than it was built) and the effect
fades with it.

The effect of the capacity embedded grows with it, less than proportionally
(diminishing returns): ``most * k / (k + half_dose)`` for capacity ``k``, so zero
gives nothing, more gives more, and the effect never exceeds ``most``. A cut below
the starting level (prevention or community services cut) harms along the same
curve continued below the start, ``most / half_dose * (k - k * k / half_dose)``
(its slope and bend at the start are the curve's): each unit cut harms more than
the one before, as a service that shrinks gives up its least useful work first and
then work that mattered more (the mirror image, harm growing less than the cut,
would make every further cut cheaper in health than the last).
Sources: seed 004 ('Conclusion': innovations take three to five years to show
measurable improvement); the sizes are the scenario's ``[programmes]`` figures.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from model.scenario import Programmes


def dose_response(capacity: float, most: float, half_dose: float) -> float:
    """The share of risk a programme's embedded capacity removes (negative for a cut: risk added).

    Above the start, ``most * k / (k + half_dose)``; below it, the curve's second-order continuation
    ``most / half_dose * (k - k * k / half_dose)``, whose harm grows faster than the cut."""
    k = capacity
    if k == 0.0 or most == 0.0:
        return 0.0
    if k > 0.0:
        return most * k / (k + half_dose)
    return most / half_dose * (k - k * k / half_dose)


@dataclass
class Programme:
    """One programme's dose, capacity in post and capacity embedded (all in the dose's units)."""

    dose: float = 0.0  # what the organisation commissions this year
    in_post: float = 0.0  # capacity recruited and running, paid for
    embedded: float = 0.0  # capacity that has embedded and acts on the population

    def advance_month(self, p: Programmes) -> float:
        """One month: capacity moves towards the dose, the embedded capacity towards the capacity in
        post; growth at the recruiting and embedding rates, cuts at the (faster) wind-down rate.
        Returns the capacity added this month (for its set-up cost), never negative."""
        before = self.in_post
        self.in_post += (self.dose - self.in_post) / _months(self.dose - self.in_post, self.in_post, p.recruit_months, p)
        self.embedded += (self.in_post - self.embedded) / _months(self.in_post - self.embedded, self.embedded,
                                                                   p.embed_months, p)
        return max(abs(self.in_post) - abs(before), 0.0)

    def effect(self, most: float, half_dose: float) -> float:
        return dose_response(self.embedded, most, half_dose)


def mean_in_post(months: float, p: Programmes) -> float:
    """The mean share of a new dose in post (and paid for) over the next ``months``: a first-order lag
    (nothing over a horizon shorter than a millionth of a month)."""
    if months <= 1e-6:
        return 0.0
    a = p.recruit_months
    return 1.0 - a / months * (1.0 - math.exp(-months / a))


def mean_embedded(months: float, p: Programmes) -> float:
    """The mean share of a new dose's effect embedded over the next ``months`` (the planning horizon): how
    much of a programme's full effect an organisation can expect to see within its horizon (two
    first-order lags in series, recruiting then embedding)."""
    if months <= 1e-6:
        return 0.0
    a, b = p.recruit_months, p.embed_months
    if abs(a - b) < 1e-6:
        b = a + 1e-6
    integral = months - (b * b * (1 - math.exp(-months / b)) - a * a * (1 - math.exp(-months / a))) / (b - a)
    return integral / months


def _months(gap: float, level: float, build: float, p: Programmes) -> float:
    """Months a stock takes to close a gap: the building time when it grows, the wind-down time when it
    shrinks (whatever the sign of the stock)."""
    growing = abs(level + gap) > abs(level)
    return max(build if growing else p.wind_down_months, 1.0)
