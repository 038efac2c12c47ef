"""The analyst's page on the demo pool (real stores, the real sandbox): its result against
POST /sql's for the same query, its refusals in French, its CSV and Parquet downloads, its
chart, its schema and examples."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

from api.pages.schema_doc import documented_tables
from application.tokens import issue_token, token_keys
from bootstrap import bootstrap
from projections.examples import analyst_examples
from tests.html_tables import table, text_of
from tests.page_fixtures import DEMO_PEOPLE, demo_client, demo_store, sign_in

NUMBER = re.compile(r"^(U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|DOUBLE|FLOAT|REAL|DECIMAL.*)$")
RUNAWAY = "SELECT count(*) FROM range(100000000000) a, range(1000) b"


@dataclass
class Site:
    client: TestClient
    token: str

    def caught_up(self) -> None:
        """The projections hold the whole log (signing in records events), so both routes read one snapshot."""
        services = self.client.app.state.services
        assert services.follower.wait_for(services.ledger.recorder.max_notification_id() or 0, 10)

    def sql(self, query: str, accept: str = "application/json"):
        return self.client.post("/sql", json={"sql": query},
                                headers={"Authorization": f"Bearer {self.token}", "Accept": accept})


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory):
    settings = demo_store(Path(tmp_path_factory.mktemp("analysis-pages")))
    # A short time limit, so that the runaway query is stopped quickly (the same for both routes).
    settings = settings.model_copy(update={"sql_timeout_s": 3.0})
    with bootstrap(settings) as ledger:
        token = issue_token(ledger, "analyst", label="pages d'analyse", keys=token_keys(settings))
    with demo_client(settings) as client:
        assert sign_in(client, DEMO_PEOPLE["analyst"][0]).status_code == 200
        yield Site(client, token)


def as_number(text: str) -> Decimal:
    """A number as the page writes it ('1 234,5') as a Decimal."""
    return Decimal(text.replace(" ", "").replace(",", "."))


def page_result(site: Site, query: str):
    site.caught_up()
    response = site.client.get("/analyse", params={"sql": query})
    assert response.status_code == 200, text_of(response.text)[:1500]
    return response, table(response.text, "Résultat de la requête")


@pytest.mark.parametrize("example", analyst_examples(), ids=lambda e: e.name)
def test_the_page_shows_what_post_sql_answers_for_the_same_query(site: Site, example):
    """Every saved example: the same columns, rows and values as POST /sql (numbers written in French)."""
    response, result = page_result(site, example.sql)
    api = site.sql(example.sql).json()
    assert [h.rsplit(" ", 1)[0] for h in result.head] == [c["name"] for c in api["columns"]]
    assert [h.rsplit(" ", 1)[1] for h in result.head] == [c["type"].replace(" ", "") for c in api["columns"]]
    rows = [] if api["rows"] == [] else result.rows
    assert len(rows) == api["row_count"]
    for shown, row in zip(rows, api["rows"]):
        for text, value, column in zip(shown, row, api["columns"]):
            if value is None:
                assert text == "NULL"
            elif NUMBER.match(column["type"]):
                assert as_number(text) == Decimal(str(value))
            else:
                assert text == str(value)
    assert f"{api['row_count']} ligne" in text_of(response.text) or api["row_count"] == 0
    assert f"position {api['position']} du journal" in text_of(response.text)


def test_a_result_with_a_label_and_a_number_is_drawn_as_bars_with_its_figures(site: Site):
    """Events by type: one bar a type, each with its count written beside it; a result with
    no number column has no chart."""
    query = next(e.sql for e in analyst_examples() if e.name == "events_by_type")
    response, result = page_result(site, query)
    svg = re.search(r"<svg role=\"img\".*?</svg>", response.text, re.S).group(0)
    assert svg.count("<rect") == len(result.rows)
    labels = re.findall(r'class="label">([^<]+)<', svg)
    values = re.findall(r'class="value">([^<]+)<', svg)
    assert list(zip(labels, [v.replace("\u202f", " ") for v in values])) == [(r[0], r[1]) for r in result.rows]
    assert 'aria-labelledby="chart-title chart-desc"' in svg
    names, _ = page_result(site, "SELECT partner_id, name FROM partners ORDER BY 1")
    assert "<svg" not in names.text


@pytest.mark.parametrize("query, status, reason", [
    (RUNAWAY, 408, "elle a dépassé le temps permis (3 s)"),
    ("SELECT * FROM read_csv('/etc/passwd')", 403, "elle cherche à lire des fichiers"),
    ("DELETE FROM events", 422, "une seule requête de lecture est acceptée"),
    ("SELECT nope FROM events", 422, "le moteur SQL ne peut pas l'exécuter"),
])
def test_a_runaway_or_forbidden_query_is_refused_in_french_as_post_sql_refuses_it(site: Site, query, status, reason):
    """The status of POST /sql, a French sentence naming « Requête SQL », the engine's message as code,
    the field marked invalid and the query kept in it."""
    api = site.sql(query)
    response = site.client.get("/analyse", params={"sql": query})
    assert response.status_code == api.status_code == status
    text = text_of(response.text)
    assert f"« Requête SQL » : la requête a été refusée : {reason}" in text
    assert text_of(api.json()["detail"]) in text
    assert re.search(r'<textarea id="sql"[^>]*aria-invalid="true"', response.text)
    assert "Résultat de la requête" not in text


def test_a_query_too_long_for_a_link_is_refused_naming_the_field(site: Site):
    response = site.client.get("/analyse", params={"sql": "SELECT " + "1 + " * 1200 + "1"})
    assert response.status_code == 422
    assert "« Requête SQL » : la requête dépasse 4 000 caractères" in text_of(response.text)


def test_the_csv_download_is_the_result_as_post_sql_writes_it(site: Site):
    """The link's CSV parses, and is byte for byte POST /sql's CSV of the same query."""
    query = analyst_examples()[0].sql
    response, _ = page_result(site, query)
    link = re.search(r'href="(/analyse/resultat\.csv\?[^"]+)"', response.text).group(1).replace("&amp;", "&")
    download = site.client.get(link)
    assert download.status_code == 200 and download.headers["content-type"].startswith("text/csv")
    assert "attachment" in download.headers["content-disposition"]
    api = site.sql(query, accept="text/csv")
    assert download.content == api.content
    rows = list(csv.reader(io.StringIO(download.text)))
    answer = site.sql(query).json()
    assert rows[0] == [c["name"] for c in answer["columns"]]
    assert [[Decimal(v) if i == 2 else v for i, v in enumerate(r)] for r in rows[1:]] == [
        [Decimal(v) if i == 2 else v for i, v in enumerate(r)] for r in answer["rows"]]


def test_the_parquet_download_is_a_real_parquet_file_of_the_result(site: Site):
    """The link's Parquet file reads back with pyarrow: the same table as POST /sql's Parquet."""
    query = next(e.sql for e in analyst_examples() if e.name == "statements_by_partner")
    response, result = page_result(site, query)
    link = re.search(r'href="(/analyse/resultat\.parquet\?[^"]+)"', response.text).group(1).replace("&amp;", "&")
    download = site.client.get(link)
    assert download.status_code == 200 and download.headers["content-type"] == "application/vnd.apache.parquet"
    mine = pq.read_table(io.BytesIO(download.content))
    theirs = pq.read_table(io.BytesIO(site.sql(query, accept="application/vnd.apache.parquet").content))
    assert mine.equals(theirs) and mine.num_rows == len(result.rows) > 0
    assert mine.column_names == ["partner", "total_eur"]
    assert [as_number(r[1]) for r in result.rows] == mine.column("total_eur").to_pylist()


def test_a_refused_download_is_a_french_page(site: Site):
    response = site.client.get("/analyse/resultat.parquet", params={"sql": "DELETE FROM events"})
    assert response.status_code == 422 and "« Requête SQL »" in text_of(response.text)


def test_the_schema_and_the_examples_stand_beside_the_query(site: Site):
    """Every table of docs/schema.md with its columns, and every saved example as a link that runs it;
    POST /sql's documented example is the first saved one."""
    html = site.client.get("/analyse").text
    text = text_of(html)
    tables = documented_tables()
    assert len(tables) > 10
    for documented in tables:
        assert f'id="{documented.anchor}"' in html
        assert all(f"<code>{column.name}</code>" in html for column in documented.columns)
    for example in analyst_examples():
        assert example.title in text
    schema = site.client.get("/openapi.json").json()["components"]["schemas"]["SqlQuery"]
    assert schema["examples"][0]["sql"] == analyst_examples()[0].sql


def test_other_roles_and_visitors(site: Site):
    """A partner gets 403 on the page and its downloads; a visitor is sent to sign in."""
    site.client.cookies.clear()
    try:
        assert site.client.get("/analyse", follow_redirects=False).status_code == 303
        assert sign_in(site.client, DEMO_PEOPLE["partner"][0]).history[0].status_code == 303
        for path in ("/analyse", "/analyse/resultat.csv", "/analyse/resultat.parquet"):
            response = site.client.get(path, params={"sql": "SELECT 1"})
            assert response.status_code == 403
            assert "Cette page n'est pas accessible avec votre rôle." in text_of(response.text)
    finally:
        site.client.cookies.clear()
        sign_in(site.client, DEMO_PEOPLE["analyst"][0])
