"""Shared fixtures: a real Mosquitto broker on a free loopback port, the demo site, databases.

Qt runs offscreen; a broker or database that cannot start fails the test with the reason, never skips it
silently (PostgreSQL is the one exception: it runs only when CONTROLROOM_TEST_DATABASE_URL is given).
"""

from __future__ import annotations

import inspect
import os
import weakref
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from integrations.storage import Store
from plant_maps.site import Site
from plant_maps.site_file import load_site
from tests.support import Broker, BrokerError, free_port, start_mosquitto, wait_until  # noqa: F401

REPO = Path(__file__).resolve().parent.parent
DEMO_SITE = REPO / "resources" / "plants" / "demo" / "site.toml"


@pytest.fixture(scope="session")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Broker]:
    """A private Mosquitto on a free loopback port for the whole test session."""
    try:
        b = start_mosquitto(tmp_path_factory.mktemp("mosquitto"))
    except BrokerError as exc:
        pytest.fail(str(exc))
    yield b
    b.stop()


@pytest.fixture(autouse=True)
def private_config_home(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    """Window layouts and other per-user settings go to a folder of the test's own, never the user's."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path_factory.mktemp("config")))


@pytest.fixture(autouse=True)
def stores_closed_after_the_test(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Every store a test opens (a console's, or one to read what it wrote) and still holds is closed when
    the test ends, so that a long run on PostgreSQL never holds more connections than the server allows
    (100 by default). Weakly held: a store the test dropped goes (and closes) as before."""
    opened: weakref.WeakSet[Store] = weakref.WeakSet()
    open_store = Store.__init__

    def remembering(self: Store, *args: object, **kwargs: object) -> None:
        open_store(self, *args, **kwargs)  # type: ignore[arg-type]
        opened.add(self)

    monkeypatch.setattr(Store, "__init__", remembering)
    yield
    for store in list(opened):
        store.close()


@pytest.fixture()
def store(database_url: str) -> Iterator[Store]:
    """The store of this test's database (SQLite, or PostgreSQL when a URL is given), closed after it."""
    s = Store(database_url)
    yield s
    s.close()


@pytest.fixture()
def site() -> Site:
    return load_site(DEMO_SITE)


E2E = REPO / "tests" / "e2e"


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    """Every test of the database runs on SQLite, and on PostgreSQL when CONTROLROOM_TEST_DATABASE_URL is set.

    An end-to-end test runs on both only when it reads the database itself (it asks for `database_url`):
    one that only drives the window gets the same window from either store, and running it twice would
    double the suite's longest part for nothing.
    """
    if "database_url" not in metafunc.fixturenames:
        return
    urls = ["sqlite"]
    if os.environ.get("CONTROLROOM_TEST_DATABASE_URL") and _reads_the_database(metafunc):
        urls.append("postgres")
    metafunc.parametrize("database_url", urls, indirect=True)


def _reads_the_database(metafunc: pytest.Metafunc) -> bool:
    if E2E not in Path(str(metafunc.definition.path)).parents:
        return True
    return "database_url" in inspect.signature(metafunc.function).parameters


@pytest.fixture()
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, empty database: a SQLite file, and PostgreSQL when CONTROLROOM_TEST_DATABASE_URL is set.

    For PostgreSQL every test gets its own schema so tests never see each other's rows.
    """
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'controlroom.db'}"
        return
    import sqlalchemy as sa

    base = os.environ["CONTROLROOM_TEST_DATABASE_URL"]
    schema = f"t_{os.getpid()}_{free_port()}"
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.execute(sa.text(f"CREATE SCHEMA {schema}"))
    sep = "&" if "?" in base else "?"
    yield f"{base}{sep}options=-csearch_path%3D{schema}"
    with engine.begin() as conn:
        conn.execute(sa.text(f"DROP SCHEMA {schema} CASCADE"))
    engine.dispose()
