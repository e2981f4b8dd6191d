"""Under CI=true a missing PostgreSQL or Chromium fails its tests; elsewhere they skip."""

from pathlib import Path

import pytest

from tests.conftest import reach_postgres, require_chromium

NOWHERE = "postgresql+psycopg://postgres@127.0.0.1:9/none"


@pytest.mark.parametrize("ci", ["true", "TRUE"])
def test_under_ci_a_missing_postgresql_fails_instead_of_skipping(monkeypatch, ci):
    monkeypatch.setenv("CI", ci)
    with pytest.raises(pytest.fail.Exception, match="CI=true and no PostgreSQL server"):
        reach_postgres(NOWHERE)


def test_under_ci_a_missing_chromium_fails_instead_of_skipping(monkeypatch, tmp_path):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="Chromium is not installed"):
        require_chromium(tmp_path / "chromium")


def test_outside_ci_both_skip_with_the_reason(monkeypatch, tmp_path):
    monkeypatch.delenv("CI", raising=False)
    with pytest.raises(pytest.skip.Exception, match="no PostgreSQL server reachable"):
        reach_postgres(NOWHERE)
    with pytest.raises(pytest.skip.Exception, match="Chromium"):
        require_chromium(tmp_path / "chromium")


def test_the_tests_that_need_postgresql_carry_the_postgres_marker(request):
    root = Path(__file__).parent
    users = [p for p in root.rglob("test_*.py") if "pg_url" in p.read_text(encoding="utf-8")]
    assert len(users) >= 5  # the collection hook marks each of their pg_url tests
    for item in request.session.items:
        params = item.callspec.params.values() if hasattr(item, "callspec") else ()
        if "pg_url" in item.fixturenames or "postgresql" in params:
            assert item.get_closest_marker("postgres"), item.nodeid
