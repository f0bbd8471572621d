"""Observed values added by users, in their own SQLite file (default index/observations.sqlite).

Kept apart from plans.sqlite, which is rebuilt whenever the corpus changes: a rebuild never
touches this file. Every add is one transaction (all rows of a file or none); WAL and a busy
timeout let several writers take turns. A damaged file is reported, never replaced: it may hold
the only copy of what users entered."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timezone
from pathlib import Path

from assistant.models import Observation

BUSY_TIMEOUT_S = 30.0  # a writer waits this long for another's transaction before giving up
SCHEMA_VERSION = 1
SCHEMA = """
CREATE TABLE IF NOT EXISTS observations (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    region TEXT NOT NULL,
    indicator_key TEXT NOT NULL,
    year INTEGER NOT NULL,
    source TEXT NOT NULL,
    json TEXT NOT NULL,
    UNIQUE (region, indicator_key, year, source)
);
"""


class ObservationStoreError(RuntimeError):
    """The file cannot be read as an observations store; it is left as it is."""


class ObservationStore:
    def __init__(self, path: str | Path):
        self.path = Path(path)

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
            con.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            if con.execute("PRAGMA quick_check").fetchone()[0] != "ok":
                raise sqlite3.DatabaseError("quick_check failed")
            version = con.execute("PRAGMA user_version").fetchone()[0]
            if version not in (0, SCHEMA_VERSION):
                raise sqlite3.DatabaseError(f"schema version {version}, expected {SCHEMA_VERSION}")
            if version == 0:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(SCHEMA + f"PRAGMA user_version={SCHEMA_VERSION};")
        except sqlite3.DatabaseError as e:
            raise ObservationStoreError(
                f"{self.path} is not a readable observations store ({e}); it was left untouched — "
                "move it aside to start a new one") from e
        return con

    def add(self, rows: list[Observation]) -> tuple[int, int]:
        """Store rows in one transaction; (new, replaced). A row with the same region, indicator,
        year and source as a stored one replaces it: a corrected table is added again."""
        stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
        new = replaced = 0
        con = self._connect()
        try:
            con.execute("BEGIN IMMEDIATE")
            try:
                for o in rows:
                    o = o.model_copy(update={"added": stamp, "origin": "user"})
                    key = (o.region, o.indicator_key, o.year, o.source)
                    found = con.execute("SELECT 1 FROM observations WHERE region=? AND indicator_key=? AND year=? AND source=?",
                                        key).fetchone()
                    con.execute("INSERT INTO observations (region, indicator_key, year, source, json) VALUES (?, ?, ?, ?, ?) "
                                "ON CONFLICT (region, indicator_key, year, source) DO UPDATE SET json = excluded.json",
                                (*key, o.model_dump_json()))
                    replaced += found is not None
                    new += found is None
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise
        finally:
            con.close()
        return new, replaced

    def all(self) -> list[Observation]:
        """Every stored row, oldest first; [] when nothing was ever added."""
        if not self.path.exists():
            return []
        con = self._connect()
        try:
            rows = con.execute("SELECT json FROM observations ORDER BY id").fetchall()
        finally:
            con.close()
        try:
            return [Observation.model_validate_json(r[0]) for r in rows]
        except ValueError as e:
            raise ObservationStoreError(f"{self.path}: a stored row does not read back ({e}); it was left untouched") from e
