"""The people of the place, as NumPy arrays: one element per person.

Arrays have spare room; an ``alive`` mask marks who is here, and births and
new registrations reuse the slots of people who died. Each month the model
asks the population for its demand (who attends A&E, who is admitted, who is
referred, how many GP contacts each federation's patients want), then lets its
health evolve (new conditions, frailty, deaths, ageing, registrations).

Risk is multiplicative: a person's base index (age, long-term conditions,
frailty) times the effects of the organisations' behaviour, looked up per
organisation and gathered per person. Base rates are calibrated at the start
so the place's first-year rates match the scenario's targets.

How the monthly work is kept cheap (the arithmetic is the same as written in
the ``_*_index`` functions):

* Everything that depends only on where a person lives (GP federation,
  hospital, council) and how many conditions they have is one small table per
  month, indexed by a per-person *key*: ``zone * 4 + ltc``. A zone is a stretch
  of the one-dimensional map inside one federation, one hospital catchment and
  one council, so a key fixes all three organisations and the LTC count. One
  gather from the table replaces several per-person look-ups and ``np.where``
  choices, and sums per federation are one ``bincount`` over keys (a few dozen
  bins) followed by a sum over the small table.
* Age and frailty, which change every month for nearly everyone, stay
  per-person float32 arrays. The Gompertz mortality factor ``exp(rate * age)``
  is kept per person and shifted by one scalar a month (everyone alive ages by
  the same month), so ``exp`` runs over the whole population once a year.
* Small sets (recently discharged, delayed, unmet social care need, new
  conditions, deaths, attenders) are handled by index, not by full-size masks.
* The monthly passes write into work arrays kept from month to month (see
  ``_work``): with several full-size temporaries alive at once, each fresh
  one costs more in memory faults than the arithmetic done on it.
* Arrays stay float32; the key is ``intp``, which ``bincount`` and ``take``
  use without a converted copy; bincount weights go in a float64 work array
  for the same reason.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.scenario import Scenario

MONTH_DAYS = 365.25 / 12
F4 = np.float32

# The shape of the relative indices (MODEL.md section 3a). Per long-term
# condition (0, 1, 2, 3+) and per year of age; frailty enters as (1 + frailty)
# for A&E attendance and GP contacts.
LTC_LEVELS = 4  # 0, 1, 2 and 3+ conditions
ATTENDANCE_PER_LTC = 0.3  # A&E attendance rises with conditions and frailty, far less with age than admission
REFERRAL_PER_LTC = 0.3
REFERRAL_PER_YEAR = 0.015
GP_PER_LTC = 0.5
GP_PER_YEAR = 0.01
MULTIMORBID = 2  # conditions from which proactive care and specialist outreach apply
REBASE_MONTHS = 12  # how often the cached mortality age factor is recomputed from age
NO_DISCHARGE = -100  # discharged_step of someone not discharged recently

_LTC = np.arange(LTC_LEVELS)


@dataclass
class Geography:
    """Where each organisation's patch lies on the place's one-dimensional map."""

    council_edges: np.ndarray
    hospital_edges: np.ndarray
    gp_edges: np.ndarray
    gp_commissioner: np.ndarray  # commissioner index of each GP federation

    @staticmethod
    def from_shares(councils: list[float], hospitals: list[float], gps: list[float], gp_commissioner: list[int]) -> Geography:
        def edges(shares: list[float]) -> np.ndarray:
            e = np.cumsum(shares)[:-1]
            return e.astype(np.float32)

        return Geography(edges(councils), edges(hospitals), edges(gps), np.asarray(gp_commissioner, dtype=np.int16))

    def zones(self) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Split the map at every organisation's edge.

        Returns the zone edges and, per zone, its council, hospital and GP
        federation. ``searchsorted(edges, loc, side="right")`` gives a
        person's zone; no edge lies inside a zone, so the organisations looked
        up at the zone's lower edge are the ones looked up at the person's
        place.
        """
        edges = np.unique(np.concatenate([self.council_edges, self.hospital_edges, self.gp_edges]))
        lower = np.concatenate([np.array([-np.inf], dtype=np.float32), edges])
        org = lambda e: np.searchsorted(e, lower, side="right").astype(np.intp)  # noqa: E731
        return edges, org(self.council_edges), org(self.hospital_edges), org(self.gp_edges)


@dataclass
class MonthDemand:
    """What the population asked of services this month (indices into the arrays)."""

    attended: np.ndarray  # A&E attenders not admitted
    admitted: np.ndarray  # emergency admissions
    readmitted: np.ndarray  # bool per admission: within a month of a discharge
    referred: np.ndarray  # GP referrals to outpatients
    gp_demand: np.ndarray  # expected GP contacts wanted, per federation
    gp_unmet: np.ndarray  # of which not met, per federation


@dataclass
class Effects:
    """Per-organisation multipliers the organisations' behaviour sets this month."""

    gp_crisis: np.ndarray  # per GP federation: risk for people with 2+ LTCs (proactive care)
    gp_progression: np.ndarray  # per GP federation: new LTCs and frailty gain for 2+ LTCs
    gp_referral: np.ndarray  # per GP federation: referral rate ratio
    gp_capacity: np.ndarray  # per GP federation: contacts a month offered
    hospital_crisis: np.ndarray  # per hospital: risk for 2+ LTCs (specialist outreach)
    hospital_referral: np.ndarray  # per hospital: referral ratio (specialist advice)
    hospital_admission: np.ndarray  # per hospital: A&E-to-admission conversion ratio
    community_admission: np.ndarray  # per hospital catchment: admission ratio for the frail
    council_incidence: np.ndarray  # per council: new-LTC ratio (prevention)
    demand_trend: float  # unexplained growth to date


class Population:
    """The place's people. The scenario's figures are read once, when it is built.

    Public arrays (``alive``, ``age``, ``ltc``, ``frailty``, ``loc``, ``gp``,
    ``council``, ``hospital``, ``sc_met``, ``delayed``, ``delayed_months``,
    ``discharged_step``) may be read by the model; of them, the model changes
    only the social care and discharge state (``sc_met``, ``delayed``,
    ``delayed_months``, ``discharged_step``). Conditions, places and ages change
    here, since the per-person keys and age factors are kept in step with them.
    """

    _ARRAYS = ("alive", "age", "ltc", "frailty", "loc", "gp", "council", "hospital", "sc_met", "delayed",
               "delayed_months", "discharged_step", "_zone", "_key", "_mort_age", "stay_decline")

    def __init__(self, scenario: Scenario, geography: Geography, rng: np.random.Generator) -> None:
        self.s = scenario
        self.geo = geography
        # one stream for setting up and one per monthly mechanism: a change that alters how
        # many draws one mechanism makes (more admissions, fewer packages) leaves the others'
        # draws where they were, so paired runs on one seed differ only by the change
        self.rng = rng
        self.rng_demand, self.rng_evolve, self.rng_stay, self.rng_births = rng.spawn(4)
        p = scenario.population
        h = scenario.health
        d = scenario.demand
        sc = scenario.social_care
        n = p.size
        cap = int(n * (1 + p.spare_capacity)) + 16
        self.capacity = cap

        # scenario figures used every month, read once (pydantic attribute access is slow)
        self._need_threshold = F4(sc.need_threshold)
        self._unmet_rr = float(sc.unmet_need_rate_ratio)
        self._readmission_rr = float(d.readmission_rate_ratio)
        self._unmet_gp_to_ae = float(d.unmet_gp_demand_to_ae)
        self._admission_age_rate = F4(d.age_gradient_per_decade / 10.0)
        self._admission_frailty = F4(d.frailty_rate_ratio - 1.0)
        self._mortality_age_rate = float(h.mortality_age_rate)
        self._mortality_frailty = float(h.mortality_frailty_rr - 1.0)
        self._admission_death_rr = F4(h.emergency_admission_mortality_rr)
        self._ltc_age_exponent = float(h.ltc_age_power - 1.0)
        self._frailty_gain_month = float(h.frailty_age_slope / 12.0)
        self._frailty_per_ltc = F4(h.frailty_per_ltc)
        self._unmet_frailty_gain = F4(h.unmet_need_frailty_gain / 12.0)
        self._delayed_frailty_gain = F4(h.delayed_deconditioning)

        # relative indices per number of conditions
        self._att_ltc = (1.0 + ATTENDANCE_PER_LTC * _LTC).astype(F4)
        self._ref_ltc = (1.0 + REFERRAL_PER_LTC * _LTC).astype(F4)
        self._gp_ltc = (1.0 + GP_PER_LTC * _LTC).astype(F4)
        self._adm_ltc = np.asarray(d.ltc_rate_ratios, dtype=F4)

        # zones of the map and the organisations and condition count behind each key
        self._zone_edges, zone_council, zone_hospital, zone_gp = geography.zones()
        self._zone_council, self._zone_hospital, self._zone_gp = zone_council, zone_hospital, zone_gp
        keys = np.arange(zone_gp.size * LTC_LEVELS)
        self._n_keys = keys.size
        self._key_gp = zone_gp[keys // LTC_LEVELS]
        self._key_hospital = zone_hospital[keys // LTC_LEVELS]
        self._key_council = zone_council[keys // LTC_LEVELS]
        key_ltc = keys % LTC_LEVELS
        self._key_ltc = key_ltc
        self._key_multi = key_ltc >= MULTIMORBID
        self._key_can_gain_ltc = (key_ltc < LTC_LEVELS - 1).astype(np.float64)

        self.alive = np.zeros(cap, dtype=bool)
        self.alive[:n] = True
        self.age = np.zeros(cap, dtype=F4)
        self.ltc = np.zeros(cap, dtype=np.int8)
        self.frailty = np.zeros(cap, dtype=F4)
        self.loc = np.zeros(cap, dtype=F4)
        self.gp = np.zeros(cap, dtype=np.int16)
        self.council = np.zeros(cap, dtype=np.int16)
        self.hospital = np.zeros(cap, dtype=np.int16)
        self.sc_met = np.zeros(cap, dtype=bool)  # receiving a council-arranged care package
        self.delayed = np.zeros(cap, dtype=bool)  # in hospital, fit to leave, waiting for care
        self.delayed_months = np.zeros(cap, dtype=np.int16)
        self.discharged_step = np.full(cap, NO_DISCHARGE, dtype=np.int16)
        # the part of frailty an emergency stay added that has not yet worn off (health.stay_decline_*)
        self.stay_decline = np.zeros(cap, dtype=F4)
        self._stay_recovery = F4(min(1.0 / h.stay_decline_recovery_months, 1.0))  # under a month: gone in one
        self._stay_decline_on = h.stay_decline_share > 0 and h.stay_decline_frailty > 0  # else none to wear off
        self._zone = np.zeros(cap, dtype=np.int16)  # zone of the map (fixes GP, hospital and council)
        self._key = np.zeros(cap, dtype=np.intp)  # zone * LTC_LEVELS + ltc
        # exp(mortality_age_rate * (age - 80 - _aged)): the Gompertz factor less the ageing since the last rebase
        self._mort_age = np.zeros(cap, dtype=F4)
        self._aged = 0.0  # years everyone alive has aged since the mortality factor was last computed from age

        idx = np.arange(n)
        self.age[idx] = self._draw_ages(n)
        self._place(idx)
        lam = h.ltc_baseline + h.ltc_mean_at_50 * (self.age[idx] / 50.0) ** h.ltc_age_power
        self.ltc[idx] = np.minimum(rng.poisson(lam), LTC_LEVELS - 1)
        self._key[idx] = self._zone[idx] * LTC_LEVELS + self.ltc[idx]
        self._set_frailty(idx)
        self._rebase_mortality()
        self._work()
        # the living by key, kept in step with deaths, registrations and new conditions (a month's counts of
        # residents, list sizes and people with 2+ conditions come from it without a pass over everyone)
        self._alive_by_key = np.bincount(self._key[self.alive], minlength=self._n_keys)
        self.step = 0

    def calibrate(self, sc_met: np.ndarray) -> None:
        """Set base rates (per person-month) so the starting place meets the scenario's targets.

        The people's starting state counts (unmet social care need, and the
        readmissions that admissions bring in the month after), the
        organisations' behaviour does not: it moves the place away from the targets.
        """
        scenario = self.s
        h = scenario.health
        d = scenario.demand
        alive = self.alive
        f8 = np.float64
        unmet = (self.frailty >= scenario.social_care.need_threshold) & ~sc_met
        state = np.where(unmet, scenario.social_care.unmet_need_rate_ratio, 1.0)[alive]
        att = self._attendance_index()[alive].astype(f8) * state
        adm = self._admission_index()[alive].astype(f8)
        self.ae_base = d.ae_attendances_per_1000 / 1000 / 12 / att.mean()
        p_adm = self.ae_base * att * adm
        # people admitted this month carry the readmission ratio next month: weight by admission risk
        p_adm = p_adm * (d.emergency_admissions_per_1000 / 1000 / 12) / p_adm.mean()
        readmit_uplift = 1.0 + (d.readmission_rate_ratio - 1.0) * float((p_adm**2).sum() / p_adm.sum())
        self.conversion_base = (d.emergency_admissions_per_1000 / 1000 / 12) / (self.ae_base * (att * adm).mean() * readmit_uplift)
        self.referral_base = d.referrals_per_1000 / 1000 / 12 / self._referral_index()[alive].mean(dtype=f8)
        self.gp_base = d.gp_contacts_per_person / 12 / self._gp_index()[alive].mean(dtype=f8)
        self.mortality_base = h.deaths_per_1000 / 1000 / 12 / self._mortality_index()[alive].mean(dtype=f8)
        self.ltc_incidence = h.ltc_mean_at_50 * h.ltc_age_power / 50.0 / 12.0  # d(lambda)/d(age) scale

    # --- set-up ------------------------------------------------------------------
    def _draw_ages(self, k: int) -> np.ndarray:
        p = self.s.population
        edges = np.asarray(p.age_band_edges)
        band = self.rng.choice(len(p.age_band_shares), size=k, p=np.asarray(p.age_band_shares) / sum(p.age_band_shares))
        return (edges[band] + self.rng.random(k) * (edges[band + 1] - edges[band])).astype(np.float32)

    def _place(self, idx: np.ndarray, rng: np.random.Generator | None = None) -> None:
        """Put people at random places on the map: their zone, council, hospital and GP federation."""
        loc = (rng or self.rng).random(idx.size, dtype=np.float32)
        zone = np.searchsorted(self._zone_edges, loc, side="right")
        self.loc[idx] = loc
        self._zone[idx] = zone
        self.council[idx] = self._zone_council[zone]
        self.hospital[idx] = self._zone_hospital[zone]
        self.gp[idx] = self._zone_gp[zone]

    def _set_frailty(self, idx: np.ndarray) -> None:
        h = self.s.health
        f = (
            h.frailty_age_slope * np.maximum(self.age[idx] - 40.0, 0.0)
            + h.frailty_per_ltc * self.ltc[idx]
            + self.rng.normal(0.0, h.frailty_noise, idx.size)
        )
        self.frailty[idx] = np.clip(f, 0.0, 1.0)

    def _mortality_age_factor(self, age: np.ndarray) -> np.ndarray:
        """``exp(rate * (age - 80 - aged))``: the Gompertz factor less the ageing since the last rebase."""
        return np.exp(F4(self._mortality_age_rate) * (age - F4(80.0 + self._aged)))

    def _rebase_mortality(self) -> None:
        """Recompute the cached Gompertz factor from age (drift and float32 range stay small)."""
        self._aged = 0.0
        self._mort_age[:] = self._mortality_age_factor(self.age)

    # --- risk indices (relative, per person; for everyone, or for the people ``idx``) ----
    def _admission_index(self, idx: np.ndarray | None = None) -> np.ndarray:
        age, ltc, f = self._take(idx, self.age, self.ltc, self.frailty)
        return np.exp(self._admission_age_rate * (age - F4(50.0))) * self._adm_ltc[ltc] * (F4(1.0) + self._admission_frailty * f)

    def attendance_ratios_by_conditions(self) -> np.ndarray:
        """The attendance index's factor for 0, 1, 2, ... long-term conditions (relative to none)."""
        return self._att_ltc.astype(np.float64)

    def _attendance_index(self, idx: np.ndarray | None = None) -> np.ndarray:
        ltc, f = self._take(idx, self.ltc, self.frailty)
        return self._att_ltc[ltc] * (F4(1.0) + f)

    def _referral_index(self, idx: np.ndarray | None = None) -> np.ndarray:
        age, ltc = self._take(idx, self.age, self.ltc)
        return (F4(1.0) + F4(REFERRAL_PER_YEAR) * age) * self._ref_ltc[ltc]

    def _gp_index(self, idx: np.ndarray | None = None) -> np.ndarray:
        age, ltc, f = self._take(idx, self.age, self.ltc, self.frailty)
        return (F4(1.0) + F4(GP_PER_YEAR) * age) * self._gp_ltc[ltc] * (F4(1.0) + f)

    def _mortality_index(self, idx: np.ndarray | None = None) -> np.ndarray:
        age, f = self._take(idx, self.age, self.frailty)
        return np.exp(F4(self._mortality_age_rate) * (age - F4(80.0))) * (F4(1.0) + F4(self._mortality_frailty) * f)

    def _ltc_age_factor(self, out: np.ndarray) -> np.ndarray:
        """``(age / 50) ** (ltc_age_power - 1)``, the slope of the age curve of mean LTCs, into ``out``."""
        k = self._ltc_age_exponent
        if k == 0.0:
            out.fill(1.0)
            return out
        np.multiply(self.age, F4(1 / 50), out=out)
        if k != 1.0:
            np.power(out, F4(k), out=out)
        return out

    @staticmethod
    def _take(idx: np.ndarray | None, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
        return arrays if idx is None else tuple(a[idx] for a in arrays)

    def expected_year(self) -> dict[str, np.ndarray]:
        """Expected yearly attendances and admissions per person at today's rates (no behaviour)."""
        unmet = (self.frailty >= self.s.social_care.need_threshold) & ~self.sc_met
        att = self.ae_base * self._attendance_index() * np.where(unmet, self.s.social_care.unmet_need_rate_ratio, 1.0) * 12
        adm = att * np.minimum(self.conversion_base * self._admission_index(), 0.95)
        ref = self.referral_base * self._referral_index() * 12
        gp = self.gp_base * self._gp_index() * 12
        a = self.alive
        return {"attendances": np.where(a, att, 0), "admissions": np.where(a, adm, 0),
                "referrals": np.where(a, ref, 0), "gp_contacts": np.where(a, gp, 0)}

    # --- a month's demand ----------------------------------------------------------------
    def _work(self) -> None:
        """Work arrays for the monthly passes, reused every month.

        A fresh full-size temporary costs far more than the arithmetic on it
        (the allocator hands the memory back to the system and it is faulted
        in again), so demand() and evolve() write into these instead.
        """
        cap = self.capacity
        self._f = [np.empty(cap, dtype=F4) for _ in range(3)]
        self._u = np.empty(cap, dtype=F4)  # uniform draws
        self._w64 = np.empty(cap, dtype=np.float64)  # bincount weights (bincount sums in float64)
        self._b = [np.empty(cap, dtype=bool) for _ in range(3)]
        self._ones = np.ones(cap, dtype=F4)

    def _sum_by_gp(self, weights: np.ndarray, key_factor: np.ndarray, n_gp: int) -> np.ndarray:
        """Per GP federation: the sum of per-person weights times a per-key factor."""
        key_sums = np.bincount(self._key, weights=weights, minlength=self._n_keys)
        return np.bincount(self._key_gp, weights=key_sums * key_factor, minlength=n_gp)

    # --- counts of the living -------------------------------------------------------------
    @property
    def size(self) -> int:
        """People alive."""
        return int(self._alive_by_key.sum())

    def living_by(self, by: str, n: int) -> np.ndarray:
        """People alive in each of the ``n`` councils, hospitals' catchments or GP federations
        (``by``: "council", "hospital" or "gp")."""
        of_key = {"council": self._key_council, "hospital": self._key_hospital, "gp": self._key_gp}[by]
        return np.bincount(of_key, weights=self._alive_by_key, minlength=n).astype(np.int64)

    def living_multimorbid(self) -> int:
        """People alive with 2+ long-term conditions."""
        return int(self._alive_by_key[self._key_multi].sum())

    def living_aged_at_least(self, age: float) -> int:
        """People alive aged ``age`` or over."""
        return int(np.count_nonzero(np.logical_and(np.greater_equal(self.age, np.float32(age), out=self._b[0]),
                                                   self.alive, out=self._b[0])))

    def living_in_council_by_hospital(self, council: int, n_hospitals: int) -> np.ndarray:
        """People alive in a council, by the hospital whose catchment they live in."""
        mine = self._key_council == council
        return np.bincount(self._key_hospital[mine], weights=self._alive_by_key[mine], minlength=n_hospitals).astype(np.int64)

    def mean_frailty(self) -> float:
        """The living's mean frailty, summed in float64 (through a monthly work array: a mask's copy costs more)."""
        w = np.multiply(self.frailty, self.alive, out=self._f[0])
        return float(np.add.reduce(w, dtype=np.float64)) / max(self.size, 1)

    def social_care_counts(self) -> tuple[int, int, int]:
        """The living whose frailty needs social care, those with a package, and those in need without one."""
        need, work = self._b[0], self._b[1]
        np.greater_equal(self.frailty, self._need_threshold, out=need)
        need &= self.alive
        packages = int(np.count_nonzero(np.logical_and(self.sc_met, self.alive, out=work)))
        unmet = int(np.count_nonzero(np.greater(need, self.sc_met, out=work)))  # on bools, a > b is a and not b
        return int(np.count_nonzero(need)), packages, unmet

    def frail_at_least(self, threshold: float) -> np.ndarray:
        """Indices of everyone (living or not) whose frailty is at least ``threshold``."""
        return np.flatnonzero(np.greater_equal(self.frailty, threshold, out=self._b[0]))

    def with_package(self) -> np.ndarray:
        """Indices of the living with a social care package."""
        return np.flatnonzero(np.logical_and(self.sc_met, self.alive, out=self._b[0]))

    def unmet_mask(self, work: np.ndarray | None = None) -> np.ndarray:
        """The living whose frailty needs social care and who have no package, as a bool array over everyone
        (``work``: a bool array to compute in, by default one of the monthly work arrays)."""
        work = self._b[2] if work is None else work
        np.greater_equal(self.frailty, self._need_threshold, out=work)
        np.greater(work, self.sc_met, out=work)  # on bools, a > b is a and not b
        work &= self.alive
        return work

    def unmet_need(self, work: np.ndarray | None = None) -> np.ndarray:
        """Indices of the living whose frailty needs social care and who have no package (``work``: as
        unmet_mask)."""
        return np.flatnonzero(self.unmet_mask(work))

    def demand(self, e: Effects) -> MonthDemand:
        """Who attends A&E, who of them is admitted, who is referred; GP contacts wanted and unmet.

        A person's monthly A&E risk is ``ae_base * trend * attendance index``,
        times the crisis effects of proactive care and outreach for people with
        2+ conditions, the unmet social care need ratio, the readmission ratio
        in the month after a discharge, and the spill of their federation's
        unmet GP demand. People delayed in hospital ask for nothing.
        """
        key = self._key
        k_gp, k_h, k_ltc = self._key_gp, self._key_hospital, self._key_ltc
        n_gp = e.gp_capacity.size
        trend = e.demand_trend
        risk, scratch, ref = self._f
        home, b1, b2 = self._b
        w64 = self._w64
        np.logical_not(self.delayed, out=home)
        home &= self.alive

        # (1 + frailty) for the people at home (0 for the rest): the frailty part of the GP and attendance indices
        np.add(self.frailty, F4(1.0), out=risk)
        risk *= home

        # GP demand against capacity; unmet demand spills into A&E
        np.multiply(self.age, F4(GP_PER_YEAR), out=scratch)
        scratch += F4(1.0)
        np.multiply(scratch, risk, out=w64)
        gp_want = self._sum_by_gp(w64, self._gp_ltc[k_ltc], n_gp)
        gp_want *= self.gp_base * trend
        gp_unmet = np.maximum(gp_want - e.gp_capacity, 0.0)

        # the person's own state: unmet social care need, discharged last month
        risk[self.unmet_need(b1)] *= F4(self._unmet_rr)
        np.equal(self.discharged_step, self.step - 1, out=b1)
        risk[np.flatnonzero(b1)] *= F4(self._readmission_rr)

        # per key: the attendance index's condition factor, the crisis effects, the trend
        crisis = np.where(self._key_multi, e.gp_crisis[k_gp] * e.hospital_crisis[k_h], 1.0)
        att_key = self.ae_base * trend * self._att_ltc[k_ltc] * crisis
        # unmet GP demand: extra attendances spread over the federation's patients in proportion to risk
        np.copyto(w64, risk)
        base_att = self._sum_by_gp(w64, att_key, n_gp)
        spill = 1.0 + self._unmet_gp_to_ae * gp_unmet / np.maximum(base_att, 1e-9)
        risk *= np.take((att_key * spill[k_gp]).astype(F4), key, out=scratch, mode="wrap")

        # referrals, for the people at home
        ref_key = self.referral_base * trend * self._ref_ltc[k_ltc] * e.gp_referral[k_gp] * e.hospital_referral[k_h]
        np.multiply(self.age, F4(REFERRAL_PER_YEAR), out=ref)
        ref += F4(1.0)
        ref *= np.take(ref_key.astype(F4), key, out=scratch, mode="wrap")
        ref *= home
        ref += risk  # from here: the bound below which u means attend or be referred

        u = self.rng_demand.random(self.capacity, dtype=np.float32, out=self._u)
        attend = np.less(u, risk, out=b1)
        refer = np.less(u, ref, out=b2)
        refer &= np.greater_equal(u, risk, out=home)  # home no longer needed
        attenders = np.flatnonzero(attend)
        referred = np.flatnonzero(refer)

        # conditional on attending, u / risk is uniform: reuse it for the admission decision
        hosp = self.hospital[attenders]
        conv = self.conversion_base * self._admission_index(attenders)
        conv *= e.hospital_admission[hosp]
        frail = self.frailty[attenders] >= self._need_threshold
        conv[frail] *= e.community_admission[hosp[frail]]
        admitted_mask = u[attenders] < risk[attenders] * np.minimum(conv, 0.95)
        admitted = attenders[admitted_mask]
        return MonthDemand(
            attended=attenders[~admitted_mask],
            admitted=admitted,
            readmitted=self.discharged_step[admitted] == self.step - 1,
            referred=referred,
            gp_demand=gp_want,
            gp_unmet=gp_unmet,
        )

    def lengths_of_stay(self, admitted: np.ndarray, los_ratio: np.ndarray) -> np.ndarray:
        """Days in hospital for each admission, longer for the frail (exponential, at least 1)."""
        d = self.s.demand
        mean = d.emergency_los_days * (1.0 + (d.los_frailty_ratio - 1.0) * self.frailty[admitted])
        if d.los_age_ratio_per_decade != 1.0:
            mean = mean * self._los_age_factor(self.age[admitted])
        mean = mean * los_ratio
        # scale so the mean over a typical month's admissions stays the scenario's mean at the start
        mean = mean / self._los_norm
        return np.maximum(1.0, self.rng_stay.exponential(1.0, admitted.size) * mean)

    def calibrate_los(self) -> None:
        d = self.s.demand
        adm = self.expected_year()["admissions"]
        f = self.frailty
        stay = 1.0 + (d.los_frailty_ratio - 1.0) * f
        if d.los_age_ratio_per_decade != 1.0:
            stay = stay * self._los_age_factor(self.age)
        self._los_norm = float((adm * stay).sum() / max(adm.sum(), 1e-9))

    def _los_age_factor(self, age: np.ndarray) -> np.ndarray:
        """A stay's factor for age: ``demand.los_age_ratio_per_decade`` for each ten years from 50."""
        return np.power(self.s.demand.los_age_ratio_per_decade, (age.astype(np.float64) - 50.0) / 10.0)

    # --- health over a month -------------------------------------------------------------
    def evolve(self, e: Effects, admitted: np.ndarray, waited: np.ndarray | None = None,
               unmet: np.ndarray | None = None) -> dict[str, int]:
        """Deaths, new conditions, frailty, ageing and new registrations; returns counts.

        One uniform draw per person decides death (``u < p_death``) and, for
        survivors, a new condition (``p_death <= u < p_death + p_ltc``).
        Frailty grows with age over 40 (slowed by proactive care for 2+ LTCs),
        with a new condition, with unmet social care need and with a month
        delayed in hospital (``waited``: people who left hospital this month
        after waiting ``social_care.discharge_assessment_days`` for an
        assessment, who gain that share of a month's; ``unmet``: the living whose care need is unmet,
        when the caller has them for the population as it is, else found here).
        """
        alive = self.alive
        key = self._key
        p_death, bound, gain = self._f
        dies, new_ltc, work = self._b
        progression = np.where(self._key_multi, e.gp_progression[self._key_gp], 1.0)

        # death: the Gompertz factor (cached, see _rebase_mortality) times the frailty ratio
        scale = self.mortality_base * np.exp(self._mortality_age_rate * self._aged)
        np.multiply(self.frailty, F4(scale * self._mortality_frailty), out=p_death)
        p_death += F4(scale)
        p_death *= self._mort_age
        p_death[admitted] *= self._admission_death_rr
        # new conditions: the slope of the age curve of mean LTCs, slowed by prevention and proactive care
        ltc_key = self.ltc_incidence * e.council_incidence[self._key_council] * progression * self._key_can_gain_ltc
        self._ltc_age_factor(out=bound)
        bound *= np.take(ltc_key.astype(F4), key, out=gain, mode="wrap")
        bound += p_death

        u = self.rng_evolve.random(self.capacity, dtype=np.float32, out=self._u)
        np.less(u, p_death, out=dies)
        np.less(u, bound, out=new_ltc)
        new_ltc ^= dies  # dies implies u < bound, so this is p_death <= u < bound
        dies &= alive
        new_ltc &= alive
        new_idx = np.flatnonzero(new_ltc)
        self.new_conditions_by_council = np.bincount(self.council[new_idx], minlength=self._zone_council.max() + 1)
        multi = new_idx[self.ltc[new_idx] >= 2]  # a third condition or more: what case management slows
        self.new_conditions_multi_by_gp = np.bincount(self.gp[multi], minlength=e.gp_progression.size)

        # frailty: gain with age over 40 (slowed by proactive care for 2+ LTCs; keys before the new conditions)
        np.take((self._frailty_gain_month * progression).astype(F4), key, out=gain, mode="wrap")
        gain *= np.greater(self.age, F4(40.0), out=work)
        gain[new_idx] += self._frailty_per_ltc
        gain[self.unmet_need(work) if unmet is None else unmet] += self._unmet_frailty_gain
        gain[np.flatnonzero(self.delayed)] += self._delayed_frailty_gain
        if waited is not None and waited.size:
            gain[waited] += F4(self._delayed_frailty_gain * self.s.social_care.discharge_assessment_days / MONTH_DAYS)
        gain *= alive
        self.frailty += gain
        np.minimum(self.frailty, self._ones, out=self.frailty)  # against an array: several times faster than a scalar
        if self._stay_decline_on:  # a decline a stay brought wears off, out of hospital (a delay deconditions instead)
            recovering = np.flatnonzero(self.stay_decline)
            recovering = recovering[~self.delayed[recovering]]
            worn = self.stay_decline[recovering] * self._stay_recovery
            self.stay_decline[recovering] -= worn
            self.frailty[recovering] = np.maximum(self.frailty[recovering] - worn, F4(0.0))
        self.ltc[new_idx] += 1
        self._alive_by_key -= np.bincount(key[new_idx], minlength=self._n_keys)
        key[new_idx] += 1
        self._alive_by_key += np.bincount(key[new_idx], minlength=self._n_keys)

        # ageing: everyone here gets a month older; the cached Gompertz factor follows by a scalar
        self.age += np.multiply(alive, F4(1.0 / 12.0), out=gain)
        self._aged += 1.0 / 12.0

        dead = np.flatnonzero(dies)
        deaths = int(dead.size)
        deaths_with_package = int(np.count_nonzero(self.sc_met[dead]))
        self.alive[dead] = False
        self._alive_by_key -= np.bincount(key[dead], minlength=self._n_keys)
        self.sc_met[dead] = False
        self.delayed[dead] = False

        born, moved_in = self._register()
        self.step += 1
        if self.step % REBASE_MONTHS == 0:
            self._rebase_mortality()
        return {"deaths": deaths, "deaths_with_package": deaths_with_package, "births": born, "registrations": moved_in}

    def _register(self) -> tuple[int, int]:
        p = self.s.population
        n = self.size
        births = self.rng_births.poisson(p.births_per_1000 / 1000 / 12 * n)
        migrants = self.rng_births.poisson(max(p.net_migration_per_1000, 0.0) / 1000 / 12 * n)
        k = births + migrants
        free = np.flatnonzero(np.logical_not(self.alive, out=self._b[2]))
        if k > free.size:
            self._grow(k - free.size + self.capacity // 10)
            free = np.flatnonzero(~self.alive)
        slots = free[:k]
        self.alive[slots] = True
        self.age[slots[:births]] = 0.0
        self.age[slots[births:]] = np.clip(self.rng_births.normal(p.migrant_mean_age, 8.0, migrants), 16, 90)
        self.ltc[slots] = 0
        self.frailty[slots] = 0.0
        self.stay_decline[slots] = 0.0
        self.sc_met[slots] = False
        self.delayed[slots] = False
        self.delayed_months[slots] = 0
        self.discharged_step[slots] = NO_DISCHARGE
        self._place(slots, self.rng_births)
        self._key[slots] = self._zone[slots] * LTC_LEVELS
        self._alive_by_key += np.bincount(self._key[slots], minlength=self._n_keys)
        self._mort_age[slots] = self._mortality_age_factor(self.age[slots])
        return int(births), int(migrants)

    def _grow(self, extra: int) -> None:
        for name in self._ARRAYS:
            a = getattr(self, name)
            fill = NO_DISCHARGE if name == "discharged_step" else 0
            setattr(self, name, np.concatenate([a, np.full(extra, fill, dtype=a.dtype)]))
        self.capacity += extra
        self._work()
