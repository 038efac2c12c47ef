"""The message catalogue ties every event and command to what it needs: a fold in the
projections (or an explicit "not projected"), a command that records it, a handler, a
stored topic that still resolves. When one is missing, the failure says what to add, where.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path
from typing import get_args

from eventsourcing.utils import TopicError, resolve_topic

import event_store.mapper  # noqa: F401  (registers the former topics)
from domain import catalogue
from domain.commands import AnyCommand, Command
from domain.events import DomainEvent
from application.handlers import handlers
from domain.timesheets import WorkingTimeLimits
from projections import folds
from projections.queries import named
from tests import stored_topics

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = handlers(WorkingTimeLimits(), lambda: 0)
# Where each step of a new event or command goes.
FOLD_FILE = "projections/sql/apply_page.sql"
NOT_PROJECTED_HOME = "projections/folds.py NOT_PROJECTED"
HANDLERS_HOME = "application/handlers.py handlers()"
PERMISSION_HOME = "application/permissions.py COMMAND_RULES"
TOPICS_HOME = "tests/stored_topics.py STORED_TOPICS"
CATALOGUE = "domain/catalogue.py"
SCHEMA_DOC = ROOT / "docs" / "schema.md"


def event_steps(cls: type[DomainEvent]) -> list[str]:
    """What an event class still lacks, each step as an instruction."""
    name, topic = catalogue.event_type(cls), catalogue.topic_of(cls)
    steps = []
    folded = folds.folded().get(name)
    if not folded and name not in folds.NOT_PROJECTED:
        steps.append(f"add a fold in {FOLD_FILE} (a statement marked `-- folds page: {name}`, or "
                     f"`-- folds each: {name}` and its fields in select_each) or declare it in "
                     f"{NOT_PROJECTED_HOME} with the reason")
    if folded and name in folds.NOT_PROJECTED:
        steps.append(f"it is folded by {', '.join(folded)} and declared in {NOT_PROJECTED_HOME}: drop one")
    recorders = [c.__name__ for c in catalogue.command_classes() if cls in c.records]
    if not recorders and name not in catalogue.RECORDED_WITHOUT_COMMAND:
        steps.append(f"add the command that records it (a Command with `records = ({name},)`, in "
                     f"domain/commands.py or beside its aggregate), add its handler in {HANDLERS_HOME}, "
                     f"add its permission rule in {PERMISSION_HOME}")
    if recorders and name in catalogue.RECORDED_WITHOUT_COMMAND:
        steps.append(f"{', '.join(recorders)} records it: drop it from {CATALOGUE} RECORDED_WITHOUT_COMMAND")
    if topic not in stored_topics.STORED_TOPICS:
        steps.append(f"add its topic {topic!r} to {TOPICS_HOME}")
    if f"`{name}`" not in SCHEMA_DOC.read_text():
        steps.append(f"document it in docs/schema.md (the `event_type` column of `events`, and the "
                     "table its fold fills)")
    return steps


def command_steps(cls: type[Command]) -> list[str]:
    steps = []
    if cls not in HANDLERS:
        steps.append(f"add a handler in {HANDLERS_HOME}")
    if not cls.records:
        steps.append(f"name the events its handler records: `records = (…,)` on {cls.__name__}")
    batchable = cls in get_args(get_args(AnyCommand)[0])
    if not batchable and cls.__name__ not in catalogue.NOT_BATCHABLE:
        steps.append(f"add it to AnyCommand in domain/commands.py (batches and imports carry it), or to "
                     f"{CATALOGUE} NOT_BATCHABLE with the reason")
    if batchable and cls.__name__ in catalogue.NOT_BATCHABLE:
        steps.append(f"it is in AnyCommand and in {CATALOGUE} NOT_BATCHABLE: drop one")
    unknown = [e.__name__ for e in cls.records if e not in catalogue.event_classes()]
    if unknown:
        steps.append(f"it records {unknown}, which are not events of {CATALOGUE} MODULES")
    return steps


def report(lines: list[str]) -> str:
    return "\n" + "\n".join(lines)


def test_every_event_type_is_folded_recorded_by_a_command_and_its_topic_kept() -> None:
    """Each event class has its fold (or is declared not projected), a command that records it
    (or what records it instead) and its topic among the stored ones; else each missing step."""
    missing = [f"event {catalogue.event_type(cls)}:" + "".join(f"\n  - {step}" for step in steps)
               for cls in catalogue.event_classes() if (steps := event_steps(cls))]
    assert not missing, report(missing)


def test_every_command_has_a_handler_and_names_the_events_it_records() -> None:
    """Each command class is in the handler map and names what its handler records."""
    missing = [f"command {cls.__name__}:" + "".join(f"\n  - {step}" for step in steps)
               for cls in catalogue.command_classes() if (steps := command_steps(cls))]
    stray = [f"handler for {cls.__name__}, which is not a command of {CATALOGUE} MODULES"
             for cls in HANDLERS if cls not in catalogue.command_classes()]
    assert not missing + stray, report(missing + stray)


def test_every_topic_ever_stored_resolves_to_a_catalogue_class() -> None:
    """A renamed or moved class without its old topic in FORMER_TOPICS fails here, by topic."""
    classes = set(catalogue.event_classes())
    lost = []
    for topic in stored_topics.STORED_TOPICS:
        try:
            found = resolve_topic(topic)
        except TopicError:
            found = None
        if found not in classes:
            lost.append(f"topic {topic} is in stored events and resolves to no event class: register "
                        f"the class it became in {CATALOGUE} FORMER_TOPICS ({topic!r}: TheClass)")
    assert not lost, report(lost)


def test_a_renamed_class_without_its_alias_is_named_by_the_topic_check(monkeypatch) -> None:
    """The topic check does fail on a stored topic no class answers to (a rename)."""
    monkeypatch.setattr(stored_topics, "STORED_TOPICS", (*stored_topics.STORED_TOPICS, "domain.events:CostBooked"))
    try:
        test_every_topic_ever_stored_resolves_to_a_catalogue_class()
    except AssertionError as failure:
        assert "topic domain.events:CostBooked is in stored events" in str(failure)
    else:
        raise AssertionError("the topic check passed over a topic no class answers to")


def test_the_catalogue_finds_every_module_that_defines_messages() -> None:
    """A module of domain/ that defines an event or command class is one of the catalogue's MODULES."""
    listed = {module.__name__ for module in catalogue.MODULES}
    defining = set()
    for path in sorted((ROOT / "domain").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ClassDef) and any(
                    isinstance(base, ast.Name) and base.id in {"DomainEvent", "Command"} for base in node.bases):
                defining.add(f"domain.{path.stem}")
    assert defining - listed == set(), f"add these modules to {CATALOGUE} MODULES: {sorted(defining - listed)}"


def test_fold_markers_name_catalogue_events_and_page_folds_filter_on_exactly_them() -> None:
    """A `folds page` statement reads exactly the event types it declares; no marker, no
    NOT_PROJECTED or RECORDED_WITHOUT_COMMAND entry names a class that is gone."""
    known = set(catalogue.events_by_type())
    sql = named(folds.SQL)
    problems = []
    for fold in folds.folds():
        if fold.kind == "continues":
            if fold.event_types[0] not in folds.page_steps()[:folds.page_steps().index(fold.statement)]:
                problems.append(f"{fold.statement} continues {fold.event_types[0]}, which is not a page "
                                "statement before it")
            continue
        for name in set(fold.event_types) - known:
            problems.append(f"{fold.statement} folds {name!r}, which no event class is named "
                            f"(renamed? the SQL keeps the class's name)")
        named_in_sql = set(re.findall(r"'(\w+)'", sql[fold.statement])) & known
        if fold.kind == "folds page" and named_in_sql != set(fold.event_types):
            problems.append(f"{fold.statement} declares {sorted(fold.event_types)} but its SQL reads "
                            f"{sorted(named_in_sql)}")
    selected = set(re.findall(r"'(\w+)'", sql["select_each"])) & known
    if selected != set(folds.each_steps()):
        problems.append(f"select_each reads {sorted(selected)}, the `folds each` statements take "
                        f"{sorted(folds.each_steps())}")
    for name in (set(folds.NOT_PROJECTED) | set(catalogue.RECORDED_WITHOUT_COMMAND)) - known:
        problems.append(f"{name} is declared but no event class is named so")
    assert not problems, report(problems)


def test_every_marked_statement_is_run_by_the_runner_in_file_order() -> None:
    """The runner's statements are the marked ones of apply_page.sql, page ones in file order."""
    statements = list(named(folds.SQL))
    marked = [f.statement for f in folds.folds()]
    assert list(folds.page_steps()) == [s for s in statements if s in marked and s not in
                                        {n for steps in folds.each_steps().values() for n in steps}]
    assert {"insert_partners", "stage_changes", "insert_changed_costs", "insert_credits"} <= set(folds.page_steps())
    assert folds.each_steps()["PartnerLeft"] == ("close_membership", "end_open_membership_version")


def test_a_page_runs_only_the_statements_of_the_event_types_it_holds() -> None:
    """A page of staff hours alone runs the usage statement only; a void brings its staging and
    every statement that continues it, in file order."""
    assert folds.page_steps_for(frozenset({"StaffHoursLogged"})) == ("insert_usage",)
    assert folds.page_steps_for(frozenset({"StaffHoursLogged", "EntryVoided"})) == (
        "insert_usage", "stage_changes", "fold_usage_changes", "close_changed_usage", "insert_changed_usage",
        "fold_cost_changes", "close_changed_costs", "insert_changed_costs")
    assert folds.page_steps_for(frozenset({"PartnerLeft", "TokenIssued"})) == ()
