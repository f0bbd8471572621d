"""Reading plan texts into clauses and target rows. Imports only the base modules."""

from __future__ import annotations

import hashlib
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from assistant.ingest.corpus import CorpusError, load_corpus
from assistant.ingest.owners import assign_owners, load_assignments
from assistant.ingest.structure import parse
from assistant.ingest.targets import extract
from assistant.lexicon import HERE as LEXICON_DIR
from assistant.models import Clause, DocMeta, Target

log = logging.getLogger(__name__)
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
    root = corpus_dir.resolve()
    # a link out of the corpus is never read (load_corpus refuses it); its target path is hashed instead
    files = [p for p in sorted(corpus_dir.rglob("*")) if p.is_file() and p.resolve().is_relative_to(root)]
    links = [p for p in sorted(corpus_dir.rglob("*")) if p.is_symlink() and p not in files]
    files += sorted(LEXICON_DIR.glob("*.yaml")) + sorted(LEXICON_DIR.glob("*.py"))  # indicator_key lives there
    for p in files:
        h.update(str(p.name).encode())
        h.update(p.read_bytes())
    for p in links:
        h.update(f"{p.name}->{os.readlink(p)}".encode())
    for p in sorted(Path(__file__).parent.glob("*.py")):
        h.update(p.read_bytes())
    return h.hexdigest()


def ingest(corpus_dir: Path) -> Ingested:
    corpus = load_corpus(corpus_dir)
    errors = list(corpus.errors)
    clauses: list[Clause] = []
    targets: list[Target] = []
    loaded: list[DocMeta] = []
    for doc in corpus.docs:
        try:  # one odd plan is reported by name; it never takes the others down
            doc_clauses = parse(doc)
            doc_targets = [t for c in doc_clauses for t in extract(c, doc.meta)]
        except Exception as e:  # noqa: BLE001 - any parser bug, for this plan only
            log.exception("parsing %s failed", doc.meta.file)
            errors.append(CorpusError(doc.meta.file, f"could not be parsed ({type(e).__name__}: {e}); plan skipped"))
            continue
        loaded.append(doc.meta)
        clauses += doc_clauses
        targets += doc_targets
    assignments, problems = load_assignments(Path(corpus_dir) / "owners")
    errors += [CorpusError("owners", p) for p in problems]
    targets = assign_owners(targets, clauses, assignments)
    return Ingested(loaded, clauses, targets, errors, fingerprint(corpus_dir))
