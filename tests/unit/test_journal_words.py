"""Events in French words for the auditor's journal (api/pages/journal_words.py): every
event type has its name, and the sentences never show a digest, a MAC or a password hash."""

from __future__ import annotations

from api.pages.journal_words import EVENT_TYPES_FR, Names, actor_fr, summary
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
                   NAMES) == "Copieur réservé(e) pour Club B le 2 mars 2026 de 9 h 30 à 11 h 00."
    assert summary("StaffHoursLogged", {"employee_id": "anne", "partner_id": "club-b", "work_date": "2026-03-02",
                                        "hours": "3.5"}, NAMES) == "3,5 h de Anne Martin pour Club B le 2 mars 2026."
    assert summary("EntryCorrected", {"entry_id": "copieur:2026-03:1", "amount_cents": 123456,
                                      "reason": "avoir"}, NAMES) == (
        "Copieur, mars 2026, écriture n° 1 : montant porté à 1\u202f234,56\u00a0€ ; motif : « avoir ».")
    assert "0,04 € l'unité" in summary("AllocationKeySet", {"resource_id": "copieur", "key_version": 2,
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
