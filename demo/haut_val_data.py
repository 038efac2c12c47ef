"""Haut-Val's figures: its partners, employees and resources, and what each costs,
built from published figures about French pooling:

- a groupement d'employeurs (GE) of 7 members and 5 employees, billed at cost by hours
  worked (about 630 hours a month);
- a shared building (France Services + maison des associations): rent and energy by m²,
  the meeting room "Salle Vercors" booked by the hour, a copier at 0,04 € a page, a shared
  reception on a 60/40 key and cleaning on a mixed key;
- a maison de santé (MSP) of 14 professionals: rent, insurance and heating split equally,
  the secretariat by acts handled;
- a yearly employment forum (6 000 €) split by fixed percentages.

Amounts are integer cents. Ids are those of copy 1 (copy k > 1 appends "-k{k}"). The
generator (demo/haut_val.py) turns them into commands, month by month.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

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
        # Mostly the communauté de communes' IT: its hours of the year come to about 71 % of
        # his contract time, close to the local authorities' cap of three quarters (C. trav.
        # L1253-20), as « Temps pour les collectivités » shows. The other members' draws are
        # the same as with any weights (one draw a pick), so only his hours move.
        {"cc-haut-val": 28, "maison-des-associations": 1, "creche-les-marmottes": 1,
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


