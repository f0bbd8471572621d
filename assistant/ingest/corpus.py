"""The corpus folder: a manifest plus plan texts. Bad entries are reported, never fatal."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.models import DocMeta, problems

MANIFEST_NAMES = ("manifest.yaml", "manifest.yml")
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class CorpusError:
    file: str
    problem: str

    def __str__(self) -> str:
        return f"{self.file}: {self.problem}"


@dataclass(frozen=True)
class SourceDoc:
    meta: DocMeta
    text: str
    sha256: str


@dataclass
class Corpus:
    docs: list[SourceDoc]
    errors: list[CorpusError]

    @property
    def fingerprint(self) -> str:
        """Changes whenever a text or a manifest entry changes."""
        h = hashlib.sha256()
        for d in sorted(self.docs, key=lambda d: d.meta.doc_id):
            h.update(d.meta.model_dump_json().encode())
            h.update(d.sha256.encode())
        return h.hexdigest()


def manifest_path(corpus_dir: Path) -> Path:
    for name in MANIFEST_NAMES:
        if (corpus_dir / name).exists():
            return corpus_dir / name
    raise FileNotFoundError(f"no manifest.yaml in corpus folder {corpus_dir}")


def declared_regions(corpus_dir: Path) -> dict[str, str]:
    """file -> region as the manifest declares them, read leniently (for naming a plan that failed
    to load: 西城区的规划文本未能载入); {} when the manifest cannot be read at all."""
    try:
        raw = yaml.safe_load(manifest_path(corpus_dir).read_text(encoding="utf-8")) or {}
        entries = raw.get("documents", []) if isinstance(raw, dict) else []
        return {str(e["file"]): str(e["region"]) for e in entries if isinstance(e, dict) and e.get("file") and e.get("region")}
    except (OSError, ValueError, yaml.YAMLError, AttributeError):
        return {}


def plan_path(plans_dir: Path, file: str) -> Path:
    """The plan file a manifest entry names, resolved (symlinks followed); ValueError when it lies
    outside the plans folder, so a manifest can never make us read /etc/passwd."""
    root = plans_dir.resolve()
    try:
        path = (root / file).resolve()
    except (OSError, RuntimeError) as e:  # a symlink loop
        raise ValueError(f"cannot resolve path: {e}") from None
    if not path.is_relative_to(root):
        raise ValueError(f"path resolves outside the corpus plans folder ({root}); refused")
    return path


def read_text(path: Path) -> str:
    """UTF-8 text of a plan file; ValueError says what is wrong with it."""
    if not path.is_file():
        raise ValueError("file not found")
    if path.suffix.lower() in EXTRACTED:
        return _extracted_text(path)
    raw = path.read_bytes()
    if len(raw) > MAX_BYTES:
        raise ValueError(f"file too large ({len(raw)} bytes; limit {MAX_BYTES})")
    if b"\x00" in raw[:4096]:
        raise ValueError("binary file (NUL bytes), not a plan text")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        raise ValueError(f"not UTF-8 (byte {e.start}); save the file as UTF-8 (GBK files must be converted)") from None
    if not text.strip():
        raise ValueError("empty file")
    return text


EXTRACTED = (".pdf", ".docx", ".html", ".htm")  # plan files kept as received; text from assistant.ingest.formats


def _extracted_text(path: Path) -> str:
    from assistant.ingest.formats import ExtractError, extract

    try:
        return extract(path).text
    except ExtractError as e:
        raise ValueError(e.problem) from None


def load_corpus(corpus_dir: Path) -> Corpus:
    corpus_dir = Path(corpus_dir)
    mpath = manifest_path(corpus_dir)
    try:
        data = yaml.safe_load(mpath.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise ValueError(f"{mpath}: manifest is not valid YAML: {e}") from None
    entries = data.get("documents") if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise ValueError(f"{mpath}: manifest needs a top-level 'documents:' list")

    docs: list[SourceDoc] = []
    errors: list[CorpusError] = []
    seen: set[str] = set()
    plans_dir = corpus_dir / "plans"
    for i, entry in enumerate(entries):
        where = entry.get("file", f"entry {i + 1}") if isinstance(entry, dict) else f"entry {i + 1}"
        where = where if isinstance(where, str) and where else f"entry {i + 1}"
        try:
            meta = DocMeta.model_validate(entry)
        except ValidationError as e:
            errors.append(CorpusError(str(where), f"bad manifest entry: {problems(e)}"))
            continue
        if meta.doc_id in seen:
            errors.append(CorpusError(meta.file, f"duplicate doc_id '{meta.doc_id}'; entry skipped"))
            continue
        try:
            text = read_text(plan_path(plans_dir, meta.file))
        except (ValueError, OSError) as e:
            errors.append(CorpusError(meta.file, str(e)))
            continue
        seen.add(meta.doc_id)
        docs.append(SourceDoc(meta, text, hashlib.sha256(text.encode()).hexdigest()))
    return Corpus(docs, errors)
