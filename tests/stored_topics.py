"""Every topic the ledger has ever stored, kept by the tests: stored events keep their topic
forever, and tests/unit/test_catalogue.py checks that each still resolves to a class of the
catalogue, under its own name or through domain/catalogue.py FORMER_TOPICS (a renamed class
without its alias fails there). Never remove one; a new event class adds its topic here."""

STORED_TOPICS: tuple[str, ...] = (
    "domain.access:TokenIssued",
    "domain.access:TokenRevoked",
    "domain.closing:PeriodClosed",
    "domain.disputes:CreditGranted",
    "domain.disputes:DisputeCommented",
    "domain.disputes:DisputeOpened",
    "domain.disputes:DisputeResolved",
    "domain.events:AllocationKeySet",
    "domain.events:BookingCancelled",
    "domain.events:CommandReceived",
    "domain.events:CostRecorded",
    "domain.events:EntryCorrected",
    "domain.events:EntryVoided",
    "domain.events:EquipmentUsed",
    "domain.events:PartnerJoined",
    "domain.events:PartnerLeft",
    "domain.events:PartnerRejoined",
    "domain.events:ResourceRegistered",
    "domain.events:ResourceRetired",
    "domain.events:SlotBooked",
    "domain.events:StaffHoursLogged",
    "domain.hour_sheets:HourSheetContested",
    "domain.hour_sheets:HourSheetCountersigned",
    "domain.hour_sheets:HourSheetSubmitted",
    "domain.people:InvitationAccepted",
    "domain.people:PersonInvited",
    "domain.people:PersonRevoked",
    "domain.people:SessionClosed",
    "domain.people:SessionOpened",
)
