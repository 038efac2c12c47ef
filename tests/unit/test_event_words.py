"""Events in French words for every page that lists them (api/pages/event_words.py): every
event type has its name, and the sentences never show a digest, a MAC or a password hash."""

from __future__ import annotations

from api.pages.event_words import EVENT_GROUPS, EVENT_TYPES_FR, Names, actor_fr, label, summary
from domain.catalogue import events_by_type

NAMES = Names({"club-b": "Club B"}, {"copieur": "Copieur", "anne": "Anne Martin"}, {"p-1": "Inès Martin"})
SECRET = "f" * 64


def test_every_event_type_of_the_catalogue_has_a_french_name():
    """A new event type needs its words for the auditor's timeline and its filter."""
    assert sorted(set(events_by_type()) - set(EVENT_TYPES_FR)) == []


def test_the_people_events_read_as_words_without_their_secrets():
    """Invitation, connexion…: the person's name, never the digests or MACs of their payload."""
    invited = summary("PersonInvited", {"email": "ines@club.example", "name": "Inès Martin", "role": "partner",
                                        "partner_id": "club-b", "invitation_sha256": SECRET, "mac": SECRET,
                                        "expires_at": "2026-04-05T10:00:00Z"}, NAMES)
    assert invited == ("Inès Martin (ines@club.example) est invité(e), rôle partenaire de Club B ; lien valable "
                       "jusqu'au 5 avril 2026 à 12 h 00.")
    opened = summary("SessionOpened", {"session_sha256": SECRET, "person_id": "p-1", "mac": SECRET}, NAMES)
    assert opened == "Inès Martin se connecte."
    accepted = summary("InvitationAccepted", {"originator_id": "p-1", "invitation_sha256": SECRET,
                                              "password_hash": "$argon2id$" + SECRET}, NAMES)
    assert SECRET not in accepted and "Inès Martin" in accepted


def test_usage_and_money_in_french_formats():
    """Amounts in euros with a comma, days in words, Paris time, a tariff's unit price."""
    assert summary("SlotBooked", {"resource_id": "copieur", "partner_id": "club-b",
                                  "starts_at": "2026-03-02T08:30:00Z", "ends_at": "2026-03-02T10:00:00Z"},
                   NAMES) == "Copieur pour Club B, le 2 mars 2026, de 9 h 30 à 11 h 00."
    assert summary("StaffHoursLogged", {"employee_id": "anne", "partner_id": "club-b", "work_date": "2026-03-02",
                                        "hours": "3.5"}, NAMES) == "3,5 h de Anne Martin pour Club B le 2 mars 2026."
    assert summary("StaffHoursLogged", {"employee_id": "anne", "partner_id": "club-b", "work_date": "2026-03-02",
                                        "hours": "3.5", "starts_at": "2026-03-02T07:30:00Z",
                                        "ends_at": "2026-03-02T11:00:00Z"}, NAMES) == (
        "3,5 h de Anne Martin pour Club B le 2 mars 2026, de 8 h 30 à 12 h 00.")
    assert summary("EntryCorrected", {"entry_id": "copieur:2026-03:1", "amount_cents": 123456,
                                      "reason": "avoir"}, NAMES) == (
        "Copieur, mars 2026, écriture n° 1 : montant porté à 1\u202f234,56\u00a0€ ; motif : « avoir ».")
    assert "0,04\u00a0€ l'unité" in summary("AllocationKeySet", {"resource_id": "copieur", "key_version": 2,
                                                            "applies_from": "2026-03",
                                                            "key": {"method": "tariff", "unit_price_cents": "4"}},
                                       NAMES)


def test_an_unexpected_payload_still_reads_as_its_type():
    assert summary("CostRecorded", {"amount_cents": "not cents"}, NAMES) == "Coût enregistré."


def test_who_recorded_it():
    assert actor_fr("partner:club-b/tresorerie@club.example", NAMES) == "Club B (partenaire), tresorerie@club.example"
    assert actor_fr("coordinator/camille@pool.example", NAMES) == "Coordination, camille@pool.example"
    assert actor_fr("visitor", NAMES) == "Visiteur non connecté"
    assert actor_fr("coordinator@haut-val", NAMES) == "coordinator@haut-val"


def test_one_name_per_event_type_in_the_filter_groups():
    """The journal's filter and every page's rows name a type the same way, once."""
    kinds = [kind for _, group in EVENT_GROUPS for kind, _ in group]
    assert len(kinds) == len(set(kinds)) == len(EVENT_TYPES_FR)
    assert label("DisputeResolved", {"outcome": "accepted"}) == "Contestation acceptée"
    assert label("PartnerLeft", {}) == EVENT_TYPES_FR["PartnerLeft"] == "Départ d'un partenaire"


def test_a_key_reads_with_its_resources_unit_when_the_page_knows_it():
    key = {"resource_id": "copieur", "key_version": 2, "applies_from": "2026-03",
           "key": {"method": "tariff", "unit_price_cents": "4"}}
    with_units = Names(NAMES.partners, NAMES.resources, {}, {"copieur": "page"})
    assert summary("AllocationKeySet", key, with_units) == "Clé n° 2 de Copieur à partir de mars 2026 : 0,04\u00a0€ la page."


def test_a_disputes_own_page_does_not_repeat_which_dispute_it_is():
    comment = {"dispute_id": "club-b:2026-02:d1", "comment": "pièce jointe envoyée"}
    assert summary("DisputeCommented", comment, NAMES) == \
        "Contestation n° 1 de Club B (février 2026) : « pièce jointe envoyée »."
    assert summary("DisputeCommented", comment, NAMES, dispute_shown="club-b:2026-02:d1") == "« pièce jointe envoyée »."
    resolved = {"dispute_id": "club-b:2026-02:d1", "outcome": "accepted", "reason": "erreur de saisie"}
    assert summary("DisputeResolved", resolved, NAMES, dispute_shown="club-b:2026-02:d1") == \
        "Contestation acceptée : « erreur de saisie »."
