from pathlib import Path

import yaml

from assistant.ingest.corpus import load_corpus
from assistant.ingest.owners import assign_owners, load_assignments


def _manifest(corpus: Path) -> dict:
    return yaml.safe_load((corpus / "manifest.yaml").read_text(encoding="utf-8"))


def _write(corpus: Path, data: dict) -> None:
    (corpus / "manifest.yaml").write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")


def test_bad_files_are_named_and_the_rest_still_load(corpus_copy):
    data = _manifest(corpus_copy)
    plans = corpus_copy / "plans"
    (plans / "gbk.txt").write_bytes("海淀区妇女儿童发展规划".encode("gbk"))
    (plans / "empty.txt").write_text("  \n", encoding="utf-8")
    (plans / "binary.txt").write_bytes(b"\x00\x01\x02PK")
    base = dict(data["documents"][1])
    for doc_id, file in [("gbk", "gbk.txt"), ("empty", "empty.txt"), ("binary", "binary.txt"), ("missing", "nowhere.txt")]:
        data["documents"].append({**base, "doc_id": doc_id, "file": file})
    data["documents"].append({**base})  # duplicate doc_id dongcheng
    data["documents"].append({"doc_id": "Bad Id!", "file": "x.txt"})
    _write(corpus_copy, data)

    corpus = load_corpus(corpus_copy)
    problems = {e.file: e.problem for e in corpus.errors}
    assert "UTF-8" in problems["gbk.txt"]
    assert "empty" in problems["empty.txt"]
    assert "binary" in problems["binary.txt"]
    assert "not found" in problems["nowhere.txt"]
    assert "duplicate doc_id" in problems["001_9849ab6d193f336f.txt"]
    assert "bad manifest entry" in problems["x.txt"]
    assert {d.meta.doc_id for d in corpus.docs} == {"beijing", "dongcheng", "zengdu", "xicheng", "bj_wcc_2018"}


def test_assignment_file_overrides_the_plan_rule(corpus_copy, tables):
    (corpus_copy / "owners" / "dongcheng.csv").write_text(
        "doc_id,clause_id,indicator_key,lead,partners\ndongcheng,,孕产妇死亡率,区卫生健康委,区妇联\n", encoding="utf-8")
    rows, errors = load_assignments(corpus_copy / "owners")
    assert not errors and rows[0].lead == "区卫生健康委"
    targets = assign_owners(tables.targets, tables.clauses, rows)
    t = next(t for t in targets if t.doc_id == "dongcheng" and t.indicator_key == "孕产妇死亡率")
    assert t.owner_source == "assignment" and t.owner.startswith("区卫生健康委")
    other = next(t for t in targets if t.doc_id == "dongcheng" and t.indicator_key == "婴儿死亡率")
    assert other.owner_source == "plan" and "成员单位" in other.owner and other.owner_clause_id.startswith("dongcheng:综合/组织实施")


def test_malformed_assignment_rows_are_reported(corpus_copy):
    (corpus_copy / "owners" / "bad.csv").write_text("doc_id,lead\ndongcheng,\n", encoding="utf-8")
    rows, errors = load_assignments(corpus_copy / "owners")
    assert not rows and "bad.csv:2" in errors[0]
