"""Okapi BM25 over jieba tokens (numpy only; no llama-index tokenizer, which scores Chinese as 0).

Text is normalised with ``assistant.text.norm`` (NFKC, no whitespace) and lower-cased, then cut
with jieba's search mode (long words also yield their in-dictionary sub-words, so 孕产妇死亡率
matches a query that says 孕产妇 or 死亡率).  A private jieba ``Tokenizer`` carries a user
dictionary of indicator names, domain names and the corpus's region names and aliases, so those
stay whole tokens; jieba's global tokenizer is left untouched.  Punctuation and single-character
stopwords are dropped.
"""

from __future__ import annotations

import hashlib
import json
import logging
import math
import os
import threading
import unicodedata
from array import array
from collections import Counter
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np

from assistant import lexicon
from assistant.models import DocMeta
from assistant.text import norm

STOP_CHARS = frozenset("的了和与及或在是为对把被等中之其以于从到将并而也就都要又有个这那呢吗啊吧么各该即由向按")
# Question words and fillers: they carry no topic, but match boilerplate clauses.  Queries only.
QUERY_STOPWORDS = frozenset(
    "哪些 什么 多少 哪个 哪几 几个 哪几个 怎么 怎样 如何 是否 有没有 具体 这块 分别 一样 多大 哪天 哪里 啥 "
    "咱们 这份 里 上 谁 定 要 吗 呢 么".split()
)
POPULATION_PREFIXES = ("妇女与", "儿童与", "妇女", "儿童")


def _is_punct(tok: str) -> bool:
    return all(unicodedata.category(c)[0] in "PSZC" for c in tok)


def query_stopwords() -> frozenset[str]:
    """QUERY_STOPWORDS plus ``query_stopwords`` of assistant/lexicon/questions.yaml, if present."""
    extra: list[str] = []
    try:
        extra = [norm(str(w)).lower() for w in (lexicon.load("questions") or {}).get("query_stopwords") or []]
    except (FileNotFoundError, AttributeError):
        pass
    return QUERY_STOPWORDS | frozenset(extra)


def indicator_names() -> list[str]:
    """Indicator keys and names as written in assistant/lexicon/indicators.yaml (with their 的)."""
    return [str(n) for d in lexicon.load("indicators")["indicators"] for n in [d["key"], *d["names"]]]


def domain_names() -> list[str]:
    """Domain names as headings and questions write them: 健康, 妇女与健康, 儿童健康 ..."""
    out: list[str] = []
    for d in (lexicon.load("domains") or {}).get("domains") or []:
        for name in [d.get("key"), *(d.get("names") or [])]:
            if name:
                out.append(str(name))
                out += [p + str(name) for p in POPULATION_PREFIXES]
    return out


def region_names(docs: Iterable[DocMeta]) -> list[str]:
    out: list[str] = []
    for m in docs:
        out += [m.region, *m.region_aliases, m.short_name]
        if m.parent_region:
            out.append(m.parent_region)
    return out


def user_words(docs: Iterable[DocMeta] = ()) -> list[str]:
    """The user dictionary: indicator names + domain names + region names/aliases of ``docs``."""
    words = indicator_names() + domain_names() + region_names(docs)
    return sorted({w for w in (norm(x).lower() for x in words) if len(w) >= 2})


class ChineseTokenizer:
    """jieba (search mode) with a user dictionary; thread-safe after construction."""

    def __init__(self, words: Iterable[str] = (), hmm: bool = False) -> None:
        import jieba

        jieba.setLogLevel(logging.WARNING)
        self._jieba = jieba.Tokenizer()
        self._jieba.initialize()
        self.hmm = hmm
        self.words = sorted(set(words))
        for w in self.words:
            self._jieba.add_word(w)
        self.query_stopwords = query_stopwords()
        self._lock = threading.Lock()

    @classmethod
    def for_docs(cls, docs: Iterable[DocMeta] = (), **kw) -> "ChineseTokenizer":
        return cls(user_words(docs), **kw)

    def query(self, text: str) -> list[str]:
        """Tokens of a question: as ``__call__`` less question words and fillers."""
        return [w for w in self(text) if w not in self.query_stopwords]

    def __call__(self, text: str) -> list[str]:
        t = norm(text).lower()
        with self._lock:  # jieba's Tokenizer keeps per-call state in its DAG cache
            toks = self._jieba.lcut_for_search(t, HMM=self.hmm)
        return [w for w in toks if not _is_punct(w) and not (len(w) == 1 and w in STOP_CHARS)]


K1 = 1.5  # Okapi term-frequency saturation: the usual 1.2-2.0 range's middle
B = 0.75  # Okapi length normalisation: the standard value


def bm25_idf(n: int, df: int) -> float:
    """The non-negative idf of a term held by ``df`` of ``n`` documents."""
    return math.log(1.0 + (n - df + 0.5) / (df + 0.5))


def length_norms(lengths: np.ndarray, k1: float, b: float) -> tuple[float, np.ndarray]:
    """(average length, each document's k1 * (1 - b + b * length / avgdl)) for float32 ``lengths``."""
    avgdl = float(lengths.mean()) if len(lengths) else 0.0
    return avgdl, k1 * (1 - b + b * lengths / (avgdl or 1.0))


def bm25_weight(idf, tf: np.ndarray, norm_: np.ndarray, k1: float) -> np.ndarray:
    """A term's weight in documents (float32): ``idf`` (a number, or float32 per entry), term counts
    ``tf`` (float32) and the documents' ``length_norms``. The one formula of every BM25 weight here."""
    return (idf * tf * (k1 + 1) / (tf + norm_)).astype(np.float32)


class BM25Index:
    """Okapi BM25 (k1, b) with the non-negative idf log(1 + (N - n + .5) / (n + .5))."""

    def __init__(self, docs_tokens: Sequence[Sequence[str]], k1: float = K1, b: float = B) -> None:
        self.n = len(docs_tokens)
        self.k1, self.b = k1, b
        lengths = np.array([len(t) for t in docs_tokens], dtype=np.float32)
        postings: dict[str, tuple[list[int], list[int]]] = {}
        for i, toks in enumerate(docs_tokens):
            for term, tf in Counter(toks).items():
                p = postings.setdefault(term, ([], []))
                p[0].append(i)
                p[1].append(tf)
        self.avgdl, denom_base = length_norms(lengths, k1, b)
        self.idf: dict[str, float] = {}
        self._post: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        for term, (ids, tfs) in postings.items():
            idx = np.asarray(ids, dtype=np.int64)
            tf = np.asarray(tfs, dtype=np.float32)
            idf = bm25_idf(self.n, len(ids))
            self.idf[term] = idf
            self._post[term] = (idx, bm25_weight(idf, tf, denom_base[idx], k1))

    def scores(self, query_tokens: Iterable[str]) -> np.ndarray:
        """BM25 score of every document (0 where no query term occurs)."""
        out = np.zeros(self.n, dtype=np.float32)
        for term in dict.fromkeys(query_tokens):
            p = self._post.get(term)
            if p is not None:
                out[p[0]] += p[1]
        return out

    def top(self, query_tokens: Iterable[str], k: int, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        """Best ``k`` (row, score) with score > 0, restricted to ``mask`` rows if given."""
        s = self.scores(query_tokens)
        if mask is not None:
            s = np.where(mask, s, 0.0)
        cand = np.flatnonzero(s > 0)
        if len(cand) > k:
            cand = cand[np.argpartition(-s[cand], k - 1)[:k]]
        cand = cand[np.lexsort((cand, -s[cand]))]
        return [(int(i), float(s[i])) for i in cand]


class BM25Stats:
    """BM25 over documents seen one at a time: a first pass ``add``s each document's tokens, kept as
    term ids and counts in flat int32 arrays (not Python lists per document), then ``weights`` gives
    any range of documents the weights BM25Index would give them, to the last bit. The shared build
    streams its clauses through this instead of holding a BM25Index of the whole corpus."""

    def __init__(self, k1: float = K1, b: float = B) -> None:
        self.k1, self.b = k1, b
        self.vocab: dict[str, int] = {}  # term -> id, in first-seen order
        self._df = array("i")  # documents holding each term id
        self._ids, self._tfs = array("i"), array("i")  # every document's (term id, count), concatenated
        self._starts = array("q", [0])  # document i's entries are _ids[_starts[i]:_starts[i + 1]]
        self._lengths = array("i")
        self._frozen: tuple | None = None

    @property
    def n(self) -> int:
        return len(self._lengths)

    def add(self, tokens: Sequence[str]) -> None:
        if self._frozen is not None:
            raise RuntimeError("BM25Stats: add() after weights()")
        for term, tf in Counter(tokens).items():
            tid = self.vocab.setdefault(term, len(self.vocab))
            if tid == len(self._df):
                self._df.append(0)
            self._df[tid] += 1
            self._ids.append(tid)
            self._tfs.append(tf)
        self._starts.append(len(self._ids))
        self._lengths.append(len(tokens))

    def _freeze(self) -> tuple:
        if self._frozen is None:
            idf = np.array([bm25_idf(self.n, int(df)) for df in self._df], dtype=np.float32)
            _, norms = length_norms(np.asarray(self._lengths, dtype=np.float32), self.k1, self.b)
            self._frozen = (idf, norms, np.asarray(self._ids, dtype=np.int32), np.asarray(self._tfs, dtype=np.float32),
                            np.asarray(self._starts, dtype=np.int64), list(self.vocab))
            self._ids, self._tfs = array("i"), array("i")  # now held once, as numpy
        return self._frozen

    def weights(self, start: int, stop: int) -> Iterator[list[tuple[str, float]]]:
        """Each document's (term, weight) from ``start`` to ``stop``, in its tokens' first-seen order."""
        idf, norms, ids, tfs, starts, terms = self._freeze()
        lo, hi = int(starts[start]), int(starts[stop])
        doc = np.repeat(np.arange(start, stop), np.diff(starts[start:stop + 1]))
        w = bm25_weight(idf[ids[lo:hi]], tfs[lo:hi], norms[doc], self.k1).tolist()
        tids = ids[lo:hi].tolist()
        for i in range(start, stop):
            a, b = int(starts[i]) - lo, int(starts[i + 1]) - lo
            yield [(terms[t], x) for t, x in zip(tids[a:b], w[a:b])]


class BM25Retriever:
    """A tokenizer plus a BM25 index over a list of texts.

    With ``cache_path`` the token lists are kept in a JSON file keyed by the texts, the user
    dictionary and this module's settings, so a warm start skips re-tokenising."""

    def __init__(
        self, texts: Sequence[str], tokenizer: ChineseTokenizer, cache_path: str | os.PathLike | None = None, **bm25_kw
    ) -> None:
        self.tokenizer = tokenizer
        self.index = BM25Index(self._tokens(list(texts), cache_path), **bm25_kw)

    def _tokens(self, texts: list[str], cache_path) -> list[list[str]]:
        if cache_path is None:
            return [self.tokenizer(t) for t in texts]
        h = hashlib.sha256(f"bm25-tokens-1|{self.tokenizer.hmm}|{''.join(sorted(STOP_CHARS))}\n".encode())
        h.update("\x1f".join(self.tokenizer.words).encode())
        for t in texts:
            h.update(b"\x1e" + t.encode())
        key = h.hexdigest()
        path = Path(cache_path)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("key") == key and len(data.get("tokens", [])) == len(texts):
                return [t.split(" ") if t else [] for t in data["tokens"]]
        except (OSError, ValueError, AttributeError):
            pass
        toks = [self.tokenizer(t) for t in texts]
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp.write_text(json.dumps({"key": key, "tokens": [" ".join(t) for t in toks]}, ensure_ascii=False), "utf-8")
            os.replace(tmp, path)
        except OSError as e:  # a read-only index folder only costs speed
            logging.getLogger(__name__).warning("cannot write BM25 token cache %s: %s", path, e)
            try:  # a full disk leaves a partial temp file behind
                tmp.unlink(missing_ok=True)
            except OSError:
                pass
        return toks

    def search(self, query: str, k: int = 10, mask: np.ndarray | None = None) -> list[tuple[int, float]]:
        return self.index.top(self.tokenizer.query(query), k, mask)

    def scores(self, query: str) -> np.ndarray:
        return self.index.scores(self.tokenizer.query(query))
