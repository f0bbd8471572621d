"""Thumbs up/down on answers, kept in a small SQLite table.

WAL mode and a busy timeout let several app workers write at once without losing a record;
every add is its own short transaction on its own connection. No gradio here: the ui calls in."""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from assistant.config import Settings

ENV_PATH = "PLANQA_FEEDBACK"
BUSY_TIMEOUT_S = 30.0
SCHEMA = """
CREATE TABLE IF NOT EXISTS feedback (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    time TEXT NOT NULL,
    question TEXT NOT NULL,
    history TEXT NOT NULL,
    answer TEXT NOT NULL,
    citations TEXT NOT NULL,
    liked INTEGER NOT NULL
);
"""


def default_path(settings: Settings | None = None) -> Path:
    """PLANQA_FEEDBACK if set, else feedback.sqlite in the index folder."""
    if os.environ.get(ENV_PATH):
        return Path(os.environ[ENV_PATH])
    return (settings or Settings.load()).index_dir / "feedback.sqlite"


def _plain(value: Any) -> Any:
    """Pydantic models (Citation) and lists of them as JSON-ready dicts."""
    if hasattr(value, "model_dump"):
        return value.model_dump(mode="json")
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


class FeedbackStore:
    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_path()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._init_lock = threading.Lock()
        with self._init_lock:
            con = self._connect()
            try:
                con.execute("PRAGMA journal_mode=WAL")
                con.executescript(SCHEMA)
            finally:
                con.close()

    def _connect(self) -> sqlite3.Connection:
        con = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_S, isolation_level=None)
        con.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
        return con

    def add(self, question: str, history: list[str] | None, answer: str, citations: list | None,
            liked: bool) -> int:
        """Store one vote; returns its row id. Retries on a locked database rather than drop it."""
        row = (
            datetime.now(timezone.utc).isoformat(timespec="seconds"),
            question or "",
            json.dumps(_plain(list(history or [])), ensure_ascii=False),
            answer or "",
            json.dumps(_plain(list(citations or [])), ensure_ascii=False),
            1 if liked else 0,
        )
        deadline = time.monotonic() + BUSY_TIMEOUT_S * 2
        while True:
            con = self._connect()
            try:
                con.execute("BEGIN IMMEDIATE")
                cur = con.execute(
                    "INSERT INTO feedback (time, question, history, answer, citations, liked) VALUES (?, ?, ?, ?, ?, ?)",
                    row)
                con.execute("COMMIT")
                return int(cur.lastrowid)
            except sqlite3.OperationalError as e:
                if con.in_transaction:
                    con.execute("ROLLBACK")
                if "locked" not in str(e) and "busy" not in str(e) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
            finally:
                con.close()

    def all(self) -> list[dict]:
        con = self._connect()
        try:
            rows = con.execute(
                "SELECT id, time, question, history, answer, citations, liked FROM feedback ORDER BY id").fetchall()
        finally:
            con.close()
        return [
            {"id": i, "time": t, "question": q, "history": json.loads(h), "answer": a,
             "citations": json.loads(c), "liked": bool(lk)}
            for i, t, q, h, a, c, lk in rows
        ]


def vote_row(question: str, history: list[str] | None, answer: str, citations: list | None, liked: bool) -> dict:
    """One vote as stored in the shared database's planqa_feedback table."""
    return {
        "time": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "question": question or "",
        "history": json.dumps(_plain(list(history or [])), ensure_ascii=False),
        "answer": answer or "",
        "citations": json.dumps(_plain(list(citations or [])), ensure_ascii=False),
        "liked": 1 if liked else 0,
    }


class SqlFeedbackStore:
    """Votes in the shared database (PLANQA_DATABASE_URL, e.g. PostgreSQL): the same add/all as
    FeedbackStore, for several app replicas. Each vote is stored exactly once: it carries a vote id,
    and a retry across a lost connection finds the row it already wrote."""

    def __init__(self, url: str):
        from assistant.store.sql import SqlStore

        self.url = url
        self.sql = SqlStore(url)

    def add(self, question: str, history: list[str] | None, answer: str, citations: list | None,
            liked: bool, vote_id: str | None = None) -> int:
        return self.sql.add_vote(vote_row(question, history, answer, citations, liked), vote_id)

    def all(self) -> list[dict]:
        from assistant.store.sql import decode_vote

        return [decode_vote(r) for r in self.sql.votes()]


def open_feedback(settings: Settings | None = None, path: str | Path | None = None):
    """The shared database when PLANQA_DATABASE_URL is set (and no file is named), else the SQLite file."""
    settings = settings or Settings.load()
    if settings.database_url and path is None:
        return SqlFeedbackStore(settings.database_url)
    return FeedbackStore(path or default_path(settings))
