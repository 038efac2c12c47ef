"""Pseudonymising the analysts' copy of the projections, table by table, on its way in.

What could name or identify a person, and what the copy holds instead:

* employees (resources of kind `staff`): their ids and names become `employee-<n>`
  (numbered by registration, stable across snapshots) in every column and payload, and so
  do the entry ids their containers give (`anne:2026-W10:3` → `employee-1:2026-W10:3`);
* who recorded each event (`actor`: a person's login, a token's label): `actor-<n>`, numbered
  by first event;
* aggregate ids (uuid5 of natural keys such as an employee's id, so a guessed name would
  confirm them): renumbered, `00000000-0000-4000-8000-<n in hex>`;
* hashes over stored bytes or over lines naming employees (`events.chain_hash`,
  `periods.chain_hash`, `periods.statements_sha256`, receipts' body digests, hour sheets'
  `entries_sha256`): NULL, or removed from the payload;
* the lines of GE invoices in the payload of `InvoiceIssued` (they name employees): removed;
  the `invoice_lines` table holds them with the pseudonym for id and name;
* free text (document references, reasons, comments, attachment references, token labels,
  idempotency keys, the GE's creditors and references of its debts and notifications) and
  the names of who countersigned hour sheets: NULL, or removed from the payload;
* short texts kept for analysis (partners' names and kinds, other resources' names, cost
  categories, job titles): kept, with any employee's name, id or part of either (3 letters or more,
  any case) replaced by that employee's pseudonym.

Every table of the source must be listed here, masked or copied as is; a new table stops
publishing until it is.
"""

from __future__ import annotations

import re

import duckdb

from projections.queries import named

SQL = "pseudonymise.sql"
MASKED = ("events", "partners", "resource_versions", "allocation_keys", "usage_versions", "cost_versions",
          "cost_shares", "periods", "adjustments", "disputes", "credits", "hour_sheets", "hour_sheet_versions",
          "contract_terms", "ge_debts", "register_notifications", "member_funds", "invoice_lines",
          "invoice_payments", "credit_note_refunds", "tariff_settlements")
# Tables holding nothing that names anyone: positions, dates, partner ids, numbers. A GE's
# rate cards, its profile, its members' files and its invoice register name legal persons
# (the GE and its members), never an employee.
AS_IS = ("tracking", "membership_versions", "statement_numbers", "dispute_events", "rate_cards", "group_profiles",
         "member_details", "cost_bases", "invoices")


def _ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def mask_label(text: str, staff: list[tuple[str, str, str]]) -> str:
    """`text` with every mention of an employee (name, id, or a part of either of 3 letters or
    more, in any case) replaced by the employee's pseudonym; `staff` is (id, alias, name)."""
    needles: dict[str, str] = {}
    for resource_id, alias, name in staff:
        for needle in (name, resource_id, *re.split(r"\W+|_", f"{name} {resource_id}")):
            if len(needle) >= 3:
                needles.setdefault(needle.casefold(), alias)
    for needle in sorted(needles, key=len, reverse=True):
        text = re.sub(re.escape(needle), needles[needle], text, flags=re.IGNORECASE)
    return text


def copy_tables(conn: duckdb.DuckDBPyConnection, source: str, target: str, tables: list[str]) -> None:
    """Within the caller's transaction, with the schema already copied: every table's rows,
    pseudonymised. The maps and macros are temporary objects of `conn` (one cursor)."""
    unknown = sorted(set(tables) - set(MASKED) - set(AS_IS))
    if unknown:
        raise RuntimeError(f"tables not classified for the analysts' snapshot: {unknown} "
                           f"(projections/pseudonymise.py)")
    queries = {name: sql.replace("{src}", _ident(source)).replace("{dst}", _ident(target))
               for name, sql in named(SQL).items()}
    staff = conn.execute(queries["staff_aliases"]).fetchall()
    actors = conn.execute(queries["actor_aliases"]).fetchall()
    labels = {}
    for (label,) in conn.execute(queries["labels"]).fetchall():
        masked = mask_label(label, staff)
        if masked != label:
            labels[label] = masked
    conn.execute(queries["set_staff"], [[r for r, _, _ in staff], [a for _, a, _ in staff]])
    conn.execute(queries["set_actors"], [[actor for actor, _ in actors], [alias for _, alias in actors]])
    conn.execute(queries["set_labels"], [list(labels), list(labels.values())])
    conn.execute(queries["macros"])
    conn.execute(queries["dropped_columns"])
    for table in tables:
        if table in MASKED:
            conn.execute(queries[table])
        else:
            conn.execute(f"INSERT INTO {_ident(target)}.main.{_ident(table)} "
                         f"SELECT * FROM {_ident(source)}.main.{_ident(table)}")
