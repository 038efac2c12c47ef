"""Haut-Val, a demo territory that pools premises, staff, equipment and a joint action
(its figures, and what each is: demo/haut_val_data.py).

A deterministic generator of commands (seeded `random.Random`, never the global one).
Each month brings its costs, usage, corrections and a few commands the ledger must
refuse. Entry ids are predicted here: the ledger numbers each container's entries 1, 2,
... in order of recording, so the generator knows the id of every entry it creates and
can correct or void it later; each recorded step carries the ids it expects, which the
loader checks against the ledger's. With `scale=K`, K independent copies are generated,
month by month; copy k > 1 suffixes every partner and resource id with `-k{k}`.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal
from itertools import count
from typing import Iterator, Sequence

from demo import haut_val_ge
from demo.calendar_fr import add_months, at_half_hour, is_working_day, weekly_closing_days
from demo.draws import cost_amount, pick, split_chance, split_day, spread
from demo.haut_val_data import (
    BUILDING_M2_LATER, COPIER_MAINTENANCE_TENTHS_OF_CENT_A_PAGE, COPIER_USERS, EMPLOYEES,
    FORMER_MEMBER, FORUM_CALENDAR_MONTH, FORUM_COSTS, GE_MEMBERS, JOIN_DAY, JOIN_MONTH,
    JOINER, LEAVE_DAY, LEAVE_MONTH, LEAVER, M2_KEY_CHANGE_MONTH, MSP_PROFESSIONALS,
    OTHER_PARTNERS, RESOURCES, ROOM_BOOKINGS_A_MONTH, ROOM_USERS,
)
from demo.haut_val_keys import initial_keys, m2_keys
from demo.steps import EntryIds, MonthEntries, Step
from domain.commands import (
    BookSlot, CancelBooking, Command, CorrectEntry, JoinPartner, LeavePartner,
    LogStaffHours, RecordCost, RecordEquipmentUse, RegisterResource, SetAllocationKey,
    VoidEntry,
)
from domain.periods import check_month, local_day, month_bounds, next_month


def generate(
    months: int = 12, scale: int = 1, seed: int = 7, start: str = "2026-01"
) -> Iterator[Step]:
    """The steps of `months` months of `scale` copies of Haut-Val, month by month."""
    if months < 1 or scale < 1:
        raise ValueError("months and scale must be at least 1")
    check_month(start)
    territories = [Territory(k, seed, start) for k in range(1, scale + 1)]
    month = start
    for index in range(1, months + 1):
        for territory in territories:
            yield from territory.month_steps(index, month)
        month = next_month(month)




# --------------------------------------------------------------------------------------
# One copy of the territory
# --------------------------------------------------------------------------------------


class Territory:
    def __init__(self, k: int, seed: int, start: str) -> None:
        self.k = k
        self.rng = random.Random(f"haut-val:{seed}:{k}")
        self.ids = EntryIds()
        self.suffix = "" if k == 1 else f"-k{k}"
        self.start = month_bounds(start)[0]
        self.join_date = add_months(self.start, JOIN_MONTH - 1) + timedelta(days=JOIN_DAY - 1)
        self.leave_date = add_months(self.start, LEAVE_MONTH - 1) + timedelta(days=LEAVE_DAY - 1)
        self.coordinator = f"coordinator@haut-val{self.suffix}"
        self.ge_actor = f"partner:{self.id('ge-haut-val')}"
        self.reception_actor = f"partner:{self.id('maison-des-associations')}"
        self.msp_actor = f"secretariat@msp-haut-val{self.suffix}"
        self.month = ""
        self.entries = MonthEntries()
        self.split_chance = 0.5

    # ids, membership, calendar --------------------------------------------------------

    def id(self, base: str) -> str:
        return base + self.suffix

    def is_member(self, partner: str, day: date) -> bool:
        if partner == FORMER_MEMBER[0]:
            return False
        if partner == JOINER:
            return day >= self.join_date
        if partner == LEAVER:
            return day <= self.leave_date
        return day >= self.start

    def step(
        self, commands: Sequence[Command], actor: str, note: str, expect: str | None = None
    ) -> Step:
        ids = () if expect else tuple(self.ids.assign(c) for c in commands)
        return Step(tuple(commands), actor, expect, note, ids, self.month)

    # the month -------------------------------------------------------------------------

    def month_steps(self, index: int, month: str) -> Iterator[Step]:
        self.month, self.entries = month, MonthEntries()
        first, last = month_bounds(month)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        working = [d for d in days if is_working_day(d)]
        rng = self.rng
        overlap_day, long_day, duplicate_day = (rng.choice(working) for _ in range(3))
        msp_days = weekly_closing_days(working)
        self.split_chance = split_chance(working)
        bookings = spread(rng, rng.randint(*ROOM_BOOKINGS_A_MONTH), working)

        if index == 1:
            yield self.setup(month)
            yield from haut_val_ge.terms(self, month)
        if index == M2_KEY_CHANGE_MONTH:
            yield self.m2_key_change(month)
        for day in days:
            if day == self.join_date:
                yield self.join(day)
                yield from haut_val_ge.member_joined(self)
            if day in working:
                yield self.staff_day(day)
                yield self.building_day(day, bookings[day], duplicate=day == duplicate_day)
            if day in msp_days:
                yield self.secretariat_week(day, msp_days[day])
            if day == long_day:
                yield self.eleven_hour_day(day)
            if day == overlap_day:
                yield self.overlapping_booking(day)
            if day == long_day and (index == 1 or index == LEAVE_MONTH + 1):
                yield self.hours_for_non_member(day, former=index == 1)
            if day == self.leave_date:
                yield self.leave(day)
        yield from self.corrections()
        costs = self.costs(month)
        yield costs
        yield self.invoice_corrected(costs)

    # membership, resources, keys -------------------------------------------------------

    def setup(self, month: str) -> Step:
        start, p = self.start, self.id
        commands: list[Command] = [
            JoinPartner(partner_id=p(pid), name=name, kind=kind, joined_on=start)
            for pid, name, kind in (*GE_MEMBERS, *OTHER_PARTNERS)
            if pid != JOINER
        ]
        commands += [
            JoinPartner(partner_id=p(pid), name=name, kind=prof, joined_on=start)
            for pid, name, prof, _ in MSP_PROFESSIONALS
        ]
        former, name, kind = FORMER_MEMBER
        commands += [
            JoinPartner(partner_id=p(former), name=name, kind=kind,
                        joined_on=date(start.year - 3, 9, 1)),
            LeavePartner(partner_id=p(former), last_day=start - timedelta(days=1)),
        ]
        commands += [
            RegisterResource(resource_id=p(e.id), name=e.name, kind="staff", unit="hour")
            for e in EMPLOYEES
        ]
        commands += [
            RegisterResource(resource_id=p(r.id), name=r.name, kind=r.kind, unit=r.unit,
                             capacity=r.capacity)
            for r in RESOURCES
        ]
        commands += [
            SetAllocationKey(resource_id=p(rid), applies_from=month, key=key)
            for rid, key in initial_keys(self.id).items()
        ]
        return self.step(commands, self.coordinator,
                         "mise en place : partenaires, ressources, clés")

    def m2_key_change(self, month: str) -> Step:
        commands = [
            SetAllocationKey(resource_id=self.id(rid), applies_from=month, key=key)
            for rid, key in m2_keys(BUILDING_M2_LATER, self.id).items()
        ]
        return self.step(commands, self.coordinator,
                         "la mission locale reprend un bureau : nouvelles clés au m²")

    def join(self, day: date) -> Step:
        pid, name, kind = next(m for m in GE_MEMBERS if m[0] == JOINER)
        command = JoinPartner(partner_id=self.id(pid), name=name, kind=kind, joined_on=day)
        return self.step([command], self.coordinator, f"{name} adhère au GE le {day}")

    def leave(self, day: date) -> Step:
        command = LeavePartner(partner_id=self.id(LEAVER), last_day=day)
        return self.step([command], self.coordinator,
                         f"{LEAVER} quitte le GE (reprise par la communauté de communes), "
                         f"dernier jour {day}")

    # usage -----------------------------------------------------------------------------

    def staff_day(self, day: date) -> Step:
        """The GE's hours of the day: each employee's day in one or two entries of 2-7 h."""
        commands = []
        for employee in EMPLOYEES:
            halves = int(employee.hours_on(day) * 2)
            if not halves:
                continue
            members = {m: w for m, w in employee.members.items() if self.is_member(m, day)}
            parts = split_day(self.rng, halves, self.split_chance)
            partners = pick(self.rng, members, len(parts))
            if len(partners) < len(parts):
                parts = [halves]
            commands += [
                LogStaffHours(employee_id=self.id(employee.id), partner_id=self.id(partner),
                              work_date=day, hours=Decimal(h) / 2)
                for partner, h in zip(partners, parts)
            ]
        step = self.step(commands, self.ge_actor, f"{day} : heures du GE")
        self.entries.hours += zip(step.entry_ids, commands)
        return step

    def building_day(self, day: date, wanted: int, duplicate: bool) -> Step:
        """Salle Vercors bookings (1-3 h, 08:00-20:00, never overlapping) and the copier's
        readings of the day."""
        rng = self.rng
        taken: list[tuple[int, int]] = []  # half-hour slots of the day
        for _ in range(wanted):
            for _attempt in range(20):
                length = rng.randint(2, 6)
                begin = rng.randint(16, 40 - length)
                if all(begin >= end or begin + length <= start for start, end in taken):
                    taken.append((begin, begin + length))
                    break
        room_users = {p: w for p, w in ROOM_USERS.items() if self.is_member(p, day)}
        bookings = [
            BookSlot(resource_id=self.id("salle-vercors"),
                     partner_id=self.id(pick(rng, room_users, 1)[0]),
                     starts_at=at_half_hour(day, begin), ends_at=at_half_hour(day, end))
            for begin, end in sorted(taken)
        ]
        copier_users = {p: w for p, (w, _) in COPIER_USERS.items() if self.is_member(p, day)}
        uses = [
            RecordEquipmentUse(resource_id=self.id("copieur"), partner_id=self.id(partner),
                               used_on=day, unit="page",
                               quantity=Decimal(rng.randint(*COPIER_USERS[partner][1])))
            for partner in pick(rng, copier_users, rng.randint(2, 4))
        ]
        self.entries.pages += sum(int(u.quantity) for u in uses)
        commands: list[Command] = [*bookings, *uses]
        if duplicate:  # the same counter reading keyed in twice: voided at the month's end
            commands.append(rng.choice(uses))
        step = self.step(commands, self.reception_actor, f"{day} : Salle Vercors et copieur")
        ids = step.entry_ids
        self.entries.bookings += zip(ids[: len(bookings)], bookings)
        self.entries.uses += zip(ids[len(bookings) : len(bookings) + len(uses)], uses)
        if duplicate:
            self.entries.duplicate = ids[-1]
        return step

    def secretariat_week(self, day: date, working_days: int) -> Step:
        """Acts handled by the MSP secretariat for each professional, week by week."""
        commands = []
        for pid, _, _, (low, high) in MSP_PROFESSIONALS:
            acts = max(1, self.rng.randint(low, high) * working_days // 5)
            commands.append(RecordEquipmentUse(
                resource_id=self.id("msp-secretariat"), partner_id=self.id(pid), used_on=day,
                quantity=Decimal(acts), unit="acte",
            ))
        step = self.step(commands, self.msp_actor, f"{day} : actes du secrétariat de la MSP")
        self.entries.uses += zip(step.entry_ids, commands)
        return step

    # refusals --------------------------------------------------------------------------

    def eleven_hour_day(self, day: date) -> Step:
        employee = EMPLOYEES[0]  # works 7 h every working day
        members = {m: w for m, w in employee.members.items() if self.is_member(m, day)}
        partner = pick(self.rng, members, 1)[0]
        command = LogStaffHours(employee_id=self.id(employee.id), partner_id=self.id(partner),
                                work_date=day, hours=Decimal(4))
        return self.step([command], self.ge_actor,
                         f"4 h de plus pour {employee.id} le {day} : une journée de 11 h",
                         expect="working-time-exceeded")

    def overlapping_booking(self, day: date) -> Step:
        day_bookings = [b for _, b in self.entries.bookings if local_day(b.starts_at) == day]
        booked = self.rng.choice(day_bookings)
        others = {p: w for p, w in ROOM_USERS.items()
                  if self.is_member(p, day) and self.id(p) != booked.partner_id}
        partner = self.id(pick(self.rng, others, 1)[0])
        begin = booked.starts_at
        if booked.ends_at - booked.starts_at > timedelta(hours=1):
            begin += timedelta(minutes=30)
        command = BookSlot(resource_id=booked.resource_id, partner_id=partner, starts_at=begin,
                           ends_at=begin + timedelta(hours=1))
        return self.step([command], f"partner:{partner}",
                         f"{partner} demande la Salle Vercors sur un créneau déjà pris le {day}",
                         expect="booking-overlap")

    def hours_for_non_member(self, day: date, former: bool) -> Step:
        partner = FORMER_MEMBER[0] if former else LEAVER
        command = LogStaffHours(employee_id=self.id(EMPLOYEES[0].id), partner_id=self.id(partner),
                                work_date=day, hours=Decimal(2))
        why = "dissoute fin d'année" if former else f"sortie du GE le {self.leave_date}"
        return self.step([command], self.ge_actor,
                         f"heures pour {partner} ({why}) le {day}", expect="not-a-member")

    # corrections and costs -------------------------------------------------------------

    def corrections(self) -> Iterator[Step]:
        rng, entries = self.rng, self.entries
        fours = [(i, c) for i, c in entries.hours if c.hours == 4]
        candidates = fours or [(i, c) for i, c in entries.hours if c.hours >= Decimal("2.5")]
        if candidates:
            eid, logged = rng.choice(candidates)
            new = logged.hours - Decimal("0.5")
            yield self.step(
                [CorrectEntry(entry_id=eid, quantity=new,
                              reason=f"feuille d'heures signée : {new} h, non {logged.hours} h")],
                self.ge_actor, f"correction d'heures {eid} : {logged.hours} h -> {new} h",
            )
        uses = [(i, c) for i, c in entries.uses if i != entries.duplicate]
        if uses:
            eid, used = rng.choice(uses)
            old = int(used.quantity)
            new = max(1, old - rng.randint(1, max(1, old // 4)))
            yield self.step(
                [CorrectEntry(entry_id=eid, quantity=Decimal(new),
                              reason=f"relevé corrigé : {new} {used.unit} et non {old}")],
                self.coordinator, f"correction de relevé {eid} : {old} -> {new} {used.unit}",
            )
        if entries.duplicate:
            yield self.step(
                [VoidEntry(entry_id=entries.duplicate,
                           reason="doublon : relevé du compteur saisi deux fois")],
                self.coordinator, f"annulation du doublon {entries.duplicate}",
            )
        if entries.bookings:
            eid, booking = rng.choice(entries.bookings)
            yield self.step(
                [CancelBooking(entry_id=eid, reason="réunion reportée")],
                f"partner:{booking.partner_id}", f"annulation de la réservation {eid}",
            )

    def invoice_corrected(self, costs: Step) -> Step:
        """A supplier's credit note: one invoice of the month was overcharged."""
        invoices = [(i, c) for i, c in zip(costs.entry_ids, costs.commands)
                    if c.category != "salaire"]
        eid, cost = self.rng.choice(invoices)
        new = cost.amount_cents - max(1, cost.amount_cents * self.rng.randint(2, 15) // 100)
        return self.step(
            [CorrectEntry(entry_id=eid, amount_cents=new,
                          reason=f"avoir du fournisseur sur {cost.document_ref}")],
            self.coordinator,
            f"avoir sur {cost.document_ref} ({eid}) : {cost.amount_cents} -> {new} centimes",
        )

    def costs(self, month: str) -> Step:
        """The month's invoices and payslips, all in one batch."""
        rng, calendar_month = self.rng, int(month[5:7])
        invoices = count(rng.randint(1, 40))

        def invoice() -> str:
            return f"FAC-{month}-{next(invoices):03d}"

        commands = [
            RecordCost(resource_id=self.id(e.id), month=month,
                       amount_cents=e.monthly_cost_cents * rng.randint(98, 102) // 100,
                       category="salaire", document_ref=f"BP-{month}-{self.id(e.id)}")
            for e in EMPLOYEES
        ]
        for resource in RESOURCES:
            for cost in resource.costs:
                amount = cost_amount(rng, cost, calendar_month)
                if resource.id == "copieur" and cost.category == "maintenance":
                    amount += self.entries.pages * COPIER_MAINTENANCE_TENTHS_OF_CENT_A_PAGE // 10
                commands.append(RecordCost(resource_id=self.id(resource.id), month=month,
                                           amount_cents=amount, category=cost.category,
                                           document_ref=invoice()))
        if calendar_month == FORUM_CALENDAR_MONTH:
            commands += [
                RecordCost(resource_id=self.id("forum-emploi"), month=month, amount_cents=cents,
                           category=category, document_ref=invoice())
                for category, cents in FORUM_COSTS
            ]
        return self.step(commands, self.coordinator, f"{month} : factures et bulletins de paie")
