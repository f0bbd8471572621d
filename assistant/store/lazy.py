"""One build of the shared stores read row by row: what a replica asks the database instead of holding.

    reader = BuildReader(sql_store(settings), build_id)
    reader.docs, reader.errors                     # small: read once
    reader.clauses_by_ord([3, 17]), reader.clauses_by_id(["dongcheng:妇女/健康/主要目标/2"])
    reader.clauses_of("dongcheng"), reader.targets_of_doc("dongcheng"), reader.targets_of_key("maternal_mortality")
    reader.rows_of("dongcheng")                    # a document's clause rows (no clause read)
    reader.targets(kinds=("target",), keys=[...])  # a filter the database answers from an index
    reader.weights(["儿童", "#托位"])               # idf of a few terms (assistant/store/sentences.py)
    reader.sentences_with(["托位", "#托位"], doc_ids=None)   # rows of the sentences holding any term

Every read goes through ``SqlStore._retry`` (a replica rides out a database restart). Clauses read by
row or id are kept in one bounded LRU cache (``CLAUSE_CACHE``), so a replica's memory does not grow
with the number of plans; ``ClauseRows`` is that cache seen as the build's clause list (row -> clause).
"""

from __future__ import annotations

import itertools
import os
import sys
import threading
import time
import weakref
from collections import OrderedDict
from typing import Callable, Generic, Iterable, Iterator, Sequence, TypeVar

from sqlalchemy import bindparam, func, literal_column, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.types import Text

from assistant.ingest.corpus import CorpusError
from assistant.models import Clause, DocMeta, Target
from assistant.store.sentences import TOKEN_MARK, split_terms
from assistant.store.sql import SqlStore, builds, clauses_t, docs_t, errors_t, idf_t, sentences_t, targets_t

IN_CHUNK = 1_000  # ids per IN (...) list: far under every driver's parameter limit (SQLite: 32,766)
STREAM_CHUNK = 2_000  # rows per fetch when every clause is walked (the app's plan browser, CLI listings)
# Clauses kept in memory, most recently used: a region-less figure search over 2,000 plans reads a few
# thousand candidate clauses, and ~1-2 KB each keeps this cache near 30 MB whatever the corpus size.
CLAUSE_CACHE = 20_000
# What every Lazy mapping of a process holds together, in estimated bytes (PLANQA_CACHE_MB): least recently used
# values go first, whichever mapping holds them. An entry's size can grow with the corpus (an indicator's rows of
# every plan: 9 MB at 2,000 plans), so a bound on entries alone would let the caches grow with the plans.
CACHE_BYTES = int(float(os.environ.get("PLANQA_CACHE_MB", "96")) * 2**20)
IN_USE_S = 1.0  # a value used this recently is not dropped for the budget (see _Budget)
SAMPLE = 8  # items of a container whose sizes stand for all of its items


def _chunks(items: Sequence, n: int = IN_CHUNK) -> Iterator[Sequence]:
    for i in range(0, len(items), n):
        yield items[i:i + n]


class BuildReader:
    def __init__(self, store: SqlStore, build_id: str):
        self.store = store
        self.build_id = build_id
        self.postgres = store.engine.dialect.name == "postgresql"

        def run():
            with store.engine.connect() as con:
                docs = [DocMeta.model_validate_json(r[0]) for r in con.execute(
                    select(docs_t.c.json).where(docs_t.c.build_id == build_id).order_by(docs_t.c.ord))]
                errors = [CorpusError(f, p) for f, p in con.execute(
                    select(errors_t.c.file, errors_t.c.problem).where(errors_t.c.build_id == build_id).order_by(errors_t.c.ord))]
                fp = con.execute(select(builds.c.fingerprint).where(builds.c.build_id == build_id)).scalar_one()
                n = con.execute(select(func.count()).select_from(clauses_t).where(clauses_t.c.build_id == build_id)).scalar_one()
                t = con.execute(select(func.count()).select_from(targets_t).where(targets_t.c.build_id == build_id)).scalar_one()
            return docs, errors, fp, int(n), int(t)
        self.docs, self.errors, self.fingerprint, self.clause_count, self.target_count = store._retry(run)
        if not self.weights([""]):  # every build since the sentence index writes the unseen-term weight
            raise RuntimeError(f"build {build_id} was written before the sentence index: run `python -m assistant build`")

    def _all(self, stmt) -> list:
        def run():
            with self.store.engine.connect() as con:
                return con.execute(stmt).all()
        return self.store._retry(run)

    # ---- clauses ------------------------------------------------------------------------------
    def clause_cache(self) -> "ClauseCache":
        if not hasattr(self, "_cache"):
            self._cache = ClauseCache(self)
        return self._cache

    def clauses_by_ord(self, ords: Iterable[int]) -> dict[int, Clause]:
        ords = sorted(set(ords))
        out: dict[int, Clause] = {}
        for part in _chunks(ords):
            for o, j in self._all(select(clauses_t.c.ord, clauses_t.c.json).where(
                    clauses_t.c.build_id == self.build_id, clauses_t.c.ord.in_(part))):
                out[o] = Clause.model_validate_json(j)
        return out

    def clauses_by_id(self, ids: Iterable[str]) -> dict[str, tuple[int, Clause]]:
        """clause_id -> (row, clause)."""
        ids = sorted(set(ids))
        out: dict[str, tuple[int, Clause]] = {}
        for part in _chunks(ids):
            for o, i, j in self._all(select(clauses_t.c.ord, clauses_t.c.clause_id, clauses_t.c.json).where(
                    clauses_t.c.build_id == self.build_id, clauses_t.c.clause_id.in_(part))):
                out[i] = (o, Clause.model_validate_json(j))
        return out

    def known_clause_ids(self, ids: Iterable[str]) -> set[str]:
        """Which of these clause ids the build holds (the primary key alone answers it: no clause is read)."""
        out: set[str] = set()
        for part in _chunks(sorted(set(ids))):
            out.update(i for (i,) in self._all(select(clauses_t.c.clause_id).where(
                clauses_t.c.build_id == self.build_id, clauses_t.c.clause_id.in_(part))))
        return out

    def clauses_of(self, doc_id: str) -> list[tuple[int, Clause]]:
        """A document's (row, clause) in build order."""
        return [(o, Clause.model_validate_json(j)) for o, j in self._all(
            select(clauses_t.c.ord, clauses_t.c.json).where(clauses_t.c.build_id == self.build_id,
                                                            clauses_t.c.doc_id == doc_id).order_by(clauses_t.c.ord))]

    def rows_of(self, doc_id: str) -> list[int]:
        """A document's clause rows in build order (the (build, doc, ord) index alone answers it)."""
        return [o for (o,) in self._all(select(clauses_t.c.ord).where(
            clauses_t.c.build_id == self.build_id, clauses_t.c.doc_id == doc_id).order_by(clauses_t.c.ord))]

    def iter_clauses(self) -> Iterator[Clause]:
        """Every clause in build order, STREAM_CHUNK rows at a time (never all in memory at once)."""
        last = -1
        while True:
            rows = self._all(select(clauses_t.c.ord, clauses_t.c.json).where(
                clauses_t.c.build_id == self.build_id, clauses_t.c.ord > last).order_by(clauses_t.c.ord).limit(STREAM_CHUNK))
            if not rows:
                return
            for o, j in rows:
                yield Clause.model_validate_json(j)
            last = rows[-1][0]

    # ---- targets ------------------------------------------------------------------------------
    def _targets(self, *where) -> list[Target]:
        return [Target.model_validate_json(j) for (j,) in self._all(
            select(targets_t.c.json).where(targets_t.c.build_id == self.build_id, *where).order_by(targets_t.c.ord))]

    def targets_of_doc(self, doc_id: str) -> list[Target]:
        return self._targets(targets_t.c.doc_id == doc_id)

    def targets_of_key_by_doc(self, key: str) -> dict[str, list[tuple[int, Target]]]:
        """An indicator's rows grouped by document, each with its row number (one indexed query)."""
        out: dict[str, list[tuple[int, Target]]] = {}
        for o, d, j in self._all(select(targets_t.c.ord, targets_t.c.doc_id, targets_t.c.json).where(
                targets_t.c.build_id == self.build_id, targets_t.c.indicator_key == key).order_by(targets_t.c.ord)):
            out.setdefault(d, []).append((o, Target.model_validate_json(j)))
        return out

    def targets_of_key(self, key: str | None) -> list[Target]:
        return self._targets(targets_t.c.indicator_key.is_(None) if key is None else targets_t.c.indicator_key == key)

    def targets(self, kinds: Sequence[str] | None = None, keys: Sequence[str] | None = None,
                doc_ids: Sequence[str] | None = None) -> list[Target]:
        """Rows in table order, filtered by kind, indicator and document (None: any)."""
        where = []
        if kinds is not None:
            where.append(targets_t.c.kind.in_(list(kinds)))
        if keys is not None:
            where.append(targets_t.c.indicator_key.in_(list(keys)))
        if doc_ids is not None:
            where.append(targets_t.c.doc_id.in_(list(doc_ids)))
        return self._targets(*where)

    def indicator_keys(self, kind: str) -> list[str]:
        """Indicators that have a row of this kind with a number."""
        return sorted(k for (k,) in self._all(select(targets_t.c.indicator_key).distinct().where(
            targets_t.c.build_id == self.build_id, targets_t.c.kind == kind, targets_t.c.indicator_key.is_not(None),
            targets_t.c.value_num.is_not(None))))

    # ---- small distinct lists (the app's filters): one indexed query each, no row text read -------
    def clause_values(self, column: str) -> list[str]:
        """The distinct non-empty values of a clause column ("population", "domain_key")."""
        col = clauses_t.c[column]
        return sorted(v for (v,) in self._all(select(col).distinct().where(
            clauses_t.c.build_id == self.build_id, col.is_not(None), col != "")))

    def target_years(self, kind: str) -> list[int]:
        """The years the rows of this kind name."""
        return sorted(y for (y,) in self._all(select(targets_t.c.year).distinct().where(
            targets_t.c.build_id == self.build_id, targets_t.c.kind == kind, targets_t.c.year.is_not(None))))

    def target_domain_keys(self, kind: str) -> list[str]:
        """The domains of the rows of this kind (a row's domain is its clause's: the build copies it)."""
        stmt = select(clauses_t.c.domain_key).distinct().select_from(targets_t.join(clauses_t, (
            clauses_t.c.build_id == targets_t.c.build_id) & (clauses_t.c.clause_id == targets_t.c.clause_id))).where(
            targets_t.c.build_id == self.build_id, targets_t.c.kind == kind, clauses_t.c.domain_key.is_not(None),
            clauses_t.c.domain_key != "")
        return sorted(k for (k,) in self._all(stmt))

    # ---- the sentence index ----------------------------------------------------------------------
    def weights(self, terms: Iterable[str]) -> dict[str, float]:
        terms = sorted(set(terms))
        out: dict[str, float] = {}
        for part in _chunks(terms):
            out.update(self._all(select(idf_t.c.term, idf_t.c.weight).where(
                idf_t.c.build_id == self.build_id, idf_t.c.term.in_(part))))
        return out

    def sentences_with(self, terms: Iterable[str], doc_ids: Sequence[str] | None = None,
                       within: Iterable[str] | None = None) -> list[tuple[int, str, int, frozenset[str], frozenset[str]]]:
        """(clause row, doc_id, seq, bigrams, tokens) of every sentence holding one of ``terms`` (bigrams
        and "#tokens") and, with ``within``, one of those terms too, of ``doc_ids`` (None: every
        document), in build order."""
        terms = sorted(set(terms))
        also = None if within is None else sorted(set(within))
        if not terms or doc_ids is not None and not doc_ids or also is not None and not also:
            return []
        cols = (sentences_t.c.clause_ord, sentences_t.c.doc_id, sentences_t.c.seq, sentences_t.c.terms)
        where = [sentences_t.c.build_id == self.build_id]
        if doc_ids is not None:
            where.append(sentences_t.c.doc_id.in_(bindparam("docs", expanding=True)))
        if self.postgres:  # the GIN index answers the overlap
            arr = func.string_to_array(sentences_t.c.terms, literal_column("' '"))  # the GIN index's expression
            where.append(arr.op("&&")(bindparam("terms", type_=ARRAY(Text))))
            if also is not None:
                where.append(arr.op("&&")(bindparam("within", type_=ARRAY(Text))))
        stmt = select(*cols).where(*where).order_by(sentences_t.c.ord)
        params: dict = {"terms": terms} if self.postgres else {}
        if self.postgres and also is not None:
            params["within"] = also
        if doc_ids is not None:
            params["docs"] = list(doc_ids)

        def run():
            with self.store.engine.connect() as con:
                return con.execute(stmt, params).all()
        want = set(terms)
        out = []
        split: dict[str, tuple[frozenset[str], frozenset[str]]] = {}  # one text in many plans is split once
        for o, d, seq, t in self.store._retry(run):
            if t not in split:
                split[t] = split_terms(t)
            bs, ts = split[t]
            if self.postgres or want & (bs | {TOKEN_MARK + x for x in ts}) and (also is None or set(also) & bs):
                out.append((o, d, seq, bs, ts))
        return out


class ClauseCache:
    """Clauses by row and by id through one bounded LRU cache (thread-safe: replicas answer in threads)."""

    def __init__(self, reader: BuildReader, size: int = CLAUSE_CACHE):
        self.reader = reader
        self.size = size
        self._by_ord: OrderedDict[int, Clause] = OrderedDict()
        self._ord_of: dict[str, int] = {}
        self._lock = threading.Lock()

    def _keep(self, o: int, c: Clause) -> None:
        self._by_ord[o] = c
        self._by_ord.move_to_end(o)
        self._ord_of[c.clause_id] = o
        while len(self._by_ord) > self.size:
            _, old = self._by_ord.popitem(last=False)
            self._ord_of.pop(old.clause_id, None)

    def by_ord(self, ords: Iterable[int]) -> dict[int, Clause]:
        ords = list(ords)
        with self._lock:
            out = {o: self._by_ord[o] for o in ords if o in self._by_ord}
        missing = [o for o in ords if o not in out]
        if missing:
            got = self.reader.clauses_by_ord(missing)
            with self._lock:
                for o, c in got.items():
                    self._keep(o, c)
            out.update(got)
        return out

    def by_id(self, ids: Iterable[str]) -> dict[str, Clause]:
        ids = list(ids)
        with self._lock:
            out = {i: self._by_ord[self._ord_of[i]] for i in ids if i in self._ord_of}
        missing = [i for i in ids if i not in out]
        if missing:
            got = self.reader.clauses_by_id(missing)
            with self._lock:
                for i, (o, c) in got.items():
                    self._keep(o, c)
                    out[i] = c
        return out

    def of_doc(self, doc_id: str) -> list[Clause]:
        out = []
        rows = self.reader.clauses_of(doc_id)
        with self._lock:
            for o, c in rows:
                c = self._by_ord.get(o, c)  # the cached object if there is one: one Clause per row in use
                self._keep(o, c)
                out.append(c)
        return out


class ClauseRows(Sequence):
    """The build's clauses as a list (row -> Clause) without holding them: reads through the cache."""

    def __init__(self, cache: ClauseCache):
        self.cache = cache

    def __len__(self) -> int:
        return self.cache.reader.clause_count

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [self[j] for j in range(*i.indices(len(self)))]
        if i < 0:
            i += len(self)
        c = self.cache.by_ord([i]).get(i)
        if c is None:
            raise IndexError(i)
        return c

    def __iter__(self) -> Iterator[Clause]:
        return self.cache.reader.iter_clauses()


class TargetRows(Sequence):
    """The build's targets table as a list, read when walked (the CLI and the app's explorer); the
    answer code reads targets by document, indicator or kind instead (BuildReader.targets)."""

    def __init__(self, reader: BuildReader):
        self.reader = reader

    def __len__(self) -> int:
        return self.reader.target_count

    def __getitem__(self, i):  # type: ignore[override]
        return self.reader.targets()[i]

    def __iter__(self) -> Iterator[Target]:
        return iter(self.reader.targets())


K = TypeVar("K")
V = TypeVar("V")


def held_bytes(value, seen: set[int] | None = None) -> int:
    """About how many bytes ``value`` holds: sys.getsizeof of it and of what it refers to, a container's items
    estimated from its first SAMPLE (their mean times its length), each object counted once per call. Objects
    shared with another cache (a Clause in both the clause cache and a sentence) count in each: an over-estimate."""
    if seen is None:
        seen = set()
    if id(value) in seen:
        return 0
    seen.add(id(value))
    size = sys.getsizeof(value)
    if isinstance(value, (str, bytes, int, float, bool)) or value is None:
        return size
    if isinstance(value, dict):
        n = len(value)
        part = [held_bytes(k, seen) + held_bytes(v, seen) for k, v in itertools.islice(value.items(), SAMPLE)]
    elif isinstance(value, (list, tuple, set, frozenset)):
        n = len(value)
        part = [held_bytes(v, seen) for v in itertools.islice(value, SAMPLE)]
    elif getattr(value, "dtype", None) is not None:  # a numpy array: getsizeof counts its own buffer
        if value.dtype != object:
            return size
        n = value.size
        part = [held_bytes(v, seen) for v in itertools.islice(value.flat, SAMPLE)]
    elif hasattr(value, "__dict__"):  # pydantic models, dataclasses, small classes
        return size + held_bytes(vars(value), seen)
    else:
        return size
    return size + (sum(part) * n // len(part) if part else 0)


class _Budget:
    """The bytes every Lazy mapping holds, in one least-recently-used order across the mappings: when the total
    passes the limit the oldest values are dropped from whichever mapping holds them, except values used within
    the last IN_USE_S seconds (a region-less question reads an indicator's rows for each plan in turn: dropping
    them between two plans would read them again for every plan)."""

    def __init__(self, limit: int):
        self.limit = limit
        self.total = 0
        self._order: OrderedDict[tuple[int, object], list] = OrderedDict()  # slot -> [owner ref, bytes, used at]
        self._lock = threading.Lock()

    def add(self, owner: "Lazy", key, size: int) -> None:
        drop = []
        now = time.monotonic()
        with self._lock:
            slot = (id(owner), key)
            if slot in self._order:
                self.total -= self._order.pop(slot)[1]
            self._order[slot] = [weakref.ref(owner), size, now]
            self.total += size
            while self.total > self.limit:
                oldest, (ref, n, used) = next(iter(self._order.items()))
                if oldest == slot or now - used < IN_USE_S:  # the oldest is in use, and so is every later one
                    break
                del self._order[oldest]
                k = oldest[1]
                self.total -= n
                drop.append((ref, k))
        for ref, k in drop:  # outside the budget's lock: a mapping's lock is never taken inside it
            if (o := ref()) is not None:
                o._drop(k)

    def touch(self, owner: "Lazy", key) -> None:
        with self._lock:
            got = self._order.get((id(owner), key))
            if got is not None:
                got[2] = time.monotonic()
                self._order.move_to_end((id(owner), key))

    def forget(self, owner_id: int, keys: Iterable | None = None) -> None:
        """Slots of a mapping that dropped these values itself (None: every slot of a mapping that is gone)."""
        with self._lock:
            slots = [s for s in self._order if s[0] == owner_id] if keys is None else [(owner_id, k) for k in keys]
            for s in slots:
                got = self._order.pop(s, None)
                if got is not None:
                    self.total -= got[1]


BUDGET = _Budget(CACHE_BYTES)


class Lazy(Generic[K, V]):
    """A read-only mapping filled on demand by ``load(key)`` (None: no such key), at most ``size`` values kept,
    and the values of all Lazy mappings together within CACHE_BYTES (``budget``): a bound on what is held, as the
    size of one value may grow with the corpus."""

    def __init__(self, load: Callable[[K], V | None], size: int, budget: _Budget | None = None):
        self._load = load
        self._size = size
        self._budget = BUDGET if budget is None else budget
        self._data: OrderedDict[K, V | None] = OrderedDict()
        self._lock = threading.Lock()
        weakref.finalize(self, self._budget.forget, id(self))  # a mapping that is gone frees its share

    def _fetch(self, key: K) -> V | None:
        with self._lock:
            if key in self._data:
                self._data.move_to_end(key)
                value = self._data[key]
                hit = True
            else:
                hit = False
        if hit:
            self._budget.touch(self, key)
            return value
        value = self._load(key)
        size = held_bytes(value)
        with self._lock:
            self._data[key] = value
            self._data.move_to_end(key)
            old = []
            while len(self._data) > self._size:
                old.append(self._data.popitem(last=False)[0])
        self._budget.forget(id(self), old)
        self._budget.add(self, key, size)
        return value

    def _drop(self, key) -> None:
        with self._lock:
            self._data.pop(key, None)

    def __getitem__(self, key: K) -> V:
        value = self._fetch(key)
        if value is None:
            raise KeyError(key)
        return value

    def get(self, key: K, default=None):
        value = self._fetch(key)
        return default if value is None else value

    def __contains__(self, key) -> bool:
        return self._fetch(key) is not None

    def __len__(self) -> int:
        """How many values are kept now (at most ``size``)."""
        return len(self._data)

    @property
    def size(self) -> int:
        return self._size
