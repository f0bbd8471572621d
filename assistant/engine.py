"""The answer engine: a question and the turns before it -> a cited answer, or a plain refusal.

    engine = Engine.load(settings)
    engine.ask("东城区孕产妇死亡率目标是多少")
    engine.ask("那西城区呢？", history=["东城区孕产妇死亡率目标是多少"])

The engine loads the tables and the retriever once, replays the conversation into a typed state
(assistant/answer/state.py), lets the router pick a strategy (assistant/answer/router.py), and
runs the numeric guard on every draft. It also serves the lookups the app and CLI use."""

from __future__ import annotations

import gc
import logging
import re
import threading
import time
from functools import cached_property
from typing import Sequence

from assistant.answer import phrases
from assistant.answer.context import Context
from assistant.answer.draft import Draft
from assistant.answer.intent import Intent
from assistant.answer.parse import find_indicators, read_turn
from assistant.answer.router import route
from assistant.answer.state import DialogueState, Query, advance, resolve
from assistant.compare import CompareTable, compare, reference_doc
from assistant.config import Settings
from assistant.guard import check
from assistant.ingest.corpus import declared_regions
from assistant.models import Answer, Clause, DocMeta, Target
from assistant.retrieve import Retriever
from assistant.store.db import load_tables
from assistant.store.lazy import TargetRows
from assistant.text import MAX_QUESTION_CHARS, norm, trim_history

log = logging.getLogger(__name__)
MAX_INPUT = MAX_QUESTION_CHARS  # a longer question is refused, not cut
HAN = re.compile(r"[\u4e00-\u9fff]")
ACHIEVED = ("achieved",)  # the kind of row a plan's 发展基础 or a work report states as reached
BUILD_POLL_S = 10.0  # how often a replica on shared stores looks for a new build: one small SQL query


def settle_heap() -> None:
    """For a long-running server, once its engine is loaded: collect once, then take every object alive
    out of the cyclic collector's generations (gc.freeze), so a full collection that an answer's own
    allocations trigger walks only what that answer made. At 2,000 plans such a collection landed inside
    4 of 9 region-less owner questions, 127-139 ms each (bench/RESULTS.md). Unfrozen first: after a
    build switch or a reload the old state's objects must be collectable again."""
    gc.unfreeze()
    gc.collect()
    gc.freeze()


class Engine:
    _cache: dict[tuple, "Engine"] = {}
    _lock = threading.Lock()

    def __init__(self, settings: Settings):
        self.settings = settings
        self.build_id: str | None = None  # the shared build this engine reads (None: embedded files)
        if settings.shared:  # read-only replica of what `python -m assistant build` wrote: read row by row
            from assistant.answer.context_shared import SharedContext
            from assistant.retrieve_shared import open_shared

            build, reader, retriever = open_shared(settings)
            self.build_id = build.build_id
            self.docs: list[DocMeta] = reader.docs
            self.clauses: Sequence[Clause] = retriever.clauses  # read through a bounded cache, never all held
            self.all_targets: Sequence[Target] = TargetRows(reader)
            self.errors = reader.errors
            self.retriever = retriever
            self.ctx = SharedContext(reader, retriever, [str(e) for e in self.errors], failed=self._failed(),
                                     observations=self.observations)
            return
        data = load_tables(settings.corpus_dir, settings.db_path)
        self.docs = data.docs
        self.clauses = data.clauses
        self.all_targets = data.targets
        self.errors = data.errors
        self.retriever = Retriever(settings, self.clauses, self.docs, corpus_fingerprint=data.fingerprint)
        self.ctx = Context(self.docs, self.clauses, self.all_targets, self.retriever, [str(e) for e in self.errors],
                           failed=self._failed(), observations=self.observations)

    def _failed(self) -> dict[str, str]:
        """Region of each plan that failed to load -> why."""
        loaded = {d.file for d in self.docs}
        declared = declared_regions(self.settings.corpus_dir) if self.errors else {}  # the manifest, read once
        return {declared[e.file]: e.problem for e in self.errors if e.file in declared and e.file not in loaded}

    def observations(self) -> list:
        """Observed values: those the corpus states and those users added (read fresh: an upload in the
        app counts at once). A store that cannot be read leaves the corpus's own."""
        from assistant.ingest import Ingested
        from assistant.monitor import corpus_observations, load_observations
        from assistant.store.observations import ObservationStore

        achieved = self.ctx.select_targets(kinds=ACHIEVED)  # the only rows corpus observations come from
        data = Ingested(self.docs, self.ctx.clauses_for({t.clause_id for t in achieved}), achieved, self.errors)
        try:
            return load_observations(data, ObservationStore(self.settings.observations_path))
        except Exception as e:  # noqa: BLE001 - a damaged or unwritable store must not stop answers
            log.warning("observations store not read (%s): corpus observations only", e)
            return corpus_observations(data.targets, data.docs, data.clauses)

    @classmethod
    def load(cls, settings: Settings | None = None) -> "Engine":
        settings = settings or Settings.load()
        key = (str(settings.corpus_dir), str(settings.index_dir), settings.embed_backend, settings.embed_model,
               settings.vector_uri, settings.database_url)
        with cls._lock:
            if key not in cls._cache:
                cls._cache[key] = cls(settings)
                if settings.shared:
                    cls._cache[key]._watch_builds()
            return cls._cache[key]

    def reload(self) -> None:
        """Re-read the corpus after a plan was added (the app's 添加规划): the tables are rebuilt and
        the vector index embeds only clauses it has not seen (its cache is keyed by text hash).
        The new state is built aside and swapped in whole, so a question asked meanwhile is answered
        from the old one."""
        self.__dict__ = type(self)(self.settings).__dict__
        if gc.get_freeze_count():  # the server settled its heap at start: settle it again around the new state
            settle_heap()

    def refresh(self) -> bool:
        """Shared backends: switch to a newer build if one was activated; True when it switched.
        The new build is loaded beside the old one, then swapped in attribute by attribute."""
        if not self.settings.shared:
            return False
        from assistant.store.shared import current_build

        if current_build(self.settings).build_id == self.build_id:
            return False
        fresh = Engine(self.settings)
        for name in [k for k in self.__dict__ if k not in fresh.__dict__]:  # cached_property values
            self.__dict__.pop(name, None)
        self.__dict__.update(fresh.__dict__)
        if gc.get_freeze_count():
            settle_heap()
        log.info("switched to build %s", self.build_id)
        return True

    def _watch_builds(self) -> None:
        """A daemon thread that calls refresh() every BUILD_POLL_S: replicas pick up a build without a restart."""
        def loop():
            while True:
                time.sleep(BUILD_POLL_S)
                try:
                    self.refresh()
                except Exception as e:  # noqa: BLE001 - keep serving the build we have
                    log.warning("build check failed (%s); serving build %s", e, self.build_id)

        threading.Thread(target=loop, name="planqa-build-watch", daemon=True).start()

    # ---- lookups used by the UI and the CLI -------------------------------------------------
    def clause(self, clause_id: str) -> Clause | None:
        return self.ctx.clause(clause_id)

    def doc(self, doc_id: str) -> DocMeta:
        return self.ctx.doc(doc_id)

    def targets(self, doc_id=None, indicator=None, population=None, domain_key=None, year=None, text=None) -> list[Target]:
        out = []
        for t in self.ctx.select_targets(kinds=("target",), doc_ids=[doc_id] if doc_id else None):
            if population and t.population != population:
                continue
            if domain_key and t.domain_key != domain_key:
                continue
            if year and t.year not in (year, None):
                continue
            if indicator and indicator != t.indicator_key and norm(indicator) not in norm(t.indicator):
                continue
            if text and norm(text) not in norm(t.quote + t.indicator):
                continue
            out.append(t)
        return out

    @cached_property
    def _indicator_keys(self) -> list[str]:
        if isinstance(self.all_targets, TargetRows):
            return self.all_targets.reader.indicator_keys("target")
        return sorted({t.indicator_key for t in self.all_targets if t.indicator_key and t.value_num is not None and t.kind == "target"})

    def indicator_keys(self) -> list[str]:
        return self._indicator_keys

    def resolve_indicator(self, indicator: str) -> str | None:
        if indicator in self._indicator_keys:
            return indicator
        found = find_indicators(norm(indicator))
        return found[0][1] if found else None

    @property
    def shared(self) -> bool:
        """Reads a shared build (Milvus + PostgreSQL) row by row when asked, not embedded files."""
        return self.build_id is not None

    def compare(self, indicator: str, year: int | None = None, doc_ids: list[str] | None = None) -> CompareTable:
        key = self.resolve_indicator(indicator) or indicator
        table = compare(key, self.docs, self.ctx.by_key.get(key, []), doc_ids, year)
        for r in table.rows:
            if r.clause_id:
                r.label = self.ctx.clause_by_id[r.clause_id].label
        return table

    def alignment(self) -> list[dict]:
        ref = reference_doc(self.docs)
        if ref is None:
            return []
        out = []
        seen = set()
        for t in self.ctx.select_targets(kinds=("target",), doc_ids=[ref.doc_id]):
            if t.value_num is None or not t.indicator_key:
                continue
            if t.indicator_key in seen:
                continue
            seen.add(t.indicator_key)
            # the module's compare, not self.compare: the table needs no clause labels, and on the shared
            # backend each label is a clause read (the app builds this table at start)
            table = compare(t.indicator_key, self.docs, self.ctx.by_key.get(t.indicator_key, []))
            row = {"indicator_key": t.indicator_key, "city": f"{t.quote}"}
            for r in table.rows:
                if r.doc_id != ref.doc_id:
                    row[r.plan] = r.verdict + (f"（{r.value}）" if r.value else "")
            out.append(row)
        return out

    # ---- answering ----------------------------------------------------------------------
    def state_of(self, history: list[str] | None) -> DialogueState:
        """The conversation's state after its earlier turns (oldest first), within the history caps."""
        state = DialogueState()
        for h in trim_history(history):
            if len(h) <= MAX_INPUT and HAN.search(h):
                state = advance(state, read_turn(h, self.docs), self.docs)
        return state

    def state_line(self, history: list[str] | None) -> str:
        """What a follow-up would refer to, for staff to see: 当前：东城区规划 · 孕产妇死亡率 · 2025年
        (empty before the first answerable turn)."""
        focus = self.state_of(history).focus
        if focus is None:
            return ""
        names = {d.doc_id: d.short_name for d in self.docs}
        parts = ["、".join(names.get(i, i) for i in focus.doc_ids)]
        parts.append("、".join(focus.indicator_names or focus.indicator_keys) or focus.topic)
        parts.append(f"{focus.year}年" if focus.year else "")
        shown = [p for p in parts if p]
        return "当前：" + " · ".join(shown) if shown else ""

    def understand(self, question: str, history: list[str] | None = None) -> Query:
        return resolve(read_turn(question, self.docs), self.state_of(history), self.docs)

    def ask(self, question: str, history: list[str] | None = None) -> Answer:
        if not isinstance(question, str) or not question.strip():
            return Draft(answer=phrases.EMPTY, answerable=False, intent=Intent.EMPTY).final()
        if len(question) > MAX_INPUT:
            return Draft(answer=phrases.TOO_LONG, answerable=False, intent=Intent.TOO_LONG).final()
        q = self.understand(question, history)
        if not HAN.search(q.text):
            return Draft(answer=phrases.NOT_CHINESE, answerable=False, intent=Intent.UNSUPPORTED).final()
        answer = route(q, self.ctx).final()
        if q.notes and answer.answerable:  # 曾都…市里呢: which plan 市里 was taken to be
            answer = answer.model_copy(update={"answer": answer.answer + "\n\n" + "\n".join(q.notes)})
        bad = check(answer, self.clause, self.ctx.known_clauses)
        if bad:  # never let a number through that no cited clause holds
            log.error("numeric guard removed an answer carrying %s for %r", bad, question)
            answer = Answer(answer=phrases.GUARD_REFUSAL, answerable=False, citations=answer.citations, intent=answer.intent)
        return answer
