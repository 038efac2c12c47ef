"""Haut-Val's allocation keys: each resource's first key, and the m² keys that change when
the mission locale takes over an office."""

from __future__ import annotations

from decimal import Decimal
from typing import Callable

from demo.haut_val_data import (
    BUILDING_M2, COPIER_TARIFF_CENTS, EMPLOYEES, FORUM_KEY, MSP_PROFESSIONALS, RECEPTION_KEY,
)
from domain.keys import AllocationKey, KeyPart


def initial_keys(p: Callable[[str], str]) -> dict[str, AllocationKey]:
    """Each resource's first key, partner ids as the copy names them (`p`)."""
    msp = tuple(p(pid) for pid, *_ in MSP_PROFESSIONALS)
    keys = {e.id: AllocationKey(method="usage") for e in EMPLOYEES}
    keys |= m2_keys(BUILDING_M2, p)
    keys |= {
        "salle-vercors": AllocationKey(method="usage"),
        "copieur": AllocationKey(method="tariff",
                                 unit_price_cents=Decimal(COPIER_TARIFF_CENTS)),
        "accueil-mutualise": AllocationKey(method="fixed", weights=weights(RECEPTION_KEY, p)),
        "msp-loyer": AllocationKey(method="equal", partners=msp),
        "msp-assurance": AllocationKey(method="equal", partners=msp),
        "msp-chauffage": AllocationKey(method="equal", partners=msp),
        "msp-secretariat": AllocationKey(method="usage"),
        "forum-emploi": AllocationKey(method="fixed", weights=weights(FORUM_KEY, p)),
    }
    return keys

def m2_keys(m2: dict[str, int], p: Callable[[str], str]) -> dict[str, AllocationKey]:
    """Rent and energy by m²; cleaning 30 % equal among occupants, 70 % by m²."""
    by_m2 = AllocationKey(method="fixed", weights=weights(m2, p))
    cleaning = AllocationKey(method="mixed", parts=(
        KeyPart(method="equal", percent=30, partners=tuple(p(pid) for pid in m2)),
        KeyPart(method="fixed", percent=70, weights=weights(m2, p)),
    ))
    return {"loyer-batiment": by_m2, "energie-batiment": by_m2, "menage-batiment": cleaning}

def weights(table: dict[str, int], p: Callable[[str], str]) -> dict[str, Decimal]:
    return {p(pid): Decimal(w) for pid, w in table.items()}
