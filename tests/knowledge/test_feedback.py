"""Feedback and declined questions on real SQLite: nothing identifies the
employee, personal data in question text is masked, and a failed use case
leaves nothing behind."""
import datetime as dt

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import event, inspect

import bot.all_models  # noqa: F401  (all tables on Base.metadata)
from bot.db import Base, DatabaseUnavailable, make_engine, make_session_factory, upgrade_schema
from bot.knowledge.feedback import FeedbackStore, UnansweredQuestionNotFound
from bot.knowledge.models import KNOWLEDGE_TABLES
from bot.knowledge.privacy import mask_personal_data

IDENTIFYING = ("sender", "conversation", "user", "employee", "name", "email", "phone", "session", "ip")


@pytest.fixture
def engine(tmp_path):
    url = f"sqlite:///{tmp_path / 'knowledge.db'}"
    upgrade_schema(url)
    engine = make_engine(url)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine) -> FeedbackStore:
    return FeedbackStore(make_session_factory(engine), today=lambda: dt.date(2026, 11, 23))


def test_upgrade_schema_creates_the_knowledge_tables(engine):
    assert set(KNOWLEDGE_TABLES) <= set(inspect(engine).get_table_names())


def test_the_knowledge_branch_downgrades_and_upgrades_cleanly(tmp_path):
    from alembic import command
    from alembic.config import Config

    from bot.settings import PROJECT_ROOT

    url = f"sqlite:///{tmp_path / 'down.db'}"
    upgrade_schema(url)
    config = Config(str(PROJECT_ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    command.downgrade(config, "knowledge@base")
    engine = make_engine(url)
    try:
        assert not set(KNOWLEDGE_TABLES) & set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    upgrade_schema(url)


def test_models_and_migrations_agree(engine):
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = [d for d in compare_metadata(context, Base.metadata) if "knowledge_" in repr(d)]
    assert differences == []


def test_the_tables_have_no_column_that_could_identify_the_employee(engine):
    for table in KNOWLEDGE_TABLES:
        columns = [c["name"] for c in inspect(engine).get_columns(table)]
        assert not [c for c in columns if any(word in c for word in IDENTIFYING)], (table, columns)
        assert not [c for c in columns if c.endswith("_at")], "only the day is kept, not the time"


def test_feedback_is_stored_with_slug_answer_and_masked_question(store):
    store.record_feedback("hvad-er-snusepraktik", True, "kontakt mig på anne.hansen@regionh.dk eller 22 33 44 55")
    store.record_feedback("hvad-er-snusepraktik", False)
    store.record_feedback("udvekslingsophold", False, "   ")
    entries = store.list_feedback()
    assert [(e.slug, e.helpful) for e in entries] == [
        ("udvekslingsophold", False), ("hvad-er-snusepraktik", False), ("hvad-er-snusepraktik", True)
    ]
    assert entries[2].question == "kontakt mig på [e-mail] eller [tlf]"
    assert entries[0].question is None
    assert all(e.created_on == dt.date(2026, 11, 23) for e in entries)
    assert [(s.slug, s.helpful, s.not_helpful) for s in store.feedback_summary()] == [
        ("hvad-er-snusepraktik", 1, 1), ("udvekslingsophold", 0, 1)
    ]
    assert [e.slug for e in store.list_feedback(slug="udvekslingsophold")] == ["udvekslingsophold"]


def test_declined_questions_are_kept_masked_and_truncated_for_the_counsellors(store):
    store.record_unanswered("mit cpr er 010190-1234, hvad er min pension?", best_guess="udveksling-loen")
    store.record_unanswered("x" * 2000)
    assert store.record_unanswered("   ") is False
    first, second = store.list_unanswered()[::-1]
    assert first.question == "mit cpr er [cpr], hvad er min pension?"
    assert first.best_guess == "udveksling-loen" and not first.handled
    assert len(second.question) == 500


def test_handled_questions_leave_the_list_unless_asked_for(store):
    store.record_unanswered("hvor kan jeg parkere?")
    entry = store.list_unanswered()[0]
    store.mark_handled(entry.id)
    assert store.list_unanswered() == []
    assert [e.handled for e in store.list_unanswered(include_handled=True)] == [True]
    with pytest.raises(UnansweredQuestionNotFound):
        store.mark_handled(9999)


def test_a_failed_commit_stores_nothing(store, engine):
    session_factory = make_session_factory(engine)
    failing = FeedbackStore(session_factory)

    @event.listens_for(session_factory, "before_commit")
    def explode(session):
        raise RuntimeError("disk full")

    with pytest.raises(RuntimeError):
        failing.record_unanswered("hvad er min pension?")
    with pytest.raises(RuntimeError):
        failing.record_feedback("hvad-er-snusepraktik", True)
    assert store.list_unanswered() == [] and store.list_feedback() == []


def test_an_unreachable_database_raises_database_unavailable(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path}/missing/dir/../../nope/x.db")
    try:
        with pytest.raises(DatabaseUnavailable):
            FeedbackStore(make_session_factory(engine)).list_unanswered()
    finally:
        engine.dispose()


@pytest.mark.parametrize(
    "text, expected",
    [
        ("skriv til jens@rh.dk", "skriv til [e-mail]"),
        ("ring +45 12 34 56 78 i dag", "ring [tlf] i dag"),
        ("mit nummer er 12345678", "mit nummer er [tlf]"),
        ("cpr 0101901234", "cpr [cpr]"),
        ("budget 2025-2028 og 2 uger", "budget 2025-2028 og 2 uger"),
        ("medarbejdernr 1234 5678 9012", "medarbejdernr [nummer]"),
    ],
)
def test_personal_data_is_masked(text, expected):
    assert mask_personal_data(text) == expected


def test_on_postgresql_the_schema_matches_and_feedback_works(postgres_url):
    from tests.postgres import create_database

    url = create_database(postgres_url, "knowledge_schema")
    upgrade_schema(url)
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            differences = [d for d in compare_metadata(context, Base.metadata) if "knowledge_" in repr(d)]
        assert differences == []
        store = FeedbackStore(make_session_factory(engine))
        store.record_feedback("hvad-er-snusepraktik", False, "ring 22 33 44 55")
        store.record_unanswered("hvad er min pension?", best_guess=None)
        assert store.list_feedback()[0].question == "ring [tlf]"
        assert [(s.helpful, s.not_helpful) for s in store.feedback_summary()] == [(0, 1)]
        assert store.list_unanswered()[0].question == "hvad er min pension?"
    finally:
        engine.dispose()
