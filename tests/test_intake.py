"""`python -m assistant add FILE`: a plan as staff receive it, added to a corpus folder with its
manifest entry drafted from the text; bad files change nothing."""

from __future__ import annotations

import json
from collections import Counter

import pytest
import yaml

from assistant.cli import main
from assistant.ingest.corpus import load_corpus
from assistant.ingest.structure import parse
from tests.conftest import CORPUS

EXPECTED = {  # what the corpus's hand-written manifest says about each plan
    "dongcheng": dict(titles=["东城区“十四五”时期妇女儿童发展规划"], region="东城区", level="区", parent_region="北京市",
                      province="北京市", period_start=2021, period_end=2025, issuer="北京市东城区人民政府",
                      issue_date="2021-12-30", doc_number=None, kind="plan"),
    "xicheng": dict(titles=["北京市西城区“十四五”时期妇女儿童发展规划"], region="西城区", level="区", parent_region="北京市",
                    province="北京市", period_start=2021, period_end=2025, issuer="北京市西城区人民政府",
                    issue_date="2022-04-01", doc_number="西政发〔2022〕6号", kind="plan"),
    "zengdu": dict(titles=["曾都区妇女发展规划(2021—2030年)", "曾都区儿童发展规划(2021—2030年)"], region="曾都区", level="区",
                   parent_region="随州市", province="湖北省", period_start=2021, period_end=2030, issuer="曾都区人民政府",
                   issue_date="2022-12-29", doc_number="曾政发〔2022〕8号", kind="plan"),
}


@pytest.fixture(scope="module")
def text_counts():
    return {d.meta.doc_id: Counter(f"{c.part}/{c.section}" for c in parse(d)) for d in load_corpus(CORPUS).docs}


def _add(capsys, corpus, *args):
    rc = main(["--corpus", str(corpus), "--index", str(corpus.parent / "index"), "add", *map(str, args)])
    out = capsys.readouterr()
    return rc, out.out, out.err


@pytest.mark.parametrize("doc_id", ["dongcheng", "xicheng", "zengdu"])
@pytest.mark.parametrize("fmt", ["pdf", "docx", "html"])
def test_add_into_an_empty_corpus_drafts_the_entry_and_parses_as_the_text(
        capsys, plan_files, empty_corpus, text_counts, doc_id, fmt):
    rc, out, err = _add(capsys, empty_corpus, plan_files.get(doc_id, fmt), "--doc-id", doc_id, "--json")
    assert rc == 0, err
    r = json.loads(out)
    assert r["written"] and not r["missing"]
    assert {k: r["entry"][k] for k in EXPECTED[doc_id]} == EXPECTED[doc_id]
    assert Counter(r["sections"]) == text_counts[doc_id]
    manifest = yaml.safe_load((empty_corpus / "manifest.yaml").read_text(encoding="utf-8"))
    (entry,) = manifest["documents"]
    assert entry["doc_id"] == doc_id and (empty_corpus / "plans" / entry["file"]).is_file()
    assert entry["file"].endswith("." + fmt)  # the original file is kept
    (doc,) = load_corpus(empty_corpus).docs
    assert Counter(f"{c.part}/{c.section}" for c in parse(doc)) == text_counts[doc_id]
    if doc_id == "zengdu":
        assert [(p.part, p.population) for p in doc.meta.parts] == [("妇女", "妇女"), ("儿童", "儿童")]


def test_dry_run_writes_nothing_and_a_second_add_is_reported_not_repeated(capsys, plan_files, empty_corpus):
    rc, out, _ = _add(capsys, empty_corpus, plan_files.html("dongcheng"), "--doc-id", "dongcheng", "--dry-run")
    assert rc == 0 and "dry run: nothing written" in out and "| 儿童/主要目标 | 48 |" in out
    assert list(empty_corpus.iterdir()) == []
    assert _add(capsys, empty_corpus, plan_files.docx("dongcheng"), "--doc-id", "dongcheng")[0] == 0
    before = (empty_corpus / "manifest.yaml").read_text(encoding="utf-8")
    rc, out, _ = _add(capsys, empty_corpus, plan_files.gbk("dongcheng"), "--doc-id", "dc2")
    assert rc == 1 and "already in the corpus as 'dongcheng'" in out
    assert (empty_corpus / "manifest.yaml").read_text(encoding="utf-8") == before
    assert len(list((empty_corpus / "plans").iterdir())) == 1


def test_add_appends_to_an_existing_manifest_and_keeps_its_comments(capsys, plan_files, corpus_copy):
    manifest = corpus_copy / "manifest.yaml"
    old = manifest.read_text(encoding="utf-8")
    # the corpus's own Xicheng entry out of the way, so the Word file is a new plan
    data = yaml.safe_load(old)
    data["documents"] = [d for d in data["documents"] if d["doc_id"] != "xicheng"]
    manifest.write_text("# kept comment\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    rc, out, err = _add(capsys, corpus_copy, plan_files.docx("xicheng"), "--doc-id", "xicheng_word")
    assert rc == 0, err
    text = manifest.read_text(encoding="utf-8")
    assert text.startswith("# kept comment")
    docs = {d.meta.doc_id: d for d in load_corpus(corpus_copy).docs}
    assert set(docs) == {"beijing", "dongcheng", "zengdu", "bj_wcc_2018", "xicheng_word"}
    assert docs["xicheng_word"].meta.region == "西城区"


def test_gbk_text_is_stored_as_utf8(capsys, plan_files, empty_corpus):
    rc, out, err = _add(capsys, empty_corpus, plan_files.gbk("dongcheng"), "--doc-id", "dongcheng")
    assert rc == 0, err
    (stored,) = (empty_corpus / "plans").iterdir()
    assert "孕产妇死亡率" in stored.read_text(encoding="utf-8")


def test_missing_fields_are_named_and_can_be_given(capsys, empty_corpus, tmp_path):
    # the Beijing text's date line lost its 年/月 ("20211124日"): the date cannot be read
    src = tmp_path / "beijing.txt"
    src.write_bytes((CORPUS / "plans" / "000_4ecaf60f26a23958.txt").read_bytes())
    rc, out, _ = _add(capsys, empty_corpus, src, "--doc-id", "beijing")
    assert rc == 1 and "issue_date" in out.split("not found in the text")[1] and list(empty_corpus.iterdir()) == []
    rc, out, _ = _add(capsys, empty_corpus, src, "--doc-id", "beijing", "--set", "issue_date=2021-11-24")
    assert rc == 0
    (doc,) = load_corpus(empty_corpus).docs
    assert (doc.meta.issue_date, doc.meta.region, doc.meta.level, doc.meta.parent_region) == ("2021-11-24", "北京市", "市", None)


def test_bad_files_are_refused_by_name_and_nothing_is_written(capsys, empty_corpus, tmp_path):
    cases = {"empty.docx": b"", "broken.docx": b"PK\x03\x04 not really a zip", "scan.pdf": None}
    from PIL import Image

    for name, data in cases.items():
        p = tmp_path / name
        if data is None:
            Image.new("L", (620, 877), 255).save(p, "PDF")  # an image-only page
        else:
            p.write_bytes(data)
        rc, out, err = _add(capsys, empty_corpus, p, "--doc-id", "x")
        assert rc == 2 and name in err and err.startswith("error:")
    assert "no text layer, OCR needed" in err
    assert list(empty_corpus.iterdir()) == []
