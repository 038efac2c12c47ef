"""The message catalogue: every event and command of the ledger is found from here.

Events and commands are defined beside what they concern: most in `domain/events.py` and
`domain/commands.py`, those of closing, disputes and access beside their aggregates. An
event is stored under its topic, `module:Class`, and the projections know it by the class
part of that topic (`event_type`), so a stored class never moves or changes name unless its
old topic is kept in FORMER_TOPICS. The catalogue reads the classes of MODULES, so a new
class in one of them needs no registration here; `tests/unit/test_catalogue.py` says what
else it needs.
"""

from __future__ import annotations

from types import ModuleType

from domain import (access, billing_terms, closing, commands, disputes, events, ge_debts, hour_sheets, invoice_payments,
                    invoices,
                    member_funds, member_register, people, pool_settings, regularisation, tariff_settlement)
from domain.commands import Command
from domain.events import DomainEvent

# The modules that define events or commands (the test finds any other that does).
MODULES: tuple[ModuleType, ...] = (events, commands, closing, disputes, access, people, hour_sheets, billing_terms,
                                     invoices, member_register, pool_settings, ge_debts, member_funds, regularisation,
                                     invoice_payments, tariff_settlement)


# A renamed or moved event class keeps its old topic here (old topic -> the class now), so
# that stored events of the old name are read and folded as the class they became, e.g.
# {"domain.events:CostBooked": events.CostRecorded}. event_store/mapper.py registers them.
FORMER_TOPICS: dict[str, type[DomainEvent]] = {}

# Events that no command records, and what records them instead.
RECORDED_WITHOUT_COMMAND: dict[str, str] = {
    "CommandReceived": "the ledger's receipt of a command sent with an idempotency key (application/idempotency.py)",
}


# Commands that a batch or a JSON Lines import cannot carry (domain/commands.py AnyCommand
# carries every other), and why.
NOT_BATCHABLE: dict[str, str] = {
    "ClosePeriod": "sent with the digest the projections computed at a position (projections/closing.py)",
    "OpenDispute": "a dispute is opened, commented and resolved one at a time, on its own routes",
    "CommentDispute": "a dispute is opened, commented and resolved one at a time, on its own routes",
    "ResolveDispute": "a dispute is opened, commented and resolved one at a time, on its own routes",
    "IssueToken": "the operator issues tokens at the command line; its signing key is in no payload",
    "RevokeToken": "the operator revokes tokens at the command line",
    "InvitePerson": "people are invited one at a time, from the pages or the command line; its signing key is in no payload",
    "AcceptInvitation": "an invitation is accepted from its link, with a password checked and hashed on the way",
    "RevokePerson": "people are revoked one at a time, from the pages or the command line",
    "OpenSession": "a session is opened by signing in, after the password is checked",
    "CloseSession": "a session is closed by signing out",
    "SubmitHourSheet": "sent with the hours and digest the projections computed at a position (application/hour_sheets.py)",
    "CountersignHourSheet": "a member signs one sheet at a time, with the digest of what it was shown",
    "ContestHourSheet": "a member contests one sheet at a time, on its own route",
    **{name: "a GE's terms are set one at a time, on their own routes and pages"
       for name in ("SetContractTerms", "SetRateCard", "SetGroupProfile", "SetMemberDetails")},
    "RecordGeDebt": "the GE's debts are recorded one at a time, on their own route",
    "SettleGeDebt": "the GE's debts are settled one at a time, on their own route",
    **{name: "a member's fee and deposit are called and returned one at a time, on their own routes"
       for name in ("CallMembershipFee", "CallDeposit", "ReturnDeposit")},
    "SetCostBasis": "set from the coordinator's pages or its own route, one month on",
    "NotifyRegisterChanges": "sent from the register's page, with the position of the changes it lists",
    "IssueInvoice": "sent with the lines the projections computed at a position (application/invoicing.py)",
    "IssueCreditNote": "a credit note corrects one invoice, on its own route",
    "RecordInvoicePayment": "a member's payment is recorded against one invoice at a time, on its own route",
    "RecordCreditNoteRefund": "a refund is recorded against one regularisation credit note at a time, on its own route",
    "IssueRegularisation": "sent with the year's figures the projections computed at a position (application/regularisation.py)",
    "SettleTariffYear": "sent with the year's figures the projections computed at a position "
                        "(application/tariff_settlement.py)",
}


def topic_of(cls: type) -> str:
    """The topic a class is stored under (what eventsourcing.utils.get_topic gives)."""
    return f"{cls.__module__}:{cls.__qualname__}"


def event_type(cls: type[DomainEvent]) -> str:
    """The name the projections know an event class by (`events.event_type`)."""
    return topic_of(cls).partition(":")[2]


def defined_in(module: ModuleType, base: type) -> list[type]:
    """The subclasses of `base` that `module` defines (not those it imports)."""
    return [obj for obj in vars(module).values()
            if isinstance(obj, type) and issubclass(obj, base) and obj is not base
            and obj.__module__ == module.__name__]


def event_classes() -> tuple[type[DomainEvent], ...]:
    """Every event class of the domain, by topic."""
    classes = sorted({cls for module in MODULES for cls in defined_in(module, DomainEvent)}, key=topic_of)
    names = [event_type(cls) for cls in classes]
    twins = sorted({name for name in names if names.count(name) > 1})
    if twins:
        raise TypeError(f"two event classes share a name, which the projections cannot tell apart: {twins}")
    return tuple(classes)


def command_classes() -> tuple[type[Command], ...]:
    """Every command class of the domain, by topic."""
    return tuple(sorted({cls for module in MODULES for cls in defined_in(module, Command)}, key=topic_of))


def events_by_type() -> dict[str, type[DomainEvent]]:
    return {event_type(cls): cls for cls in event_classes()}
