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
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from model.scenario import Scenario

MONTH_DAYS = 365.25 / 12


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
    def __init__(self, scenario: Scenario, geography: Geography, rng: np.random.Generator) -> None:
        self.s = scenario
        self.geo = geography
        self.rng = rng
        p = scenario.population
        n = p.size
        cap = int(n * (1 + p.spare_capacity)) + 16
        self.capacity = cap
        f4 = np.float32

        self.alive = np.zeros(cap, dtype=bool)
        self.alive[:n] = True
        self.age = np.zeros(cap, dtype=f4)
        self.ltc = np.zeros(cap, dtype=np.int8)
        self.frailty = np.zeros(cap, dtype=f4)
        self.loc = np.zeros(cap, dtype=f4)
        self.gp = np.zeros(cap, dtype=np.int16)
        self.council = np.zeros(cap, dtype=np.int16)
        self.hospital = np.zeros(cap, dtype=np.int16)
        self.sc_met = np.zeros(cap, dtype=bool)  # receiving a council-arranged care package
        self.delayed = np.zeros(cap, dtype=bool)  # in hospital, fit to leave, waiting for care
        self.delayed_months = np.zeros(cap, dtype=np.int16)
        self.discharged_step = np.full(cap, -100, dtype=np.int16)

        idx = np.arange(n)
        self.age[idx] = self._draw_ages(n)
        self._place(idx)
        h = scenario.health
        lam = h.ltc_baseline + h.ltc_mean_at_50 * (self.age[idx] / 50.0) ** h.ltc_age_power
        self.ltc[idx] = np.minimum(rng.poisson(lam), 3)
        self._set_frailty(idx)
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
        unmet = (self.frailty >= scenario.social_care.need_threshold) & ~sc_met
        state = np.where(unmet, scenario.social_care.unmet_need_rate_ratio, 1.0)[alive]
        att = self._attendance_index()[alive] * state
        adm = self._admission_index()[alive]
        self.ae_base = d.ae_attendances_per_1000 / 1000 / 12 / att.mean()
        p_adm = self.ae_base * att * adm
        # people admitted this month carry the readmission ratio next month: weight by admission risk
        p_adm = p_adm * (d.emergency_admissions_per_1000 / 1000 / 12) / p_adm.mean()
        readmit_uplift = 1.0 + (d.readmission_rate_ratio - 1.0) * float((p_adm**2).sum() / p_adm.sum())
        self.conversion_base = (d.emergency_admissions_per_1000 / 1000 / 12) / (self.ae_base * (att * adm).mean() * readmit_uplift)
        self.referral_base = d.referrals_per_1000 / 1000 / 12 / self._referral_index()[alive].mean()
        self.gp_base = d.gp_contacts_per_person / 12 / self._gp_index()[alive].mean()
        self.mortality_base = h.deaths_per_1000 / 1000 / 12 / self._mortality_index()[alive].mean()
        self.ltc_incidence = h.ltc_mean_at_50 * h.ltc_age_power / 50.0 / 12.0  # d(lambda)/d(age) scale

    # --- set-up ------------------------------------------------------------------
    def _draw_ages(self, k: int) -> np.ndarray:
        p = self.s.population
        edges = np.asarray(p.age_band_edges)
        band = self.rng.choice(len(p.age_band_shares), size=k, p=np.asarray(p.age_band_shares) / sum(p.age_band_shares))
        return (edges[band] + self.rng.random(k) * (edges[band + 1] - edges[band])).astype(np.float32)

    def _place(self, idx: np.ndarray) -> None:
        loc = self.rng.random(idx.size, dtype=np.float32)
        self.loc[idx] = loc
        self.council[idx] = np.searchsorted(self.geo.council_edges, loc, side="right")
        self.hospital[idx] = np.searchsorted(self.geo.hospital_edges, loc, side="right")
        self.gp[idx] = np.searchsorted(self.geo.gp_edges, loc, side="right")

    def _set_frailty(self, idx: np.ndarray) -> None:
        h = self.s.health
        f = (
            h.frailty_age_slope * np.maximum(self.age[idx] - 40.0, 0.0)
            + h.frailty_per_ltc * self.ltc[idx]
            + self.rng.normal(0.0, h.frailty_noise, idx.size)
        )
        self.frailty[idx] = np.clip(f, 0.0, 1.0)

    # --- risk indices (relative, per person) ------------------------------------------
    def _admission_index(self) -> np.ndarray:
        d = self.s.demand
        ltc_rr = np.asarray(d.ltc_rate_ratios, dtype=np.float32)
        return (
            np.exp(np.float32(d.age_gradient_per_decade / 10.0) * (self.age - 50.0))
            * ltc_rr[self.ltc]
            * (1.0 + np.float32(d.frailty_rate_ratio - 1.0) * self.frailty)
        )

    def _attendance_index(self) -> np.ndarray:
        # A&E attendance rises with conditions and frailty but far less with age than admission
        return (1.0 + 0.3 * self.ltc) * (1.0 + self.frailty)

    def _referral_index(self) -> np.ndarray:
        return (1.0 + 0.015 * self.age) * (1.0 + 0.3 * self.ltc)

    def _gp_index(self) -> np.ndarray:
        return (1.0 + 0.01 * self.age) * (1.0 + 0.5 * self.ltc) * (1.0 + self.frailty)

    def _mortality_index(self) -> np.ndarray:
        h = self.s.health
        return np.exp(np.float32(h.mortality_age_rate) * (self.age - 80.0)) * (
            1.0 + np.float32(h.mortality_frailty_rr - 1.0) * self.frailty
        )

    # --- counts ------------------------------------------------------------------------
    @property
    def size(self) -> int:
        return int(self.alive.sum())

    def count_by(self, group: np.ndarray, n: int, mask: np.ndarray | None = None) -> np.ndarray:
        m = self.alive if mask is None else (self.alive & mask)
        return np.bincount(group[m], minlength=n)

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
    def demand(self, e: Effects) -> MonthDemand:
        d = self.s.demand
        rng = self.rng
        alive_home = self.alive & ~self.delayed
        multi = self.ltc >= 2

        # GP demand against capacity; unmet demand spills into A&E
        gp_want = np.bincount(self.gp, weights=np.where(alive_home, self._gp_index(), 0.0), minlength=e.gp_capacity.size)
        gp_want *= self.gp_base * e.demand_trend
        gp_unmet = np.maximum(gp_want - e.gp_capacity, 0.0)

        att_index = self._attendance_index()
        sc_need = self.frailty >= self.s.social_care.need_threshold
        risk = att_index * np.float32(self.ae_base * e.demand_trend)
        risk *= np.where(multi, e.gp_crisis[self.gp] * e.hospital_crisis[self.hospital], np.float32(1.0))
        risk *= np.where(sc_need & ~self.sc_met, np.float32(self.s.social_care.unmet_need_rate_ratio), np.float32(1.0))
        recent = self.discharged_step == self.step - 1
        risk *= np.where(recent, np.float32(d.readmission_rate_ratio), np.float32(1.0))
        # unmet GP demand: extra attendances spread over the federation's patients in proportion to risk
        base_att = np.bincount(self.gp, weights=np.where(alive_home, risk, 0.0), minlength=gp_want.size)
        spill = 1.0 + d.unmet_gp_demand_to_ae * gp_unmet / np.maximum(base_att, 1e-9)
        risk *= spill.astype(np.float32)[self.gp]
        risk = np.where(alive_home, risk, np.float32(0.0))

        referral = self.referral_base * e.demand_trend * self._referral_index()
        referral *= (e.gp_referral[self.gp] * e.hospital_referral[self.hospital]).astype(np.float32)

        u = rng.random(self.capacity, dtype=np.float32)
        attend = u < risk
        refer = ~attend & (u < risk + np.where(alive_home, referral, np.float32(0.0)))
        attenders = np.flatnonzero(attend)
        # conditional on attending, u / risk is uniform: reuse it for the admission decision
        conv = self.conversion_base * self._admission_index()[attenders]
        conv *= e.hospital_admission[self.hospital[attenders]]
        conv *= np.where(self.frailty[attenders] >= self.s.social_care.need_threshold,
                         e.community_admission[self.hospital[attenders]], 1.0)
        admitted_mask = u[attenders] < risk[attenders] * np.minimum(conv, 0.95)
        admitted = attenders[admitted_mask]
        return MonthDemand(
            attended=attenders[~admitted_mask],
            admitted=admitted,
            readmitted=recent[admitted],
            referred=np.flatnonzero(refer),
            gp_demand=gp_want,
            gp_unmet=gp_unmet,
        )

    def lengths_of_stay(self, admitted: np.ndarray, los_ratio: np.ndarray) -> np.ndarray:
        """Days in hospital for each admission, longer for the frail (exponential, at least 1)."""
        d = self.s.demand
        mean = d.emergency_los_days * (1.0 + (d.los_frailty_ratio - 1.0) * self.frailty[admitted])
        mean = mean * los_ratio
        # scale so the mean over a typical month's admissions stays the scenario's mean at the start
        mean = mean / self._los_norm
        return np.maximum(1.0, self.rng.exponential(1.0, admitted.size) * mean)

    def calibrate_los(self) -> None:
        d = self.s.demand
        adm = self.expected_year()["admissions"]
        f = self.frailty
        self._los_norm = float((adm * (1.0 + (d.los_frailty_ratio - 1.0) * f)).sum() / max(adm.sum(), 1e-9))

    # --- health over a month -------------------------------------------------------------
    def evolve(self, e: Effects, admitted: np.ndarray) -> dict[str, int]:
        """Deaths, new conditions, frailty, ageing and new registrations; returns counts."""
        h = self.s.health
        rng = self.rng
        alive = self.alive
        multi = self.ltc >= 2

        p_death = self.mortality_base * self._mortality_index()
        p_death[admitted] *= h.emergency_admission_mortality_rr
        # new conditions: the slope of the age curve of mean LTCs, slowed by prevention and proactive care
        p_ltc = self.ltc_incidence * (self.age / 50.0) ** (self.s.health.ltc_age_power - 1.0)
        p_ltc = p_ltc * e.council_incidence[self.council] * np.where(multi, e.gp_progression[self.gp], 1.0)

        u = rng.random(self.capacity, dtype=np.float32)
        dies = alive & (u < p_death)
        new_ltc = alive & ~dies & (u >= p_death) & (u < p_death + p_ltc) & (self.ltc < 3)
        self.ltc[new_ltc] += 1

        gain = np.where(self.age > 40, np.float32(h.frailty_age_slope / 12.0), np.float32(0.0))
        gain = gain * np.where(multi, e.gp_progression[self.gp], np.float32(1.0))
        gain[new_ltc] += h.frailty_per_ltc
        need = self.frailty >= self.s.social_care.need_threshold
        gain += np.where(need & ~self.sc_met, np.float32(h.unmet_need_frailty_gain / 12.0), np.float32(0.0))
        gain += np.where(self.delayed, np.float32(h.delayed_deconditioning), np.float32(0.0))
        self.frailty = np.minimum(self.frailty + np.where(alive, gain, np.float32(0.0)), np.float32(1.0))
        self.age += np.where(alive, np.float32(1.0 / 12.0), np.float32(0.0))

        deaths = int(dies.sum())
        deaths_with_package = int((dies & self.sc_met).sum())
        self.alive &= ~dies
        self.sc_met &= ~dies
        self.delayed &= ~dies

        born, moved_in = self._register()
        self.step += 1
        return {"deaths": deaths, "deaths_with_package": deaths_with_package, "births": born, "registrations": moved_in}

    def _register(self) -> tuple[int, int]:
        p = self.s.population
        n = self.size
        births = self.rng.poisson(p.births_per_1000 / 1000 / 12 * n)
        migrants = self.rng.poisson(max(p.net_migration_per_1000, 0.0) / 1000 / 12 * n)
        k = births + migrants
        free = np.flatnonzero(~self.alive)
        if k > free.size:
            self._grow(k - free.size + self.capacity // 10)
            free = np.flatnonzero(~self.alive)
        slots = free[:k]
        self.alive[slots] = True
        self.age[slots[:births]] = 0.0
        self.age[slots[births:]] = np.clip(self.rng.normal(p.migrant_mean_age, 8.0, migrants), 16, 90)
        self.ltc[slots] = 0
        self.frailty[slots] = 0.0
        self.sc_met[slots] = False
        self.delayed[slots] = False
        self.delayed_months[slots] = 0
        self.discharged_step[slots] = -100
        self._place(slots)
        return int(births), int(migrants)

    def _grow(self, extra: int) -> None:
        for name in ("alive", "age", "ltc", "frailty", "loc", "gp", "council", "hospital",
                     "sc_met", "delayed", "delayed_months", "discharged_step"):
            a = getattr(self, name)
            fill = -100 if name == "discharged_step" else 0
            setattr(self, name, np.concatenate([a, np.full(extra, fill, dtype=a.dtype)]))
        self.capacity += extra
