"""Delivery: what providers do with the month's demand, within their capacity (MODEL.md section 3, step 2).

GP federations meet the contacts their capacity allows. Emergency admissions are
never turned away: their stays fill beds (frail patients stay longer; supported
discharge shortens their stays), and people fit to leave who need a care package the
council cannot fund wait in a hospital bed (a delayed transfer of care). Councils
match their packages to people leaving hospital and people at home. Referrals join
the elective waiting list, by months waited; each hospital treats the longest waits
first with the theatre time it has and the beds that emergencies and delays leave
free. The month's costs of care follow the activity. This room also keeps what each
commissioner's population has had so far this year, which outcome-based contracts read.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np

from model.organisations import Council, Organisation
from model.population import MONTH_DAYS, MonthDemand
from model.programmes import dose_response

if TYPE_CHECKING:
    from model.economy import LocalHealthEconomy

WAIT_BINS = 25  # months waited: 0..23, and 24 or more
LONG_WAIT_BIN = 4  # months waited from which a wait counts as over 18 weeks
STARTING_WAITS = (0.25, 0.2, 0.15, 0.12, 0.1, 0.08, 0.05, 0.05)  # assumption: the starting list by months waited
# the age from which the published statistic of older people's emergency bed use counts (HES, as in Imison,
# Poteliakhoff and Thompson 2012, The King's Fund, "Older people and emergency bed use"; seed 003's Torbay box)
OLDER_AGE = 65.0


@dataclass
class YearTally:
    """What each organisation can see of its own year so far: the counts it plans its next year on
    (model.decisions). Arrays are per hospital, per GP federation or per council; months run 0-11."""

    nh: int
    ng: int
    nco: int
    months: int = 0
    emergency: np.ndarray = field(init=False)  # per hospital: emergency admissions
    marginal: np.ndarray = field(init=False)  # admitted only because the threshold was lowered
    multi: np.ndarray = field(init=False)  # of people with 2+ long-term conditions
    frail: np.ndarray = field(init=False)  # of frail people (frailty at the social care need threshold)
    readmissions: np.ndarray = field(init=False)
    frail_bed_days: np.ndarray = field(init=False)  # emergency bed days of frail people
    ae: np.ndarray = field(init=False)  # A&E attendances (admitted or not)
    ae_multi: np.ndarray = field(init=False)  # of them, of people with 2+ long-term conditions
    ae_frail: np.ndarray = field(init=False)  # of frail people
    ae_readmit: np.ndarray = field(init=False)  # of people discharged the month before
    referrals: np.ndarray = field(init=False)  # first outpatient attendances
    electives: np.ndarray = field(init=False)  # elective spells done
    listed: np.ndarray = field(init=False)  # people added to its waiting list
    bed_days_month: np.ndarray = field(init=False)  # hospital x month: emergency and delayed bed days
    inpatient_capacity_month: np.ndarray = field(init=False)  # hospital x month: inpatient elective spells it could do
    gp_referrals: np.ndarray = field(init=False)  # per GP federation: referrals of its patients
    gp_admissions: np.ndarray = field(init=False)  # emergency admissions of its patients
    gp_multi: np.ndarray = field(init=False)  # of its patients with 2+ conditions
    gp_ae_multi: np.ndarray = field(init=False)  # A&E attendances (admitted or not) of its patients with 2+ conditions
    gp_new_conditions_multi: np.ndarray = field(init=False)  # new conditions of its patients with 2+ already
    new_conditions: np.ndarray = field(init=False)  # per council: new long-term conditions of its residents
    unmet_months: np.ndarray = field(init=False)  # per council: person-months of unmet social care need
    unmet_admissions: np.ndarray = field(init=False)  # admissions of its residents with unmet need
    unmet_ae: np.ndarray = field(init=False)  # A&E attendances (admitted or not) of its residents with unmet need
    council_admissions: np.ndarray = field(init=False)  # emergency admissions of its residents
    delayed_days: np.ndarray = field(init=False)  # bed days its residents waited for care
    bridged: np.ndarray = field(init=False)  # people leaving hospital into its intermediate care places
    reabled: np.ndarray = field(init=False)  # of them, those the stay took below its eligibility
    assessed_not_eligible: np.ndarray = field(init=False)  # people it assessed on leaving hospital, not eligible
    assessed_at_home: np.ndarray = field(init=False)  # of them, those its places took home to be assessed there
    ended_at_review: np.ndarray = field(init=False)  # packages it ended at a review (no longer eligible)

    def __post_init__(self) -> None:
        for name in ("emergency", "marginal", "multi", "frail", "readmissions", "frail_bed_days", "ae", "ae_multi", "ae_frail",
                     "ae_readmit", "referrals", "electives", "listed"):
            setattr(self, name, np.zeros(self.nh))
        self.bed_days_month = np.zeros((self.nh, 12))
        self.inpatient_capacity_month = np.zeros((self.nh, 12))
        for name in ("gp_referrals", "gp_admissions", "gp_multi", "gp_ae_multi", "gp_new_conditions_multi"):
            setattr(self, name, np.zeros(self.ng))
        for name in ("new_conditions", "unmet_months", "unmet_admissions", "unmet_ae", "council_admissions", "delayed_days", "bridged",
                     "reabled", "assessed_not_eligible", "assessed_at_home", "ended_at_review"):
            setattr(self, name, np.zeros(self.nco))


class Delivery:
    """Waiting lists, beds and social care packages: the month's care, and its cost."""

    def __init__(self, model: LocalHealthEconomy, rng_delivery: np.random.Generator, rng_care: np.random.Generator) -> None:
        self.model = model
        self.rng_delivery, self.rng_care = rng_delivery, rng_care  # streams of their own (see Population)
        nc, nh = len(model.commissioners), len(model.hospitals)
        self.waiting = np.zeros((nc, nh, WAIT_BINS), dtype=np.int64)  # commissioner x hospital x months waited
        # this year's emergency admissions and delayed transfer days by commissioner's population
        self.year_counts = np.zeros((nc, 2))
        self.tally = YearTally(nh, len(model.gp_federations), len(model.councils))
        self.last_year: YearTally | None = None  # the tally of the year last closed
        self.gp_referrals_month = np.zeros(len(model.gp_federations))  # last month's referrals by GP federation
        # this month's people leaving hospital who need council care they did not have (eligible, no package)
        self.care_needed_on_discharge = 0
        # this month's hospital bed days of people aged OLDER_AGE or over admitted as emergencies: their stays
        # and their delayed days
        self.older_bed_days = 0.0
        self.older_admissions = 0  # and their emergency admissions
        self.unmet_after_care: np.ndarray | None = None  # the living with unmet care need after the month's care (_count)
        # this month's people assessed by their council on leaving hospital (social_care.discharge_assessment_*),
        # and those of them who waited the assessment's days in a bed and then left (indices)
        self.assessed_on_discharge = 0
        self.waited_for_assessment = np.zeros(0, dtype=np.int64)
        self._mark = np.zeros(0, dtype=bool)  # a mask of the population's slots, all False between uses (_among)

    @property
    def _assessment_days_by_council(self) -> np.ndarray:
        """This month's bed days waited for an assessment on leaving hospital, by council."""
        m = self.model
        return (np.bincount(m.population.council[self.waited_for_assessment], minlength=len(m.councils))
                * m.params.social_care.discharge_assessment_days)

    def start_waiting_list(self, electives: np.ndarray) -> None:
        """The waiting list people bring into the model (commissioner x hospital), spread over the months waited so far."""
        m = self.model
        start = electives / electives.sum() * m.params.demand.waiting_list_per_1000 * m.population.alive.sum() / 1000
        spread = np.array(STARTING_WAITS)
        self.waiting[:, :, : spread.size] = np.rint(start[:, :, None] * spread[None, None, :]).astype(np.int64)

    # --- the month's care ---------------------------------------------------------------------
    def deliver(self, demand: MonthDemand) -> dict[str, Any]:
        """GP contacts, emergency stays, social care, delayed transfers and electives; returns the
        month's activity by commissioner's population and hospital."""
        m = self.model
        pop = m.population
        s = m.params
        nc, nh = len(m.commissioners), len(m.hospitals)
        comm_of = pop.geo.gp_commissioner
        pair = lambda idx: comm_of[pop.gp[idx]].astype(np.int64) * nh + pop.hospital[idx]  # noqa: E731
        count_pairs = lambda idx: np.bincount(pair(idx), minlength=nc * nh).reshape(nc, nh)  # noqa: E731

        # GP contacts
        for g in m.gp_federations:
            g.contacts_wanted = float(demand.gp_demand[g.index])
            g.contacts_unmet = float(demand.gp_unmet[g.index])
            g.quality_year[0] += g.contacts_wanted - g.contacts_unmet
            g.quality_year[1] += g.contacts_wanted

        # emergency admissions and their stays
        adm = demand.admitted
        frail = pop.frailty[adm] >= s.social_care.need_threshold
        p = s.programmes
        esd = np.array([dose_response(h.embedded("discharge"), p.discharge_los_effect, p.discharge_half_dose) for h in m.hospitals])
        supported = np.array([dose_response(h.embedded("discharge"), p.discharge_readmission_effect, p.discharge_half_dose)
                              for h in m.hospitals])
        # a full hospital keeps frail patients longer (strain: last month's occupancy beyond its beds)
        over = np.array([max(h.occupancy - 1.0, 0.0) for h in m.hospitals]) * s.capacity.strain_los_per_occupancy
        practice = m.practice_los()  # the trend in clinical practice, every stay alike
        los = pop.lengths_of_stay(adm, np.where(frail, (1 - esd[pop.hospital[adm]]) * (1 + over[pop.hospital[adm]]), 1.0) * practice)
        # admissions a lower threshold adds are the least acute: short stays. Each hospital's
        # share of them is 1 - 1/threshold of its admissions.
        threshold = np.array([h.admission_ratio for h in m.hospitals])
        marginal = self.rng_delivery.random(adm.size) < (1 - 1 / np.maximum(threshold, 1.0))[pop.hospital[adm]]
        los[marginal] = s.demand.marginal_los_days * practice
        emergency_bed_days = np.bincount(pop.hospital[adm], weights=los, minlength=nh)
        # older people's share (their delayed days are added as the delays are found)
        older = pop.age[adm] >= np.float32(OLDER_AGE)
        self.older_admissions = int(np.count_nonzero(older))
        self.older_bed_days = float(los[older].sum(dtype=np.float64))
        unmet_before = ~pop.sc_met[adm] & frail  # admitted with their care need unmet
        # those who attended and went home, as they were when they came (social care may reach them this month)
        home = demand.attended
        home_frail = pop.frailty[home] >= s.social_care.need_threshold
        home_unmet = ~pop.sc_met[home] & home_frail

        # social care on discharge and at home; who waits in a hospital bed
        delayed_days = self.allocate_social_care(adm, supported)

        # elective referrals, the waiting list and the electives done in the beds left
        ref = demand.referred
        listed = self.rng_delivery.random(ref.size) < s.demand.listed_share
        self.waiting[:, :, 1:] = self._age_waiting()
        self.waiting[:, :, 0] = count_pairs(ref[listed])
        self.tally.listed += self.waiting[:, :, 0].sum(axis=0)
        electives = np.zeros((nc, nh), dtype=np.int64)
        day_share = s.demand.elective_day_case_share
        elective_los = s.demand.elective_los_days * practice
        for h in m.hospitals:
            # day cases need theatre time only; inpatient electives also need the beds that
            # emergencies and delayed transfers leave free
            beds_free = max(h.beds * MONTH_DAYS - emergency_bed_days[h.index] - delayed_days[h.index], 0.0)
            day_cases = h.elective_capacity_now * day_share
            inpatients = min(h.elective_capacity_now * (1 - day_share), beds_free / elective_los)
            can_do = day_cases + inpatients
            electives[:, h.index] = self._treat_longest_waiting(h.index, int(can_do))
            h.emergency_admissions = int((pop.hospital[adm] == h.index).sum())
            h.elective_admissions = int(electives[:, h.index].sum())
            inpatients_done = h.elective_admissions * inpatients / can_do if can_do > 0 else 0.0
            h.bed_days = float(emergency_bed_days[h.index] + delayed_days[h.index] + inpatients_done * elective_los)
            h.delayed_days = float(delayed_days[h.index])
            h.occupancy = h.bed_days / (h.beds * MONTH_DAYS) if h.beds else 0.0
            h.beds_in_month = h.beds
            h.bed_days_year.append(h.bed_days)
            h.waiting_list = int(self.waiting[:, h.index, :].sum())

        attended_all = np.concatenate([demand.attended, adm])
        ae = count_pairs(attended_all)
        for h in m.hospitals:
            h.ae_attendances = int(ae[:, h.index].sum())
        emergencies = count_pairs(adm)
        self.year_counts[:, 0] += emergencies.sum(axis=1)
        self._count(demand, adm, marginal, frail, los, unmet_before, ae, electives, delayed_days, emergency_bed_days,
                    home_frail, home_unmet)
        return {
            "electives": electives,
            "emergencies": emergencies,
            "readmissions": count_pairs(adm[demand.readmitted]),
            "ae": ae,
            "outpatients": count_pairs(ref),
            "emergency_bed_days": emergency_bed_days,
            "delayed_days": delayed_days,
            "marginal": marginal,
        }

    def _count(self, demand: MonthDemand, adm: np.ndarray, marginal: np.ndarray, frail: np.ndarray, los: np.ndarray,
               unmet_before: np.ndarray, ae: np.ndarray, electives: np.ndarray, delayed_days: np.ndarray,
               emergency_bed_days: np.ndarray, home_frail: np.ndarray, home_unmet: np.ndarray) -> None:
        """Add the month to each organisation's tally of its year. Attendances of a group count its admitted
        (``adm``) and those who went home (``demand.attended``; ``home_frail``, ``home_unmet``: their frailty and
        unmet need as they came, before the month's social care)."""
        m = self.model
        pop = m.population
        t = self.tally
        nh, ng, nco = t.nh, t.ng, t.nco
        hosp = pop.hospital[adm]
        month = t.months % 12
        t.emergency += np.bincount(hosp, minlength=nh)
        t.marginal += np.bincount(hosp[marginal], minlength=nh)
        multi = pop.ltc[adm] >= 2
        home = demand.attended
        home_hosp = pop.hospital[home]
        home_multi = pop.ltc[home] >= 2
        home_readmit = pop.discharged_step[home] == pop.step - 1  # as Population.demand read it
        for admissions, attendances, admitted, went_home in (  # a group's admissions; its attendances, admitted or not
                (t.multi, t.ae_multi, multi, home_multi), (t.frail, t.ae_frail, frail, home_frail),
                (t.readmissions, t.ae_readmit, demand.readmitted, home_readmit)):
            counted = np.bincount(hosp[admitted], minlength=nh)
            admissions += counted
            attendances += counted + np.bincount(home_hosp[went_home], minlength=nh)
        t.frail_bed_days += np.bincount(hosp[frail], weights=los[frail], minlength=nh)
        t.ae += ae.sum(axis=0)
        t.referrals += np.bincount(pop.hospital[demand.referred], minlength=nh)
        t.electives += electives.sum(axis=0)
        t.bed_days_month[:, month] = emergency_bed_days + delayed_days
        s = m.params
        for h in m.hospitals:
            t.inpatient_capacity_month[h.index, month] = h.elective_capacity_now * (1 - s.demand.elective_day_case_share)
        gp = pop.gp[adm]
        self.gp_referrals_month = np.bincount(pop.gp[demand.referred], minlength=ng).astype(float)
        t.gp_referrals += self.gp_referrals_month
        t.gp_admissions += np.bincount(gp, minlength=ng)
        gp_multi = np.bincount(gp[multi], minlength=ng)
        t.gp_multi += gp_multi
        t.gp_ae_multi += gp_multi + np.bincount(pop.gp[home[home_multi]], minlength=ng)
        # the people whose care need is unmet after the month's care: Population.evolve reads the same state
        self.unmet_after_care = pop.unmet_need()
        t.unmet_months += np.bincount(pop.council[self.unmet_after_care], minlength=nco)
        unmet_admissions = np.bincount(pop.council[adm[unmet_before]], minlength=nco)
        t.unmet_admissions += unmet_admissions
        t.unmet_ae += unmet_admissions + np.bincount(pop.council[home[home_unmet]], minlength=nco)
        t.council_admissions += np.bincount(pop.council[adm], minlength=nco)
        t.delayed_days += np.bincount(pop.council[np.flatnonzero(pop.delayed)], minlength=nco) * MONTH_DAYS + self._assessment_days_by_council
        t.months += 1

    def own_admissions(self, org: Organisation, tally: YearTally) -> float:
        """Emergency admissions of the people an organisation serves (a hospital's patients, a GP federation's
        list, a council's residents, a commissioner's population) in a year's tally."""
        if org.kind == "hospital":
            return float(tally.emergency[org.index])
        if org.kind == "gp_federation":
            return float(tally.gp_admissions[org.index])
        if org.kind == "council":
            return float(tally.council_admissions[org.index])
        if org.kind == "commissioner":
            return float(sum(tally.gp_admissions[g.index] for g in self.model.gp_federations if g.commissioner is org))
        return 0.0

    def close_tally(self) -> YearTally:
        """The year's tally, kept as last year's; a new one starts."""
        self.last_year, self.tally = self.tally, YearTally(self.tally.nh, self.tally.ng, self.tally.nco)
        return self.last_year

    def _age_waiting(self) -> np.ndarray:
        w = self.waiting
        aged = np.empty_like(w[:, :, 1:])
        aged[:, :, :-1] = w[:, :, :-2]
        aged[:, :, -1] = w[:, :, -2] + w[:, :, -1]
        return aged

    def _among(self, people: np.ndarray, others: np.ndarray) -> np.ndarray:
        """Whether each of ``people`` is among ``others`` (indices into the population's slots), as ``np.isin``
        gives it, by marking ``others`` on a mask of the slots (cleared again): faster on a month's few hundred."""
        mark = self._mark
        if mark.size != self.model.population.capacity:  # the population grew into new slots
            mark = self._mark = np.zeros(self.model.population.capacity, dtype=bool)
        mark[others] = True
        found = mark[people]
        mark[others] = False
        return found

    def _treat_longest_waiting(self, h: int, capacity: int) -> np.ndarray:
        """Treat up to ``capacity`` people, longest waits first, shared across commissioners."""
        done = np.zeros(self.waiting.shape[0], dtype=np.int64)
        lead = self.model.params.demand.elective_lead_months  # the months waited before one can be treated
        totals = self.waiting[:, h, :].sum(axis=0).tolist()  # each wait's people (a bin changes only when treated)
        for k in range(WAIT_BINS - 1, lead - 1, -1):
            if capacity <= 0:
                break
            total = totals[k]
            if total == 0:
                continue
            col = self.waiting[:, h, k]
            take = min(capacity, total)
            share = col * take // total
            short = take - int(share.sum())
            if short:
                order = np.argsort(-(col * take % total), kind="stable")[:short]
                share[order] += 1
            share = np.minimum(share, col)
            self.waiting[:, h, k] -= share
            done += share
            capacity -= int(share.sum())
        return done

    def allocate_social_care(self, admitted: np.ndarray, supported: np.ndarray) -> np.ndarray:
        """Match care packages to people on discharge and at home; the rest wait.

        People fit to leave hospital who are eligible for care and cannot get a
        package stay in a hospital bed: a delayed transfer of care. A council
        that keeps capacity for discharge reserves a share of its free packages
        for them; otherwise they compete with people waiting at home. ``supported``: per
        hospital, the share of people leaving without a package whom early supported
        discharge keeps from coming back. Returns the delayed days by hospital.
        """
        m = self.model
        pop = m.population
        rng = self.rng_care
        nh = len(m.hospitals)
        elig = np.array([c.eligibility for c in m.councils], dtype=np.float32)
        h_s = m.params.health
        if h_s.stay_decline_share > 0 and h_s.stay_decline_frailty > 0 and admitted.size:
            # some older people leave an emergency stay less able than they came in (hospital-associated
            # disability): a decline that wears off over the months after (Population.evolve)
            older = admitted[pop.age[admitted] >= np.float32(h_s.stay_decline_age)]
            declined = older[rng.random(older.size) < h_s.stay_decline_share]
            jump = np.minimum(np.float32(h_s.stay_decline_frailty), np.float32(1.0) - pop.frailty[declined])
            pop.frailty[declined] += jump
            pop.stay_decline[declined] += jump
        reviews = m.params.social_care.reviews_per_year
        held = pop.with_package()  # the packages in use
        in_use = np.bincount(pop.council[held], minlength=len(m.councils))
        if reviews > 0:
            # councils review the packages they fund; one no longer at the eligibility ends
            reviewed = held[rng.random(held.size) < reviews / 12]
            ended = reviewed[pop.frailty[reviewed] < elig[pop.council[reviewed]]]
            pop.sc_met[ended] = False
            ended_by_council = np.bincount(pop.council[ended], minlength=len(m.councils))
            self.tally.ended_at_review += ended_by_council
            in_use -= ended_by_council

        newly = admitted[~pop.sc_met[admitted] & ~pop.delayed[admitted]]
        needs_care = pop.frailty[newly] >= elig[pop.council[newly]]
        self.care_needed_on_discharge = int(needs_care.sum())
        # those frail enough are assessed by their council before they leave, eligible or not
        assessed = newly[pop.frailty[newly] >= np.float32(m.params.social_care.discharge_assessment_frailty)]
        self.assessed_on_discharge = int(assessed.size)
        assessed_not_eligible = assessed[pop.frailty[assessed] < elig[pop.council[assessed]]]
        self.tally.assessed_not_eligible += np.bincount(pop.council[assessed_not_eligible], minlength=len(m.councils))
        discharged_now = newly[~needs_care]
        already_delayed = np.flatnonzero(pop.delayed)
        want_discharge = np.concatenate([already_delayed, newly[needs_care]])
        # at home, eligible and without a package; looked for among those frail enough for the most generous council
        home_idx = pop.frail_at_least(elig.min())
        home_idx = home_idx[pop.alive[home_idx] & ~pop.sc_met[home_idx] & ~pop.delayed[home_idx]
                            & (pop.frailty[home_idx] >= elig[pop.council[home_idx]])]
        this_month = np.zeros(pop.capacity, dtype=bool)
        this_month[admitted] = True
        home_idx = home_idx[~this_month[home_idx]]

        national = m.params.social_care.national_eligibility
        fall = np.float32(m.params.social_care.intermediate_care_frailty_fall)
        takes_assessed = m.params.social_care.intermediate_care_takes_assessed
        placed_from_hospital = []
        bridged_all = []
        at_home = []  # people assessed on leaving whom places took home to be assessed there

        def reable(people: np.ndarray) -> None:
            """Reablement: a stay restores some of what they can do (counted as they go in; the place is held
            for the stay whatever comes of it)."""
            if fall > 0 and people.size:
                pop.frailty[people] = np.maximum(pop.frailty[people] - fall, np.float32(0.0))

        for c in m.councils:
            # people leave intermediate care after its stay (a place held for the stay, whatever becomes of them)
            if c.in_intermediate_care > 0:
                leave = min(1.0 / m.params.social_care.intermediate_care_months, 1.0)  # a stay under a month: all
                c.in_intermediate_care -= int(rng.binomial(c.in_intermediate_care, leave))
            d_idx = want_discharge[pop.council[want_discharge] == c.index]
            h_idx = home_idx[pop.council[home_idx] == c.index]
            # held to national criteria, it funds every eligible resident whatever it planned
            free = d_idx.size + h_idx.size if national else max(c.packages - int(in_use[c.index]), 0)
            reserved = min(int(free * c.behaviour.discharge_priority), d_idx.size)
            first = d_idx[:reserved]  # people already delayed come first
            rest_d = d_idx[reserved:]
            pool = np.concatenate([rest_d, h_idx])
            k = min(free - reserved, pool.size)
            chosen = rng.choice(pool, size=k, replace=False) if k > 0 else pool[:0]
            placed = np.concatenate([first, chosen])
            pop.sc_met[placed] = True
            c.packages_in_use = int(in_use[c.index]) + placed.size
            placed_from_hospital.append(placed[pop.delayed[placed] | self._among(placed, d_idx)])
            # intermediate care takes those still waiting to leave (people already delayed first, then this
            # month's) home or to a step-down bed, where they wait for a package like anyone at home
            room = c.intermediate_places - c.in_intermediate_care
            if room > 0:
                waiting = d_idx[~self._among(d_idx, placed)][:room]
                c.in_intermediate_care += waiting.size
                self.tally.bridged[c.index] += waiting.size
                reable(waiting)
                if fall > 0:  # those it takes below the eligibility stop waiting for a package
                    self.tally.reabled[c.index] += int(np.count_nonzero(pop.frailty[waiting] < elig[c.index]))
                bridged_all.append(waiting)
                placed_from_hospital.append(waiting)
                room -= waiting.size
            if takes_assessed and room > 0:
                # discharge to assess: the places left take this month's leavers it assessed who are not
                # eligible for a package home, to be assessed there and reabled
                taken = assessed_not_eligible[pop.council[assessed_not_eligible] == c.index][:room]
                c.in_intermediate_care += taken.size
                self.tally.assessed_at_home[c.index] += taken.size
                reable(taken)
                at_home.append(taken)

        with_care = np.concatenate(placed_from_hospital) if placed_from_hospital else discharged_now[:0]
        left = np.concatenate([discharged_now, with_care])
        # people leaving with a care package, or with early supported discharge, do not carry
        # the raised risk of readmission; everyone else leaving hospital does
        h = pop.hospital[discharged_now]
        kept_well = rng.random(discharged_now.size) < supported[h]
        home_to_assess = np.concatenate(at_home) if at_home else discharged_now[:0]
        if home_to_assess.size:  # those intermediate care took home leave supported, as with a package
            kept_well |= self._among(discharged_now, home_to_assess)
        pop.discharged_step[discharged_now[~kept_well]] = pop.step
        pop.delayed[left] = False
        pop.delayed_months[left] = 0

        still = want_discharge[~pop.sc_met[want_discharge]]
        if bridged_all:
            still = still[~self._among(still, np.concatenate(bridged_all))]
        # some of those already waiting leave without a council package: they pay for care,
        # family takes them home, or they go home with their need unmet (and a raised
        # risk of coming back)
        waited = pop.delayed[still]
        gone = still[waited & (rng.random(still.size) < m.params.social_care.delay_exit_per_month)]
        pop.delayed[gone] = False
        pop.delayed_months[gone] = 0
        pop.discharged_step[gone] = pop.step
        still = still[~self._among(still, gone)]
        new_delay = still[~pop.delayed[still]]
        pop.delayed[still] = True
        pop.delayed_months[still] += 1
        days = np.concatenate([np.where(self._among(still, new_delay), MONTH_DAYS / 2, MONTH_DAYS), np.full(gone.size, MONTH_DAYS / 2)])
        in_bed = np.concatenate([still, gone])
        # the assessed who leave this month (with a package, into intermediate care or home) waited the
        # assessment's days in a bed first; those still waiting for a package count as any new delay
        assessment_days = m.params.social_care.discharge_assessment_days
        self.waited_for_assessment = assessed[~pop.delayed[assessed]] if assessment_days > 0 else assessed[:0]
        if home_to_assess.size and self.waited_for_assessment.size:  # assessed at home, not in a bed
            self.waited_for_assessment = self.waited_for_assessment[~self._among(self.waited_for_assessment, home_to_assess)]
        if self.waited_for_assessment.size:
            in_bed = np.concatenate([in_bed, self.waited_for_assessment])
            days = np.concatenate([days, np.full(self.waited_for_assessment.size, assessment_days)])
        self.older_bed_days += float(days[pop.age[in_bed] >= np.float32(OLDER_AGE)].sum(dtype=np.float64))
        comm = pop.geo.gp_commissioner[pop.gp[in_bed]]
        self.year_counts[:, 1] += np.bincount(comm, weights=days, minlength=len(m.commissioners))
        return np.bincount(pop.hospital[in_bed], weights=days, minlength=nh)

    def book_costs(self, activity: dict[str, Any]) -> None:
        """The month's costs of care: each provider's fixed and variable costs, and the others' running costs."""
        m = self.model
        s = m.params
        variable = activity["electives"].sum(axis=0) * s.tariff.elective_spell
        # an emergency spell's variable cost goes with its bed days
        variable = variable + activity["emergency_bed_days"] / s.demand.emergency_los_days * s.tariff.emergency_spell
        variable = variable + activity["ae"].sum(axis=0) * s.tariff.ae_attendance
        variable = variable + activity["outpatients"].sum(axis=0) * s.tariff.outpatient_attendance
        variable = variable * s.tariff.variable_cost_share
        for h in m.hospitals:
            h.monthly_costs(float(variable[h.index]))
        for org in (*m.commissioners, *m.councils, *m.gp_federations):
            org.monthly_costs()

    # --- what commissioners' populations have had this year -------------------------------------------
    def year_outcomes(self) -> dict[str, dict[str, float]]:
        """Each commissioner's population's outcomes so far this year (see regimes.OUTCOMES), by account."""
        m = self.model
        pop = m.population
        comm_of = pop.geo.gp_commissioner
        nc = len(m.commissioners)
        # the living by commissioner from the population's counts by key (a pass over everyone costs far more)
        people = np.bincount(comm_of, weights=pop.living_by("gp", comm_of.size), minlength=nc).astype(np.int64)
        unmet_n = np.bincount(comm_of[pop.gp[pop.unmet_need()]], minlength=nc)
        months = max(m.month % 12 or 12, 1)
        out = {}
        for cm in m.commissioners:
            i = cm.index
            per_1000_year = 1000 * 12 / months / max(people[i], 1)
            waiting = self.waiting[i].sum()
            out[cm.account] = {
                "emergency_admissions_per_1000": float(self.year_counts[i, 0] * per_1000_year),
                "delayed_transfer_days_per_1000": float(self.year_counts[i, 1] * per_1000_year),
                "waiting_over_18_weeks_share": float(self.waiting[i, :, LONG_WAIT_BIN:].sum() / waiting) if waiting else 0.0,
                "unmet_social_care_need_per_1000": float(unmet_n[i] * 1000 / max(people[i], 1)),
            }
        return out

    def start_year(self) -> None:
        """A new year of outcomes starts (after the contracts have settled the last)."""
        self.year_counts[:] = 0.0

    # --- social care rationing ------------------------------------------------------------------------------
    def eligible_count(self, council: Council) -> int:
        """The council's residents its eligibility threshold counts as needing care."""
        return self.eligible_at(council, council.eligibility)

    def eligible_at(self, council: Council, threshold: float) -> int:
        """The council's residents a frailty threshold would count as needing care."""
        return self.eligible_among(self.resident_frailty(council), threshold)

    @staticmethod
    def eligible_among(frailty: np.ndarray, threshold: float) -> int:
        """Of people with these frailties, those a frailty threshold counts as needing care."""
        return int(np.count_nonzero(frailty >= threshold))

    def resident_frailty(self, council: Council) -> np.ndarray:
        """The frailty of each of the council's living residents."""
        pop = self.model.population
        # np.compress gives what a boolean index gives, about twice as fast when half the people are chosen
        return np.compress(pop.alive & (pop.council == council.index), pop.frailty)

    def reabled_share(self, council: Council) -> float:
        """Of the council's residents waiting for a package now (eligible, without one; at home or in a
        hospital bed), the share a stay in intermediate care would take below its eligibility
        (``social_care.intermediate_care_frailty_fall``); 0 with nobody waiting."""
        pop = self.model.population
        elig = council.eligibility
        waiting = pop.alive & ~pop.sc_met & (pop.council == council.index) & (pop.frailty >= elig)
        f = pop.frailty[waiting]
        fall = self.model.params.social_care.intermediate_care_frailty_fall
        return float(np.count_nonzero(f - np.float32(fall) < elig) / f.size) if f.size else 0.0

    def ration_threshold(self, council: Council, packages: int) -> float:
        """The frailty above which exactly ``packages`` of the council's residents would be eligible."""
        sc = self.model.params.social_care
        frail = self.resident_frailty(council)
        k = min(packages, frail.size) - 1
        if k < 0:
            return sc.need_threshold
        at = frail.size - 1 - k  # the (k + 1)th largest is this place in ascending order: no full sort needed
        return float(max(np.partition(frail, at)[at], sc.need_threshold))
