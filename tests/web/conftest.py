from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web.server import Server


@pytest.fixture
def server(db_url: str, tmp_path: Path) -> Iterator[Server]:
    """`linli run` on a fresh database of each backend, with the demo estate seeded."""
    s = Server(db_url, tmp_path, LINLI_DEMO="true")
    s.start()
    yield s
    s.stop()
