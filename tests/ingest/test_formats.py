"""The same plan as text, PDF, Word, web page and GBK text gives the same clauses and target rows;
bad files get a clear error naming the file."""

from __future__ import annotations

from collections import Counter

import pytest

from assistant.ingest.corpus import SourceDoc, load_corpus
from assistant.ingest.formats import MAX_FILE_BYTES, ExtractError, extract
from assistant.ingest.structure import parse
from assistant.ingest.targets import extract as extract_targets
from assistant.text import norm
from tests.conftest import CORPUS

FORMATS = ["pdf", "docx", "html", "gbk"]
MIN_NUMERIC_SHARE = 0.95  # the bar for numeric targets recovered from another format


@pytest.fixture(scope="module")
def text_docs():
    return {d.meta.doc_id: d for d in load_corpus(CORPUS).docs}


def _parsed(doc):
    clauses = parse(doc)
    targets = [t for c in clauses for t in extract_targets(c, doc.meta)]
    return clauses, targets


def _row(t):
    return (t.clause_id, norm(t.indicator), t.comparator, norm(t.value or ""), t.year, t.kind)


@pytest.mark.parametrize("doc_id", ["dongcheng", "xicheng", "zengdu"])
@pytest.mark.parametrize("fmt", FORMATS)
def test_every_format_gives_the_text_versions_clauses_and_targets(plan_files, text_docs, doc_id, fmt):
    base = text_docs[doc_id]
    got = extract(plan_files.get(doc_id, fmt))
    alt = SourceDoc(base.meta, got.text, "x")
    (c0, t0), (c1, t1) = _parsed(base), _parsed(alt)
    assert Counter((c.part, c.section) for c in c1) == Counter((c.part, c.section) for c in c0)
    assert [c.clause_id for c in c1] == [c.clause_id for c in c0]
    assert [norm(c.text) for c in c1] == [norm(c.text) for c in c0]
    numeric = {_row(t) for t in t0 if t.value_num is not None}
    assert len(numeric & {_row(t) for t in t1}) / len(numeric) >= MIN_NUMERIC_SHARE
    assert sorted(map(_row, t1)) == sorted(map(_row, t0))


def test_pdf_clauses_carry_their_page(plan_files, text_docs):
    base = text_docs["dongcheng"]
    clauses = parse(SourceDoc(base.meta, extract(plan_files.pdf("dongcheng")).text, "x"))
    pages = [c.page for c in clauses]
    assert None not in pages and pages == sorted(pages) and pages[0] == 1 and pages[-1] > 40
    c = next(c for c in clauses if c.clause_id == "dongcheng:儿童/健康/主要目标/1")
    assert 1 < c.page < pages[-1]
    assert all(c.page is None for c in parse(base))


def test_hard_wrapped_text_with_blank_lines_and_page_numbers_keeps_the_childrens_goals(text_docs):
    """The issue's case: Dongcheng laid out as PDF-extracted text, about 30 characters a line, a
    blank line after each, "— n —" every page; no indentation to help."""
    base = text_docs["dongcheng"]
    width, per_page = 30, 36  # characters a line; lines a page
    lines = [p[i:i + width] for p in base.text.splitlines() if p.strip() for i in range(0, len(p.strip()), width)]
    out = []
    for i, ln in enumerate(lines):
        out.append(ln.strip())
        if (i + 1) % per_page == 0:
            out.append(f"— {(i + 1) // per_page} —")
    clauses = parse(SourceDoc(base.meta, "\n\n".join(out), "x"))
    n = Counter((c.part, c.section) for c in clauses)
    n0 = Counter((c.part, c.section) for c in parse(base))
    assert n[("儿童", "主要目标")] == n0[("儿童", "主要目标")] == 48
    assert n[("儿童", "策略措施")] == n0[("儿童", "策略措施")]
    assert n[("妇女", "主要目标")] == n0[("妇女", "主要目标")]


def test_gbk_text_is_read_and_its_encoding_named(plan_files):
    got = extract(plan_files.gbk("dongcheng"))
    assert got.encoding == "gb18030" and "孕产妇死亡率控制在7／10万以下" in got.text


# --- bad files --------------------------------------------------------------------------------

def _scanned_pdf(path):
    from PIL import Image, ImageDraw

    img = Image.new("L", (1240, 1754), 255)  # an A4 page at 150 dpi, as a scanner makes it
    ImageDraw.Draw(img).rectangle([100, 100, 1100, 300], fill=0)
    img.save(path, "PDF")


def _encrypted_pdf(path, plan_files):
    from pypdf import PdfReader, PdfWriter

    w = PdfWriter(clone_from=PdfReader(plan_files.pdf("dongcheng")))
    w.encrypt(user_password="secret", algorithm="RC4-128")
    with open(path, "wb") as f:
        w.write(f)


@pytest.mark.parametrize("case,expect", [
    ("scanned.pdf", "no text layer, OCR needed"),
    ("locked.pdf", "encrypted"),
    ("broken.docx", "not a readable Word"),
    ("empty.pdf", "empty file"),
    ("huge.pdf", "too large"),
    ("notes.rtf", "unsupported file type"),
    ("garbage.pdf", "not a readable PDF"),
])
def test_bad_files_get_a_clear_error_naming_the_file(tmp_path, plan_files, case, expect):
    p = tmp_path / case
    if case == "scanned.pdf":
        _scanned_pdf(p)
    elif case == "locked.pdf":
        _encrypted_pdf(p, plan_files)
    elif case == "broken.docx":
        p.write_bytes(plan_files.docx("dongcheng").read_bytes()[:5000])  # a download cut short
    elif case == "empty.pdf":
        p.write_bytes(b"")
    elif case == "huge.pdf":
        with open(p, "wb") as f:  # sparse: 100 MB without writing them
            f.truncate(100 * 1024 * 1024)
        assert p.stat().st_size > MAX_FILE_BYTES
    elif case == "notes.rtf":
        p.write_text("{\\rtf1 东城区}", encoding="utf-8")
    else:
        p.write_bytes(b"%PDF-1.7\n" + b"\x8f\x01garbage" * 100)
    with pytest.raises(ExtractError) as e:
        extract(p)
    assert case in str(e.value) and expect in str(e.value)
