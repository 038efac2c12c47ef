"""The GE's « Régularisation de l'année » (/coordination/ge/regularisation?annee=2026), for the
coordinator and the auditor: the year's actual costs (each employee's, and the running costs
of the resources the GE's profile names), what was billed at the provisional rate, and for
each member its hours, its real cost (its share of each employee's costs and of the running
costs), what it was billed, the difference and the document that settles it
(application/regularisation.py, domain/regularisation.py: CGI art. 261 B asks that what a
member pays be exactly its share of the common expenses); as it stood recorded on a day or
at a log position; the documents of the year's regularisation already issued.

The coordinator's button issues what the page showed: the year read at the page's position,
with the number of documents the invoice book held then (a hidden field). If an invoice or a
credit note was issued since, the book refuses (`documents_seen`) and the page shows the
fresh figures; nothing to regularise is refused too (`year`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from api.french import euros
from api.pages.coordination_forms import Refused, after, text
from api.pages.ge_hub import today
from api.pages.ge_local_authorities import hours_fr
from api.pages.ge_messages import LABELS, refused_ge
from api.pages.ge_solidarity import AsOf, parse_as_of
from api.pages.ge_terms_forms import execute_ge
from api.pages.render import page, redirect
from api.pages.session import AuditorDep, CoordinatorDep, FormDep
from api.reads import log_end, reading
from application.permissions import AUDITORS, require_role
from application.regularisation import YearRead, year_read
from domain.errors import DomainError
from domain.regularisation import IssueRegularisation, MemberRegularisation
from projections import billing_reads, read_model

router = APIRouter(tags=["pages"], include_in_schema=False)
PAGE = "/coordination/ge/regularisation"
FIRST_YEAR, LAST_YEAR = 2000, 2100


def parse_year(sent: str | None) -> int:
    """The year asked for (this year when none); a refusal names « Année » in French."""
    if not sent:
        return today().year
    value = sent.strip()
    if not value.isdigit() or not FIRST_YEAR <= int(value) <= LAST_YEAR:
        raise Refused("annee", f"« {LABELS['year']} » : une année de {FIRST_YEAR} à {LAST_YEAR}, par exemple "
                               f"{today().year}.")
    return int(value)


def _count(value: str, field: str) -> int:
    """A hidden field the page wrote (a position, a number of documents)."""
    if not value.isdigit() or len(value) > 18:
        raise Refused(field, "La page envoyée est incomplète : rechargez-la, puis émettez la régularisation.")
    return int(value)


def will_issue(member: MemberRegularisation) -> str:
    """What the regularisation issues to the member, in the page's words."""
    if member.difference_cents > 0:
        return f"facture complémentaire de {euros(member.difference_cents)}"
    if member.difference_cents < 0:
        return f"avoir de {euros(-member.difference_cents)}"
    return "rien"


@dataclass(frozen=True)
class YearShown:
    """The year's regularisation with what the page names: the employees' costs one by one,
    the running costs' resources, the members by their legal names, the documents issued."""

    read: YearRead
    employee_costs: dict[str, int]       # employee id → its actual costs of the year
    running_cents: int
    running_names: list[str]
    names: dict[str, str]                # partner id → the member's legal name (else its name)
    documents: list[dict[str, Any]]      # the year's regularisation documents issued

    @property
    def unshared_employees(self) -> list[str]:
        """The employees whose costs no member's hours carry this year."""
        carried = {e for m in self.read.regularisation.members for e in m.pool_shares}
        return [e for e, cents in self.employee_costs.items() if cents and e not in carried]

    @property
    def employee_shared(self) -> dict[str, int]:
        """Each employee's costs as the members' shares carry them (its whole cost, or none)."""
        return {e: sum(m.pool_shares.get(e, 0) for m in self.read.regularisation.members)
                for e in self.employee_costs}

    @property
    def members(self) -> list[MemberRegularisation]:
        members = self.read.regularisation.members
        return sorted(members, key=lambda m: self.names.get(m.partner_id, m.partner_id).casefold())


def read_shown(request: Request, year: int, as_of: AsOf, after_position: int | None = None) -> YearShown:
    try:
        with reading(request.app.state.services, after=after_position, as_of=as_of.reading) as read:
            return shown_at(read.conn, year, read.position)
    except DomainError:
        # The only refusal of a read: a position past the log's end.
        raise Refused("position", f"« Position du journal » : le journal s'arrête à la position "
                                  f"{log_end(request.app.state.services)}.") from None


def shown_at(conn, year: int, at: int) -> YearShown:
    read = year_read(conn, year, at)
    costs = billing_reads.employee_costs_of_year(conn, year, at)
    employees = {e: costs.get(e, 0) for e in read.employee_names
                 if e in costs or any(e in m.pool_shares for m in read.regularisation.members)}
    running = read.regularisation.costs_cents - sum(employees.values())
    running_names = read_model.resource_names_at(conn, at, list(read.running_cost_resources))
    names = read_model.partner_names(conn)
    names |= {f["partner_id"]: f["legal_name"] for f in billing_reads.member_details_at(conn, at)}
    documents = [r for r in billing_reads.invoices_at(conn, at, month=f"{year:04d}-12") if r["regularises"] == year]
    return YearShown(read, dict(sorted(employees.items(), key=lambda i: read.employee_names.get(i[0], i[0]))),
                     running, [running_names.get(r, r) for r in read.running_cost_resources], names, documents)


def _page(request: Request, who, year: int, as_of: AsOf | None, *, after_position: int | None = None,
          status: int = 200, form: str = "", error: Refused | None = None,
          query: dict[str, str] | None = None) -> HTMLResponse:
    shown_as_of = as_of or AsOf()
    shown = read_shown(request, year, shown_as_of, after_position)
    return page(request, "ge_regularisation.html", status=status, title=f"Régularisation de l'année {year}",
                year=year, as_of=shown_as_of, query=query or shown_as_of.query(), shown=shown,
                regularisation=shown.read.regularisation, can_post=who.role == "coordinator",
                now=as_of is None or (as_of.recorded_on is None and as_of.position is None),
                will_issue=will_issue, hours_fr=hours_fr, form=form,
                error=error.message if error else None, field=error.field if error else None)


@router.get(PAGE, response_class=HTMLResponse)
def regularisation(request: Request, who: AuditorDep, annee: str | None = None, telle_au: str | None = None,
                   position: str | None = None, apres: int | None = None) -> HTMLResponse:
    require_role(who, *AUDITORS)
    query = {"annee": annee or "", "telle_au": telle_au or "", "position": position or ""}
    try:
        year = parse_year(annee)
    except Refused as error:
        return _page(request, who, today().year, None, status=422, form="as_of", error=error, query=query)
    try:
        return _page(request, who, year, parse_as_of(telle_au, position), after_position=apres, query=query)
    except Refused as error:
        return _page(request, who, year, None, status=422, form="as_of", error=error, query=query)


def issue_command(request: Request, year: int, position: int, documents_seen: int) -> IssueRegularisation:
    """The year as the page showed it (read at its position), with the documents it saw."""
    services = request.app.state.services
    if position > log_end(services):
        raise Refused("position", "La page envoyée est incomplète : rechargez-la, puis émettez la régularisation.")
    with reading(services, after=position) as read:
        shown = year_read(read.conn, year, position).command()
    return IssueRegularisation.model_validate({**shown.model_dump(), "documents_seen": documents_seen})


@router.post(PAGE, response_class=HTMLResponse)
def issue(request: Request, who: CoordinatorDep, form: FormDep) -> Response:
    try:
        year = parse_year(text(form, "annee") or "-")
    except Refused as error:
        return _page(request, who, today().year, None, status=422, form="issue", error=error)
    try:
        cmd = issue_command(request, year, _count(text(form, "position"), "position"),
                            _count(text(form, "documents_seen"), "documents_seen"))
        outcome = execute_ge(request, who, cmd)
    except (Refused, DomainError) as error:
        # The figures as they stand now, with all that was recorded (the document issued since
        # included), and the documents they count: a second press issues those.
        said = error if isinstance(error, Refused) else refused_ge(error)
        return _page(request, who, year, None, after_position=log_end(request.app.state.services), status=422,
                     form="issue", error=said)
    invoices = sum(1 for m in cmd.members if m.difference_cents > 0)
    notes = sum(1 for m in cmd.members if m.difference_cents < 0)
    plural = "s" if invoices > 1 else ""
    said = " et ".join(part for part in (
        f"{invoices} facture{plural} complémentaire{plural}" if invoices else "",
        f"{notes} avoir{'s' if notes > 1 else ''}" if notes else "") if part)
    return redirect(request, after(f"{PAGE}?annee={year}", outcome) + "#documents",
                    message=f"Régularisation de l'année {year} émise : {said}.")
