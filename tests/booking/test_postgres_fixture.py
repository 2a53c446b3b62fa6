"""The PostgreSQL test server: skipped locally without binaries, a failure on CI."""
import pytest

from tests import postgres


def test_missing_postgres_skips_locally_but_fails_on_ci(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="apt-get install -y postgresql"):
        postgres._unavailable(f"no binaries; {postgres.INSTALL_HINT}")
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="required on CI"):
        postgres._unavailable("no binaries")


def test_missing_binaries_are_reported_with_the_install_hint(monkeypatch):
    monkeypatch.setattr(postgres, "find_server_binaries", lambda: None)
    with pytest.raises(postgres.PostgresUnavailable, match="apt-get install -y postgresql"):
        postgres.TemporaryPostgres()


def test_the_fixture_gives_a_working_database(postgres_url):
    from sqlalchemy import create_engine, text

    engine = create_engine(postgres_url, future=True)
    try:
        with engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar() == 1
    finally:
        engine.dispose()
