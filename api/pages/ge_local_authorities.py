"""The GE's « Temps pour les collectivités » (/coordination/ge/collectivites), for the
coordinator and the auditor: for a year, each employee's hours, those for the members whose
file says they are local authorities, the year's contractual time and the cap of C. trav.
L1253-20 (three quarters of it since loi n° 2016-1888; a setting), the share of the cap used
and the employees above it (application/billing_rates.local_authority_shares). Read only:
the cap is enforced (or only shown, per the settings) when hours are logged."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from api.french import decimal_fr, percent_fr
from api.pages.coordination_forms import Refused
from api.pages.ge_hub import settings_cap, today
from api.pages.render import page
from api.pages.session import AuditorDep
from api.reads import reading
from application.billing_rates import LocalAuthorityShare, local_authority_shares
from application.permissions import AUDITORS, require_role
from projections import billing_reads

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = "/coordination/ge/collectivites"


def hours_fr(value: Fraction | Decimal) -> str:
    """Hours to the hundredth, half up: Fraction(4821, 4) -> '1 205,25 h'."""
    exact = Decimal(value.numerator) / Decimal(value.denominator) if isinstance(value, Fraction) else value
    return f"{decimal_fr(exact.quantize(Decimal('0.01'), ROUND_HALF_UP), max_places=2)}\u00a0h"


def used_fr(share: LocalAuthorityShare) -> str:
    """The share of the cap used, to the hundredth of a percent; '—' without a cap."""
    if not share.cap_hours:
        return "—"
    ratio = Fraction(share.local_authority_hours) / share.cap_hours
    return percent_fr(Decimal(ratio.numerator) / Decimal(ratio.denominator))


def chosen_year(sent: str | None) -> int:
    if not sent:
        return today().year
    if not sent.strip().isdigit() or not 2000 <= int(sent.strip()) <= 2100:
        raise Refused("annee", "« Année » : une année de 2000 à 2100, par exemple 2026.")
    return int(sent.strip())


@router.get(PAGE, response_class=HTMLResponse)
def local_authorities(request: Request, who: AuditorDep, annee: str | None = None,
                      apres: int | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    status, error = 200, None
    try:
        year = chosen_year(annee)
    except Refused as refused:
        status, error, year = 422, refused, today().year
    cap = settings_cap(request)
    with reading(request.app.state.services, after=apres) as read:
        shares = local_authority_shares(read.conn, year, read.position, cap)
        authorities = [f for f in billing_reads.member_details_at(read.conn, read.position) if f["local_authority"]]
        position = read.position
    return page(request, "ge_local_authorities.html", status=status, title="Temps pour les collectivités",
                year=year, sent_year=annee or str(year), cap=cap, share_fr=f"{decimal_fr(cap.share * 100, max_places=2)}\u202f%", shares=shares,
                authorities=authorities, position=position, hours_fr=hours_fr, used_fr=used_fr,
                can_edit=who.role == "coordinator", error=error.message if error else None,
                field=error.field if error else None)
