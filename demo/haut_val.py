"""Haut-Val, a demo territory that pools premises, staff, equipment and a joint action.

A deterministic generator of commands (seeded `random.Random`, never the global one),
built from published figures about French pooling:

- a groupement d'employeurs (GE) of 7 members and 5 employees, billed at cost by hours
  worked (about 630 hours a month);
- a shared building (France Services + maison des associations): rent and energy by m²,
  the meeting room "Salle Vercors" booked by the hour, a copier at 0,04 € a page, a shared
  reception on a 60/40 key and cleaning on a mixed key;
- a maison de santé (MSP) of 14 professionals: rent, insurance and heating split equally,
  the secretariat by acts handled;
- a yearly employment forum (6 000 €) split by fixed percentages.

Each month also brings its corrections (hours, a copier reading, a duplicate voided, a
booking cancelled) and a few commands the ledger must refuse. Entry ids are predicted
here: the ledger numbers each container's entries 1, 2, ... in order of recording, so the
generator knows the id of every entry it creates and can correct or void it later; each
recorded step carries the ids it expects, which the loader checks against the ledger's.

With `scale=K`, K independent copies of the territory are generated, month by month;
copy k > 1 suffixes every partner and resource id with `-k{k}`.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from itertools import count
from typing import Iterator, Sequence

from domain.commands import (
    BookSlot,
    CancelBooking,
    Command,
    CorrectEntry,
    JoinPartner,
    LeavePartner,
    LogStaffHours,
    RecordCost,
    RecordEquipmentUse,
    RegisterResource,
    SetAllocationKey,
    VoidEntry,
)
from domain.ids import entry_id
from domain.keys import AllocationKey, KeyPart
from domain.periods import LOCAL_TZ, check_month, iso_week, local_day, month_bounds, next_month

# --------------------------------------------------------------------------------------
# The territory's data: partners, employees, resources and their figures.
# Amounts are integer cents. Ids are those of copy 1 (copy k > 1 appends "-k{k}").
# --------------------------------------------------------------------------------------

# (id, name, kind)
GE_MEMBERS = (
    ("creche-les-marmottes", "Crèche associative Les Marmottes", "association petite enfance"),
    ("micro-creche-les-edelweiss", "Micro-crèche Les Edelweiss", "association petite enfance"),
    ("laep-la-cabane", "Lieu d'accueil enfants-parents La Cabane", "association petite enfance"),
    ("us-haut-val", "Union sportive du Haut-Val", "club sportif"),
    ("maison-des-associations", "Maison des associations du Haut-Val", "association"),
    ("cc-haut-val", "Communauté de communes du Haut-Val", "collectivité territoriale"),
    ("sisa-msp-haut-val", "SISA de la maison de santé du Haut-Val", "SISA"),
)
OTHER_PARTNERS = (
    ("ge-haut-val", "Groupement d'employeurs du Haut-Val", "groupement d'employeurs"),
    ("france-services", "France Services du Haut-Val", "service public"),
    ("mission-locale", "Mission locale Vercors-Haut-Val", "mission locale"),
)
# A former GE member, dissolved at the end of the year before the demo starts: its
# membership is on the register, and hours logged for it out of habit are refused.
FORMER_MEMBER = ("creche-les-lutins", "Crèche Les Lutins (dissoute)", "association petite enfance")

# Membership changes, by month of the run (1 = the start month) and day of that month.
JOINER, JOIN_MONTH, JOIN_DAY = "sisa-msp-haut-val", 4, 16  # joins the GE on the 16th of month 4
LEAVER, LEAVE_MONTH, LEAVE_DAY = "micro-creche-les-edelweiss", 9, 20  # taken over by the CC

# (id, name, profession, acts handled by the secretariat in a full week: (min, max))
MSP_PROFESSIONALS = (
    ("dr-aubert", "Dr Claire Aubert", "médecin généraliste", (70, 105)),
    ("dr-blanchard", "Dr Paul Blanchard", "médecin généraliste", (65, 100)),
    ("dr-chevalier", "Dr Inès Chevalier", "médecin généraliste", (60, 95)),
    ("dr-durand", "Dr Marc Durand", "médecin généraliste", (40, 70)),
    ("ide-fabre", "Julie Fabre", "infirmière", (10, 25)),
    ("ide-gauthier", "Nadia Gauthier", "infirmière", (10, 25)),
    ("ide-henry", "Pierre Henry", "infirmier", (8, 20)),
    ("ide-jacob", "Léa Jacob", "infirmière", (8, 20)),
    ("mk-lambert", "Hugo Lambert", "masseur-kinésithérapeute", (25, 45)),
    ("mk-morel", "Chloé Morel", "masseuse-kinésithérapeute", (25, 45)),
    ("sf-noel", "Anne Noël", "sage-femme", (12, 22)),
    ("ortho-picard", "Camille Picard", "orthophoniste", (15, 25)),
    ("podo-renaud", "Louis Renaud", "pédicure-podologue", (10, 20)),
    ("diet-simon", "Sarah Simon", "diététicienne", (6, 14)),
)


@dataclass(frozen=True)
class Employee:
    id: str
    name: str
    week: tuple[str, ...]  # hours worked Monday..Friday (half-hours allowed)
    monthly_cost_cents: int  # gross salary + employer charges
    members: dict[str, int]  # GE members served, with their share of the work

    def hours_on(self, day: date) -> Decimal:
        return Decimal(self.week[day.weekday()]) if day.weekday() < 5 else Decimal(0)


EMPLOYEES = (
    Employee(
        "assistante-paie", "Sophie Garnier, assistante administrative et paie (35 h)",
        ("7", "7", "7", "7", "7"), 320_000,
        {"creche-les-marmottes": 3, "micro-creche-les-edelweiss": 2, "laep-la-cabane": 1,
         "us-haut-val": 2, "maison-des-associations": 2, "sisa-msp-haut-val": 2},
    ),
    Employee(
        "agent-accueil", "Karim Benali, agent d'accueil (35 h)",
        ("7", "7", "7", "7", "7"), 265_000,
        {"maison-des-associations": 4, "cc-haut-val": 3, "us-haut-val": 1, "sisa-msp-haut-val": 1},
    ),
    Employee(
        "technicien-informatique", "Lucas Perrin, technicien informatique (17,5 h)",
        ("7", "7", "0", "3.5", "0"), 196_000,
        {"cc-haut-val": 2, "maison-des-associations": 1, "creche-les-marmottes": 1,
         "micro-creche-les-edelweiss": 1, "laep-la-cabane": 1, "us-haut-val": 1,
         "sisa-msp-haut-val": 2},
    ),
    Employee(
        "charge-communication", "Emma Roux, chargée de communication (28 h)",
        ("7", "7", "7", "7", "0"), 291_000,
        {"cc-haut-val": 3, "maison-des-associations": 2, "us-haut-val": 2,
         "creche-les-marmottes": 1, "laep-la-cabane": 1},
    ),
    Employee(
        "educateur-sportif", "Thomas Michel, éducateur sportif (30 h)",
        ("6", "6", "6", "6", "6"), 254_000,
        {"us-haut-val": 4, "cc-haut-val": 2, "creche-les-marmottes": 1,
         "micro-creche-les-edelweiss": 1, "laep-la-cabane": 1},
    ),
)

# m² occupied in the shared building; from month 7 the mission locale takes over an
# office of the maison des associations (a new version of the m² keys).
BUILDING_M2 = {"france-services": 180, "maison-des-associations": 140, "mission-locale": 45,
               "ge-haut-val": 35}
BUILDING_M2_LATER = {"france-services": 180, "maison-des-associations": 115,
                     "mission-locale": 70, "ge-haut-val": 35}
M2_KEY_CHANGE_MONTH = 7
M2_KEYED = ("loyer-batiment", "energie-batiment", "menage-batiment")

RECEPTION_KEY = {"france-services": 60, "maison-des-associations": 40}
FORUM_KEY = {"cc-haut-val": 40, "france-services": 20, "maison-des-associations": 15,
             "ge-haut-val": 15, "mission-locale": 10}
FORUM_CALENDAR_MONTH = 3  # the forum is held every March
FORUM_COSTS = (("prestation", 320_000), ("communication", 130_000), ("restauration", 150_000))
COPIER_TARIFF_CENTS = 4

# Staff-hour entries of the GE in a month (about 630 hours in entries of 2-7 h).
GE_ENTRIES_A_MONTH = 152
# Salle Vercors: bookings a month (the associations' meetings do not depend on how many
# working days the month has), and who books it, how often (relative weights).
ROOM_BOOKINGS_A_MONTH = (78, 88)
ROOM_USERS = {"maison-des-associations": 4, "us-haut-val": 3, "france-services": 2,
              "mission-locale": 2, "cc-haut-val": 2, "creche-les-marmottes": 1,
              "laep-la-cabane": 1, "micro-creche-les-edelweiss": 1, "ge-haut-val": 1}
# Who prints on the copier: (weight, pages in a typical day (min, max)).
COPIER_USERS = {"france-services": (4, (60, 400)), "maison-des-associations": (4, (40, 300)),
                "mission-locale": (2, (30, 200)), "ge-haut-val": (2, (20, 150)),
                "us-haut-val": (1, (20, 120)), "cc-haut-val": (1, (20, 200))}


@dataclass(frozen=True)
class Cost:
    category: str
    cents: int  # a typical month
    profile: str = "flat"  # flat | seasonal (heating) | salary (±2 %) | varies (±25 %)


@dataclass(frozen=True)
class ResourceSpec:
    id: str
    name: str
    kind: str
    unit: str
    costs: tuple[Cost, ...]
    capacity: int = 1


RESOURCES = (
    # The shared building
    ResourceSpec("loyer-batiment", "Loyer du bâtiment France Services", "premises", "m²",
                 (Cost("loyer", 420_000),)),
    ResourceSpec("energie-batiment", "Énergie du bâtiment (électricité, gaz)", "premises",
                 "m²",
                 (Cost("énergie", 52_000, "seasonal"), Cost("énergie", 41_000, "seasonal"))),
    ResourceSpec("salle-vercors", "Salle Vercors", "premises", "hour",
                 (Cost("loyer", 35_000), Cost("ménage", 6_500))),
    ResourceSpec("copieur", "Copieur multifonction", "equipment", "page",
                 (Cost("location", 18_900), Cost("maintenance", 3_500))),  # + 0,6 c a page
    ResourceSpec("accueil-mutualise", "Accueil mutualisé", "service", "hour",
                 (Cost("salaire", 275_000, "salary"),)),
    ResourceSpec("menage-batiment", "Ménage du bâtiment", "service", "m²",
                 (Cost("ménage", 115_000), Cost("fournitures", 9_000, "varies"))),
    # The maison de santé
    ResourceSpec("msp-loyer", "Loyer de la maison de santé", "premises", "m²",
                 (Cost("loyer", 560_000),)),
    ResourceSpec("msp-assurance", "Assurance multirisque de la maison de santé", "service",
                 "contrat", (Cost("assurance", 31_000),)),
    ResourceSpec("msp-chauffage", "Chauffage de la maison de santé", "premises", "m²",
                 (Cost("énergie", 70_000, "seasonal"),)),
    ResourceSpec("msp-secretariat", "Secrétariat de la maison de santé", "service", "acte",
                 (Cost("salaire", 590_000, "salary"), Cost("logiciel", 18_000))),
    # The joint action (costs only in its month, see FORUM_COSTS)
    ResourceSpec("forum-emploi", "Forum de l'emploi du Haut-Val", "action", "stand", ()),
)

COPIER_MAINTENANCE_TENTHS_OF_CENT_A_PAGE = 6  # cost-per-copy maintenance contract
# Heating and energy, % of a typical month, by calendar month.
SEASON_PERCENT = {1: 160, 2: 150, 3: 120, 4: 90, 5: 65, 6: 50, 7: 45, 8: 45, 9: 60,
                  10: 90, 11: 130, 12: 155}


# --------------------------------------------------------------------------------------
# Steps
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """Commands executed together as one batch, by one actor.

    `expect_refusal` names the rule (the domain error's `.rule`) that must refuse the step;
    `entry_ids` are the ids the ledger will give, one per command (None for commands that
    touch no entry; corrections, voids and cancellations name the entry they touch), as
    the ledger's Outcome reports them.
    """

    commands: tuple[Command, ...]
    actor: str
    expect_refusal: str | None = None
    note: str = ""
    entry_ids: tuple[str | None, ...] = ()
    month: str = ""
    actors: tuple[str, ...] = ()  # one per command when steps of several actors are joined


class EntryIds:
    """Predicts entry ids: each container numbers its entries 1, 2, ... as recorded."""

    def __init__(self) -> None:
        self._count: Counter[tuple[str, str]] = Counter()

    def assign(self, cmd: Command) -> str | None:
        match cmd:
            case BookSlot():
                container = (cmd.resource_id, local_day(cmd.starts_at).isoformat())
            case RecordEquipmentUse():
                container = (cmd.resource_id, cmd.used_on.isoformat())
            case LogStaffHours():
                container = (cmd.employee_id, iso_week(cmd.work_date))
            case RecordCost():
                container = (cmd.resource_id, cmd.month)
            case CancelBooking() | CorrectEntry() | VoidEntry():
                return cmd.entry_id
            case _:
                return None
        self._count[container] += 1
        return entry_id(*container, self._count[container])


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


@dataclass
class _MonthEntries:
    """What this month recorded that a correction may later point at."""

    hours: list[tuple[str, LogStaffHours]] = field(default_factory=list)
    uses: list[tuple[str, RecordEquipmentUse]] = field(default_factory=list)
    bookings: list[tuple[str, BookSlot]] = field(default_factory=list)
    duplicate: str | None = None
    pages: int = 0


class Territory:
    def __init__(self, k: int, seed: int, start: str) -> None:
        self.k = k
        self.rng = random.Random(f"haut-val:{seed}:{k}")
        self.ids = EntryIds()
        self.suffix = "" if k == 1 else f"-k{k}"
        self.start = month_bounds(start)[0]
        self.join_date = _add_months(self.start, JOIN_MONTH - 1) + timedelta(days=JOIN_DAY - 1)
        self.leave_date = _add_months(self.start, LEAVE_MONTH - 1) + timedelta(days=LEAVE_DAY - 1)
        self.coordinator = f"coordinator@haut-val{self.suffix}"
        self.ge_actor = f"partner:{self.id('ge-haut-val')}"
        self.reception_actor = f"partner:{self.id('maison-des-associations')}"
        self.msp_actor = f"secretariat@msp-haut-val{self.suffix}"
        self.month = ""
        self.entries = _MonthEntries()
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
        self.month, self.entries = month, _MonthEntries()
        first, last = month_bounds(month)
        days = [first + timedelta(days=n) for n in range((last - first).days + 1)]
        working = [d for d in days if is_working_day(d)]
        rng = self.rng
        overlap_day, long_day, duplicate_day = (rng.choice(working) for _ in range(3))
        msp_days = _weekly_closing_days(working)
        self.split_chance = _split_chance(working)
        bookings = _spread(rng, rng.randint(*ROOM_BOOKINGS_A_MONTH), working)

        if index == 1:
            yield self.setup(month)
        if index == M2_KEY_CHANGE_MONTH:
            yield self.m2_key_change(month)
        for day in days:
            if day == self.join_date:
                yield self.join(day)
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
            for rid, key in self.initial_keys().items()
        ]
        return self.step(commands, self.coordinator,
                         "mise en place : partenaires, ressources, clés")

    def initial_keys(self) -> dict[str, AllocationKey]:
        p = self.id
        msp = tuple(p(pid) for pid, *_ in MSP_PROFESSIONALS)
        keys = {e.id: AllocationKey(method="usage") for e in EMPLOYEES}
        keys |= self.m2_keys(BUILDING_M2)
        keys |= {
            "salle-vercors": AllocationKey(method="usage"),
            "copieur": AllocationKey(method="tariff",
                                     unit_price_cents=Decimal(COPIER_TARIFF_CENTS)),
            "accueil-mutualise": AllocationKey(method="fixed", weights=self.weights(RECEPTION_KEY)),
            "msp-loyer": AllocationKey(method="equal", partners=msp),
            "msp-assurance": AllocationKey(method="equal", partners=msp),
            "msp-chauffage": AllocationKey(method="equal", partners=msp),
            "msp-secretariat": AllocationKey(method="usage"),
            "forum-emploi": AllocationKey(method="fixed", weights=self.weights(FORUM_KEY)),
        }
        return keys

    def m2_keys(self, m2: dict[str, int]) -> dict[str, AllocationKey]:
        """Rent and energy by m²; cleaning 30 % equal among occupants, 70 % by m²."""
        by_m2 = AllocationKey(method="fixed", weights=self.weights(m2))
        cleaning = AllocationKey(method="mixed", parts=(
            KeyPart(method="equal", percent=30, partners=tuple(self.id(p) for p in m2)),
            KeyPart(method="fixed", percent=70, weights=self.weights(m2)),
        ))
        return {"loyer-batiment": by_m2, "energie-batiment": by_m2, "menage-batiment": cleaning}

    def weights(self, table: dict[str, int]) -> dict[str, Decimal]:
        return {self.id(pid): Decimal(w) for pid, w in table.items()}

    def m2_key_change(self, month: str) -> Step:
        commands = [
            SetAllocationKey(resource_id=self.id(rid), applies_from=month, key=key)
            for rid, key in self.m2_keys(BUILDING_M2_LATER).items()
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
            parts = _split_day(self.rng, halves, self.split_chance)
            partners = _pick(self.rng, members, len(parts))
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
                     partner_id=self.id(_pick(rng, room_users, 1)[0]),
                     starts_at=_at(day, begin), ends_at=_at(day, end))
            for begin, end in sorted(taken)
        ]
        copier_users = {p: w for p, (w, _) in COPIER_USERS.items() if self.is_member(p, day)}
        uses = [
            RecordEquipmentUse(resource_id=self.id("copieur"), partner_id=self.id(partner),
                               used_on=day, unit="page",
                               quantity=Decimal(rng.randint(*COPIER_USERS[partner][1])))
            for partner in _pick(rng, copier_users, rng.randint(2, 4))
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
        partner = _pick(self.rng, members, 1)[0]
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
        partner = self.id(_pick(self.rng, others, 1)[0])
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
                amount = _amount(rng, cost, calendar_month)
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


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _amount(rng: random.Random, cost: Cost, calendar_month: int) -> int:
    if cost.profile == "seasonal":
        return cost.cents * SEASON_PERCENT[calendar_month] * rng.randint(95, 105) // 10_000
    if cost.profile == "salary":
        return cost.cents * rng.randint(98, 102) // 100
    if cost.profile == "varies":
        return cost.cents * rng.randint(75, 125) // 100
    return cost.cents


def _split_chance(working: list[date]) -> float:
    """How often a day of work is split between two members, so that a month has about
    GE_ENTRIES_A_MONTH entries: a month with fewer working days still serves every
    member, so its days are split more often."""
    days = [e.hours_on(d) for e in EMPLOYEES for d in working if e.hours_on(d)]
    splittable = sum(1 for hours in days if hours >= 4)
    return min(0.95, max(0.3, (GE_ENTRIES_A_MONTH - len(days)) / max(1, splittable)))


def _split_day(rng: random.Random, halves: int, chance: float) -> list[int]:
    """A day of work (in half-hours) as one entry, or two of at least 2 h each."""
    if halves >= 8 and rng.random() < chance:
        first = rng.randint(4, halves - 4)
        return [first, halves - first]
    return [halves]


def _spread(rng: random.Random, total: int, days: list[date]) -> dict[date, int]:
    """`total` spread over the days: as evenly as possible, the rest on random days."""
    each, rest = divmod(total, len(days))
    extra = set(rng.sample(days, rest))
    return {day: each + (day in extra) for day in days}


def _pick(rng: random.Random, weights: dict[str, int], n: int) -> list[str]:
    """Up to n distinct keys, drawn by weight."""
    left, chosen = dict(weights), []
    while left and len(chosen) < n:
        key = rng.choices(list(left), weights=list(left.values()))[0]
        chosen.append(key)
        del left[key]
    return chosen


def _at(day: date, half_hour: int) -> datetime:
    return datetime.combine(day, time(half_hour // 2, 30 * (half_hour % 2)), tzinfo=LOCAL_TZ)


def _add_months(day: date, n: int) -> date:
    months = day.year * 12 + day.month - 1 + n
    return date(months // 12, months % 12 + 1, 1)


def _weekly_closing_days(working: list[date]) -> dict[date, int]:
    """The secretariat's weekly counts: for each ISO week of the month (cut at the month's
    edges, a stub of one or two working days joined to its neighbour), its last working
    day and how many working days it has."""
    weeks: dict[str, list[date]] = {}
    for day in working:
        weeks.setdefault(iso_week(day), []).append(day)
    chunks = list(weeks.values())
    if len(chunks) > 1 and len(chunks[0]) < 3:
        chunks[1] = chunks.pop(0) + chunks[0]
    if len(chunks) > 1 and len(chunks[-1]) < 3:
        chunks[-2] = chunks[-2] + chunks.pop()
    return {chunk[-1]: len(chunk) for chunk in chunks}


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in public_holidays(day.year)


_HOLIDAYS: dict[int, frozenset[date]] = {}


def public_holidays(year: int) -> frozenset[date]:
    """French public holidays (Easter Monday, Ascension and Whit Monday included)."""
    if year not in _HOLIDAYS:
        easter = _easter(year)
        fixed = {date(year, m, d) for m, d in ((1, 1), (5, 1), (5, 8), (7, 14), (8, 15),
                                               (11, 1), (11, 11), (12, 25))}
        moving = {easter + timedelta(days=n) for n in (1, 39, 50)}
        _HOLIDAYS[year] = frozenset(fixed | moving)
    return _HOLIDAYS[year]


def _easter(year: int) -> date:
    """Easter Sunday (anonymous Gregorian algorithm)."""
    a, (b, c) = year % 19, divmod(year, 100)
    d, e = divmod(b, 4)
    g = (b - (b + 8) // 25 + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)
