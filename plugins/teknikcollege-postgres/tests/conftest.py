from __future__ import annotations

import os
import uuid
from collections.abc import Iterator

import pytest

DEFAULT = "postgresql://postgres@127.0.0.1:5432/test"
ENABLE = (
    "start a PostgreSQL server on 127.0.0.1:5432 (trust auth, database 'test') or set "
    "TEKNIKCOLLEGE_TEST_POSTGRES=postgresql://USER@HOST:PORT/DB to enable these tests"
)


def _server() -> str:
    url = os.environ.get("TEKNIKCOLLEGE_TEST_POSTGRES", DEFAULT)
    try:
        import psycopg

        psycopg.connect(url, connect_timeout=3).close()
    except Exception as error:
        pytest.skip(f"no PostgreSQL at {url} ({error.__class__.__name__}); {ENABLE}")
    return url


@pytest.fixture(scope="session")
def pg_server() -> str:
    return _server()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A URL with a fresh schema of its own, dropped afterwards."""
    from teknikcollege_postgres import PostgresStorage

    url = f"{pg_server}?schema=tc_test_{uuid.uuid4().hex[:12]}"
    yield url
    store = PostgresStorage(url)
    store.drop_schema()
    store.close()
