"""One member's regularisation line traced back to its costs and hours (application/
regularisation_trace.py): the year's actual costs event by event, what the member was billed
at the provisional rate line by line, the difference, the largest-remainder splits that give
the member its share (its hours against all the hours, the exact share, the cent of the
remainder) and its hours by employee and month with their sheets; the document issued, if
any. As the ledger stood on a day or at a position, like the regularisation page.

Two doors, one page: the coordination and the auditors open any member's trace from the
regularisation page (/coordination/ge/regularisation/{year}/{partner_id}); a member opens
its own from « Mes factures » (/factures/regularisation/{year}), where another member's is
a 403 page and other members' hours count in the totals without their detail, as on a
statement line's trace."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse

from api.french import decimal_fr, euros
from api.pages.coordination_forms import Refused
from api.pages.ge_local_authorities import hours_fr
from api.pages.ge_regularisation import PAGE, will_issue
from api.pages.ge_solidarity import AsOf, parse_as_of
from api.pages.partner import PartnerQuery, Scope, scope_of
from api.pages.render import page
from api.pages.session import AuditorDep, PageError, PersonDep
from api.reads import log_end, reading
from application.permissions import AUDITORS, require_role
from application.regularisation_trace import MemberTrace, member_trace
from domain.errors import DomainError, NotFound
from domain.ids import Slug
from projections import billing_reads, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
YearPath = Annotated[int, Path(ge=2000, le=2100)]
SHEET_STATUS_FR = {"submitted": "soumise", "countersigned": "contresignée", "contested": "contestée"}


def exact_fr(cents: Fraction) -> str:
    """An exact share in euros, to the ten-thousandth of a cent at most, '≈' when it does not
    end there: Fraction(76875, 4) -> '192,1875 €', Fraction(100, 3) -> '≈ 0,333333 €'."""
    value = cents / 100
    shown = (Decimal(value.numerator) / Decimal(value.denominator)).quantize(Decimal("0.000001"), ROUND_HALF_UP)
    places = max(2, -shown.normalize().as_tuple().exponent)
    return f"{'' if Fraction(shown) == value else '≈ '}{decimal_fr(shown, places=places)}\u00a0€"


def _trace(request: Request, year: int, partner_id: str, as_of: AsOf) -> MemberTrace:
    try:
        with reading(request.app.state.services, as_of=as_of.reading) as read:
            return member_trace(read.conn, year, partner_id, read.position)
    except NotFound:
        raise PageError(404, f"Cet adhérent n'a ni heures, ni facture, ni régularisation en {year} à cette "
                             "date.") from None
    except DomainError:
        # The only other refusal of a read: a position past the log's end.
        raise Refused("position", f"« Position du journal » : le journal s'arrête à la position "
                                  f"{log_end(request.app.state.services)}.") from None


def _page(request: Request, scope: Scope, year: int, telle_au: str | None, position: str | None,
          *, coordination: bool) -> HTMLResponse:
    query = {"telle_au": telle_au or "", "position": position or ""}
    status, error = 200, None
    try:
        as_of = parse_as_of(telle_au, position)
        trace = _trace(request, year, scope.partner_id, as_of)
    except Refused as refused:
        status, error, as_of = 422, refused, AsOf()
        trace = _trace(request, year, scope.partner_id, as_of)
    with reading(request.app.state.services) as read:
        names = read_model.partner_names(read.conn)
        names |= {f["partner_id"]: f["legal_name"] for f in billing_reads.member_details_at(read.conn, read.position)}
    name = names.get(scope.partner_id, scope.partner_id)
    action = f"{PAGE}/{year}/{scope.partner_id}" if coordination else "/factures/regularisation/" + str(year)
    return page(request, "ge_regularisation_trace.html", status=status,
                title=f"Régularisation {year} — {name}", year=year, trace=trace, scope=scope, name=name,
                names=names, coordination=coordination, as_of=as_of, query=query, action=action,
                member=trace.member, regularisation=trace.read.regularisation, will_issue=will_issue,
                hours_fr=hours_fr, exact_fr=exact_fr, euros=euros, sheet_status_fr=SHEET_STATUS_FR,
                error=error.message if error else None, field=error.field if error else None, form="as_of")


@router.get(PAGE + "/{year}/{partner_id}", response_class=HTMLResponse)
def coordination_trace(request: Request, who: AuditorDep, year: YearPath, partner_id: Annotated[Slug, Path()],
                       telle_au: str | None = None, position: str | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    return _page(request, Scope(partner_id, own=False), year, telle_au, position, coordination=True)


@router.get("/factures/regularisation/{year}", response_class=HTMLResponse)
def member_trace_page(request: Request, who: PersonDep, year: YearPath, partenaire: PartnerQuery = None,
                      telle_au: str | None = None, position: str | None = None) -> HTMLResponse:
    scope = scope_of(who, partenaire)
    return _page(request, scope, year, telle_au, position, coordination=False)
