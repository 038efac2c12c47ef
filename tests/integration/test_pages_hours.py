"""The coordinator's hours form on the demo pool (real SQLite and DuckDB files): timed
staff hours recorded, and each working-time refusal shown in French, naming the employee,
the days and the figures, with nothing stored."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Iterator

import pytest

from domain.commands import LogStaffHours
from tests.integration.test_pages_coordination import COORDINATOR, Site, text_of
from tests.page_fixtures import demo_client, demo_store, sign_in

EMPLOYEE, MEMBER, OTHER = "assistante-paie", "maison-des-associations", "us-haut-val"
NAME = "Sophie Garnier, assistante administrative et paie (35 h)"


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Iterator[Site]:
    settings = demo_store(tmp_path_factory.mktemp("hours"), months=1)
    with demo_client(settings) as client:
        sign_in(client, COORDINATOR)
        yield Site(client, {})


def post(site: Site, day: str, start: str, end: str, partner: str = MEMBER):
    return site.post("/coordination/heures", {"employee_id": EMPLOYEE, "partner_id": partner, "day": day,
                                              "start": start, "end": end})


def refused(site: Site, day: str, start: str, end: str, partner: str = MEMBER) -> str:
    """The form's French refusal, once it is checked that nothing was stored."""
    before = site.log_end()
    response = post(site, day, start, end, partner)
    assert response.status_code == 409, response.text
    assert site.log_end() == before
    return text_of(response)


def test_timed_hours_are_recorded_from_the_form(site: Site) -> None:
    """08:30-12:00 is recorded as 3.5 h with its times; the page says so in French."""
    response = post(site, "2026-05-04", "08:30", "12:00")
    assert response.status_code == 200
    assert "Heures enregistrées : le 4 mai 2026, de 8 h 30 à 12 h 00 (3,5 h)" in text_of(response)


def test_a_missing_break_is_refused_in_french(site: Site) -> None:
    """08:00-12:00 then 12:10-14:30: « sans pause », the hours and the article."""
    post(site, "2026-06-01", "08:00", "12:00")
    said = refused(site, "2026-06-01", "12:10", "14:30", partner=OTHER)
    assert (f"« Heure de début » : {NAME} travaillerait 6 h 20 sans pause le 1er juin 2026, de 8 h 00 à 14 h 30 ; "
            f"dès 6 h de travail, une pause d'au moins 20 minutes consécutives est due (art. L3121-16).") in said


def test_too_short_a_rest_is_refused_in_french(site: Site) -> None:
    """Sunday until 22:00, Monday from 07:00: 9 h of rest across the week boundary."""
    post(site, "2026-06-14", "16:00", "22:00")
    said = refused(site, "2026-06-15", "07:00", "12:00")
    assert (f"{NAME} n'aurait que 9 h 00 de repos entre la fin de son travail le 14 juin 2026 à 22 h 00 et sa "
            f"reprise le 15 juin 2026 à 7 h 00 ; le repos quotidien est d'au moins 11 heures consécutives "
            f"(art. L3131-1).") in said


def test_an_overlap_is_refused_in_french(site: Site) -> None:
    """11:00-13:00 while 08:00-12:00 is logged for another member."""
    post(site, "2026-06-22", "08:00", "12:00")
    said = refused(site, "2026-06-22", "11:00", "13:00", partner=OTHER)
    assert f"le 22 juin 2026, {NAME} est déjà saisi de 8 h 00 à 12 h 00 (pour « {MEMBER} »" in said
    assert "de 11 h 00 à 13 h 00, les deux saisies se chevauchent." in said


def test_more_than_ten_hours_a_day_are_refused_in_french(site: Site) -> None:
    """4 h, 5 h and then 1 h 30 on one day: 10,50 h."""
    for start, end in (("07:00", "11:00"), ("11:30", "16:30")):
        post(site, "2026-07-01", start, end)
    said = refused(site, "2026-07-01", "17:00", "18:30")
    assert (f"{NAME} travaillerait 10,50 h le 1er juillet 2026, au-delà de la durée quotidienne de 10 h "
            f"(Code du travail, art. L3121-18) : 9,00 h sont déjà saisies ce jour-là, et 1,50 h de plus.") in said


def test_more_than_48_hours_a_week_are_refused_in_french(site: Site) -> None:
    """Five days of 9 h and a Saturday morning of 4 h: 49 h in the week of 6 July."""
    for d in range(6, 11):
        post(site, f"2026-07-{d:02d}", "08:00", "12:00")
        post(site, f"2026-07-{d:02d}", "12:30", "17:30")
    said = refused(site, "2026-07-11", "08:00", "12:00")
    assert (f"{NAME} travaillerait 49,00 h la semaine du 6 juillet 2026 au 12 juillet 2026, au-delà de 48 h par "
            f"semaine (art. L3121-20)") in said


def test_the_twelve_week_average_is_refused_in_french(site: Site) -> None:
    """Eleven weeks of 48 h from 7 September 2026: the Monday after is refused, naming the 12 weeks."""
    monday = date(2026, 9, 7)
    commands = [LogStaffHours(employee_id=EMPLOYEE, partner_id=MEMBER, work_date=monday + timedelta(weeks=w, days=d),
                              hours=10 if d < 4 else 8) for w in range(11) for d in range(5)]
    site.client.app.state.services.ledger.execute_batch(commands, actor="coordination")
    said = refused(site, "2026-11-23", "08:00", "09:00")
    assert (f"{NAME} travaillerait 529,00 h sur les 12 semaines du 7 septembre 2026 au 29 novembre 2026, au-delà "
            f"de 44 h par semaine en moyenne sur 12 semaines consécutives, soit 528 h (art. L3121-22) : 528,00 h "
            f"sont déjà saisies sur ces semaines, et 1,00 h de plus.") in said


def test_a_time_that_is_not_one_is_refused_before_the_ledger(site: Site) -> None:
    """« 25:00 » is not a time: 422, the field named."""
    before = site.log_end()
    response = post(site, "2026-05-05", "08:00", "25:00")
    assert response.status_code == 422
    assert "« Heure de fin » : écrivez une heure comme 08:30." in text_of(response)
    assert site.log_end() == before


def test_hours_for_a_partner_that_is_not_a_member_that_day_are_refused_in_french(site: Site) -> None:
    """Before the demo's members joined (2025): « Membre », the partner and the day."""
    said = refused(site, "2025-12-15", "08:00", "12:00")
    assert f"« Membre » : « {MEMBER} » n'est pas membre ce jour-là (2025-12-15)" in said
