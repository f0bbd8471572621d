"""Add a plan file as staff receive it (PDF, Word, web page, text) to a corpus folder.

The text is extracted (assistant.ingest.formats), the manifest entry drafted from it
(assistant.ingest.draft), the plan parsed to show what was read, and then — unless it is a dry run —
the original file is kept in plans/ and the entry appended to the manifest. Nothing is written when
anything fails; a plan already in the corpus (same title, region and period) is reported, not added.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import yaml
from pydantic import ValidationError

from assistant.ingest.corpus import MANIFEST_NAMES, SourceDoc, load_corpus
from assistant.ingest.draft import draft_entry
from assistant.ingest.formats import ExtractError, extract
from assistant.ingest.structure import parse
from assistant.ingest.targets import extract as extract_targets
from assistant.models import DocMeta
from assistant.places import find_places
from assistant.text import norm

NEW_MANIFEST = """# One entry per plan in plans/ (written by `python -m assistant add`; see the README).
documents:
"""
INT_FIELDS = ("period_start", "period_end")
LIST_FIELDS = ("titles", "region_aliases")


class AddError(ValueError):
    """The file cannot be added; the message names it and says why. Nothing was written."""


@dataclass
class AddReport:
    file: str
    entry: dict
    missing: list[str]
    sections: dict[str, int] = field(default_factory=dict)  # "part/section" -> clauses
    targets: int = 0
    numeric_targets: int = 0
    duplicate_of: str | None = None
    written: bool = False
    stored_as: str | None = None

    def as_dict(self) -> dict:
        return {k: getattr(self, k) for k in
                ("file", "entry", "missing", "sections", "targets", "numeric_targets", "duplicate_of", "written", "stored_as")}


def apply_overrides(entry: dict, overrides: dict[str, str]) -> dict:
    """Corrections typed by a person (CLI --set, the app's form) over the drafted fields."""
    out = dict(entry)
    for k, v in overrides.items():
        v = v.strip() if isinstance(v, str) else v
        if k in INT_FIELDS:
            out[k] = int(v) if str(v).strip() else None
        elif k in LIST_FIELDS:
            out[k] = [x.strip() for x in re.split(r"[,，;；\n]", v) if x.strip()] if isinstance(v, str) else list(v)
        else:
            out[k] = v or None
    return out


def add_plan(corpus_dir: Path, path: Path, doc_id: str | None = None, *, dry_run: bool = False,
             overrides: dict[str, str] | None = None, name: str | None = None) -> AddReport:
    """Read, draft and (unless dry_run) store one plan file. `name`: the upload's own file name."""
    corpus_dir, path = Path(corpus_dir), Path(path)
    shown = name or path.name
    try:
        got = extract(path, shown)
    except ExtractError as e:
        raise AddError(str(e)) from None
    suffix = Path(shown).suffix.lower()
    raw = path.read_bytes()
    store_suffix, store_bytes = suffix, raw
    if got.kind == "txt" and got.encoding not in ("utf-8-sig", "utf-8"):
        store_bytes = got.text.encode("utf-8")  # the corpus keeps texts in UTF-8
    digest = hashlib.sha256(store_bytes).hexdigest()
    existing = _existing(corpus_dir)
    doc_id = doc_id or _doc_id(shown, digest)
    if not re.fullmatch(r"[a-z0-9_]+", doc_id):
        raise AddError(f"{shown}: doc id {doc_id!r} must be lower-case letters, digits and _")
    file_name = f"{_next_number(corpus_dir):03d}_{digest[:16]}{store_suffix}"
    draft = draft_entry(got.text, doc_id, file_name, find_places)
    entry = apply_overrides(draft.entry, overrides or {})
    missing = [k for k in draft.missing if entry.get(k) in (None, "", [])]
    report = AddReport(shown, entry, missing)

    if not missing:
        try:
            meta = DocMeta.model_validate(entry)
        except ValidationError as e:
            problems = "; ".join(f"{'.'.join(map(str, err['loc']))}: {err['msg']}" for err in e.errors())
            raise AddError(f"{shown}: drafted entry is not valid: {problems}") from None
        clauses = parse(SourceDoc(meta, got.text, digest))
        targets = [t for c in clauses for t in extract_targets(c, meta)]
        report.sections = dict(Counter(f"{c.part}/{c.section}" for c in clauses))
        report.targets = sum(t.kind == "target" for t in targets)
        report.numeric_targets = sum(t.kind == "target" and t.value_num is not None for t in targets)

    key = _key(entry)
    for e in existing:
        if key is not None and _key(e) == key:
            report.duplicate_of = e.get("doc_id")
        elif e.get("doc_id") == doc_id:
            raise AddError(f"{shown}: doc id {doc_id!r} is already used by {e.get('file')}; choose another with --doc-id")
    if dry_run or missing or report.duplicate_of:
        return report
    _store(corpus_dir, file_name, store_bytes, entry)
    report.written, report.stored_as = True, file_name
    return report


def _key(entry: dict) -> tuple | None:
    titles = entry.get("titles") or []
    if not titles:
        return None
    return (norm(titles[0]), entry.get("region"), entry.get("period_start"), entry.get("period_end"))


def _existing(corpus_dir: Path) -> list[dict]:
    mpath = _manifest(corpus_dir)
    if mpath is None:
        return []
    try:
        data = yaml.safe_load(mpath.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as e:
        raise AddError(f"{mpath}: manifest is not valid YAML ({e}); fix it before adding plans") from None
    docs = data.get("documents") if isinstance(data, dict) else None
    return [d for d in docs or [] if isinstance(d, dict)]


def _manifest(corpus_dir: Path) -> Path | None:
    return next((corpus_dir / n for n in MANIFEST_NAMES if (corpus_dir / n).exists()), None)


def _doc_id(shown: str, digest: str) -> str:
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(shown).stem.lower()).strip("_")
    return stem if stem and stem[0].isalpha() else f"plan_{digest[:8]}"


def _next_number(corpus_dir: Path) -> int:
    nums = [int(m.group(1)) for p in (corpus_dir / "plans").glob("*") if (m := re.match(r"(\d{3})_", p.name))]
    return max(nums, default=-1) + 1


def _entry_yaml(entry: dict, manifest: str) -> str:
    """The entry as a list item indented like the manifest's own items (appended: comments stay)."""
    m = re.search(r"^documents:[^\n]*\n(?:\s*#[^\n]*\n|\s*\n)*([ ]*)-", manifest, re.M)
    indent = m.group(1) if m else "  "
    body = yaml.safe_dump([entry], allow_unicode=True, sort_keys=False, default_flow_style=None, width=120)
    return "\n" + "".join(indent + ln if ln.strip() else ln for ln in body.splitlines(keepends=True))


def _store(corpus_dir: Path, file_name: str, data: bytes, entry: dict) -> None:
    """Plan file first, then the manifest (temp file, renamed); the manifest is checked by loading it
    again, and on any failure both are put back as they were."""
    plans = corpus_dir / "plans"
    plans.mkdir(parents=True, exist_ok=True)
    target = plans / file_name
    mpath = _manifest(corpus_dir) or corpus_dir / MANIFEST_NAMES[0]
    old = mpath.read_text(encoding="utf-8") if mpath.exists() else None
    base = old if old is not None else NEW_MANIFEST
    if re.search(r"^documents:\s*\[\s*\]\s*$", base, re.M):  # an empty flow list: items go below
        base = re.sub(r"^documents:\s*\[\s*\]\s*$", "documents:", base, flags=re.M)
    text = base.rstrip("\n") + "\n" + _entry_yaml(entry, base)
    fd, tmp = tempfile.mkstemp(prefix=".manifest-", suffix=".yaml", dir=corpus_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        target.write_bytes(data)
        os.replace(tmp, mpath)
        corpus = load_corpus(corpus_dir)
        if entry["doc_id"] not in {d.meta.doc_id for d in corpus.docs}:
            bad = "; ".join(str(e) for e in corpus.errors if e.file == file_name) or "entry not loaded"
            raise AddError(f"{file_name}: the corpus did not load the new plan ({bad}); nothing added")
    except Exception:
        if old is None:
            mpath.unlink(missing_ok=True)
        else:
            mpath.write_text(old, encoding="utf-8")
        target.unlink(missing_ok=True)
        raise
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)

