"""Reading plan texts into clauses and target rows. Imports only the base modules."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.corpus import CorpusError, load_corpus
from assistant.ingest.owners import assign_owners, load_assignments
from assistant.ingest.structure import parse
from assistant.ingest.targets import extract
from assistant.lexicon import HERE as LEXICON_DIR
from assistant.models import Clause, DocMeta, Target

PARSER_VERSION = "1"  # bump when parsing rules change so stored tables are rebuilt


@dataclass
class Ingested:
    docs: list[DocMeta]
    clauses: list[Clause]
    targets: list[Target]
    errors: list[CorpusError] = field(default_factory=list)
    fingerprint: str = ""


def fingerprint(corpus_dir: Path) -> str:
    """Hash of everything that decides the tables: texts, manifest, owners, lexicon, parser."""
    corpus_dir = Path(corpus_dir)
    h = hashlib.sha256(PARSER_VERSION.encode())
    files = [p for p in sorted(corpus_dir.rglob("*")) if p.is_file()]
    files += sorted(LEXICON_DIR.glob("*.yaml")) + sorted(LEXICON_DIR.glob("*.py"))  # indicator_key lives there
    for p in files:
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()


def ingest(corpus_dir: Path) -> Ingested:
    corpus = load_corpus(corpus_dir)
    errors = list(corpus.errors)
    clauses: list[Clause] = []
    targets: list[Target] = []
    for doc in corpus.docs:
        doc_clauses = parse(doc)
        clauses += doc_clauses
        for c in doc_clauses:
            targets += extract(c, doc.meta)
    assignments, problems = load_assignments(Path(corpus_dir) / "owners")
    errors += [CorpusError("owners", p) for p in problems]
    targets = assign_owners(targets, clauses, assignments)
    return Ingested([d.meta for d in corpus.docs], clauses, targets, errors, fingerprint(corpus_dir))
