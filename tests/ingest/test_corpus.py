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


# --- hardening: paths stay in the corpus, one bad plan harms no other ------------------------

import os  # noqa: E402

import pytest  # noqa: E402
from hypothesis import HealthCheck, given, settings as hsettings, strategies as st  # noqa: E402

from assistant.ingest import ingest  # noqa: E402

SECRET = "TOP-SECRET-OUTSIDE-THE-CORPUS"


def _entry(data: dict, **over) -> dict:
    return {**data["documents"][1], **over}


def test_paths_outside_the_plans_folder_are_refused(corpus_copy, tmp_path):
    outside = tmp_path / "secret.txt"
    outside.write_text(f"一、总则\n{SECRET}\n", encoding="utf-8")
    os.symlink(outside, corpus_copy / "plans" / "link.txt")
    data = _manifest(corpus_copy)
    rel = os.path.relpath(outside, corpus_copy / "plans")
    data["documents"] += [_entry(data, doc_id="dotdot", file=rel), _entry(data, doc_id="absolute", file=str(outside)),
                          _entry(data, doc_id="symlink", file="link.txt")]
    _write(corpus_copy, data)
    corpus = load_corpus(corpus_copy)
    problems = {e.file: e.problem for e in corpus.errors}
    for name in (rel, str(outside), "link.txt"):
        assert "outside the corpus" in problems[name], problems
    assert not any(SECRET in d.text for d in corpus.docs)
    assert {"dotdot", "absolute", "symlink"}.isdisjoint(d.meta.doc_id for d in corpus.docs)


def test_a_link_inside_the_plans_folder_still_loads(corpus_copy):
    os.symlink("001_9849ab6d193f336f.txt", corpus_copy / "plans" / "alias.txt")
    data = _manifest(corpus_copy)
    data["documents"].append(_entry(data, doc_id="alias", file="alias.txt"))
    _write(corpus_copy, data)
    assert "alias" in {d.meta.doc_id for d in load_corpus(corpus_copy).docs}


def test_a_section_with_a_thousand_items_loads_with_the_others(corpus_copy):
    items = "\n".join(f"{i % 99 + 1}. 加强妇女儿童服务工作第{i}项。" for i in range(1, 1206))
    (corpus_copy / "plans" / "huge.txt").write_text(f"一、主要目标\n{items}\n", encoding="utf-8")
    data = _manifest(corpus_copy)
    data["documents"].append(_entry(data, doc_id="huge", file="huge.txt", short_name="大规划"))
    _write(corpus_copy, data)
    got = ingest(corpus_copy)
    assert not got.errors, got.errors
    huge = [c for c in got.clauses if c.doc_id == "huge"]
    assert len(huge) == 1205 and huge[-1].label.endswith("第一千二百零五条")
    assert {"beijing", "dongcheng", "huge"} <= {d.doc_id for d in got.docs}


def test_a_plan_that_breaks_the_parser_is_reported_and_the_others_load(corpus_copy, monkeypatch):
    import assistant.ingest as ingest_mod

    real = ingest_mod.parse

    def parse(doc):  # fault injection: a parser bug that only this plan's text triggers
        if doc.meta.doc_id == "zengdu":
            raise IndexError("string index out of range")
        return real(doc)

    monkeypatch.setattr(ingest_mod, "parse", parse)
    got = ingest(corpus_copy)
    assert [e.file for e in got.errors] == ["002_f195922d897a1781.txt"]
    assert "IndexError" in got.errors[0].problem
    assert "zengdu" not in {d.doc_id for d in got.docs} and {"beijing", "dongcheng"} <= {d.doc_id for d in got.docs}


def test_an_unquoted_yaml_date_is_accepted(corpus_copy):
    path = corpus_copy / "manifest.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('issue_date: "2021-12-30"', "issue_date: 2021-12-30"),
                    encoding="utf-8")
    corpus = load_corpus(corpus_copy)
    dong = next(d for d in corpus.docs if d.meta.doc_id == "dongcheng")
    assert dong.meta.issue_date == "2021-12-30" and not corpus.errors


_yaml_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30),
                          st.dates())
_yaml_values = st.recursive(_yaml_scalars, lambda inner: st.lists(inner, max_size=3)
                            | st.dictionaries(st.text(max_size=10), inner, max_size=3), max_leaves=8)
_entries = st.fixed_dictionaries({}, optional={
    "doc_id": st.one_of(st.sampled_from(["dongcheng", "x1", "Bad Id"]), _yaml_values),
    "file": st.one_of(st.sampled_from(["001_9849ab6d193f336f.txt", "../manifest.yaml", "/etc/passwd", "", ".",
                                       "plans/../../x", "a\x00b"]), _yaml_values),
    "titles": st.one_of(st.just(["某规划"]), _yaml_values), "short_name": _yaml_values, "region": _yaml_values,
    "level": st.one_of(st.just("区"), _yaml_values), "province": _yaml_values, "period_start": _yaml_values,
    "period_end": _yaml_values, "issuer": _yaml_values, "issue_date": _yaml_values, "parts": _yaml_values})


@hsettings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(entries=st.lists(st.one_of(_entries, _yaml_values), max_size=4))
def test_arbitrary_manifests_never_crash_loading(corpus_copy, entries):
    (corpus_copy / "manifest.yaml").write_text(yaml.safe_dump({"documents": entries}, allow_unicode=True), "utf-8")
    corpus = load_corpus(corpus_copy)
    for d in corpus.docs:
        assert (corpus_copy / "plans" / d.meta.file).resolve().is_relative_to((corpus_copy / "plans").resolve())
    assert len(corpus.docs) + len(corpus.errors) == len(entries)


_plan_lines = st.one_of(
    st.text(max_size=40),
    st.builds(lambda n, t: f"{n}. {t}", st.integers(0, 99), st.text(max_size=20)),
    st.builds(lambda n, t: f"（{n}）{t}", st.sampled_from(["一", "十二", "", "九十九"]), st.text(max_size=20)),
    st.sampled_from(["一、主要目标", "二、策略措施", "（一）妇女与健康", "主要目标：", "策略措施：", "妇女", "儿童"]),
)


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(_plan_lines, min_size=1, max_size=60), repeat=st.integers(1, 30))
def test_arbitrary_plan_texts_never_crash_loading(tmp_path_factory, lines, repeat):
    corpus = tmp_path_factory.mktemp("c")
    (corpus / "plans").mkdir()
    (corpus / "plans" / "p.txt").write_text("\n".join(lines * repeat), encoding="utf-8")
    (corpus / "plans" / "ok.txt").write_text("一、主要目标\n1. 孕产妇死亡率控制在10/10万以下。\n", encoding="utf-8")
    base = {"titles": ["某规划"], "short_name": "某规划", "region": "某区", "level": "区", "province": "某省",
            "period_start": 2021, "period_end": 2025, "issuer": "某区政府", "issue_date": "2021-12-30"}
    (corpus / "manifest.yaml").write_text(yaml.safe_dump({"documents": [
        {**base, "doc_id": "p", "file": "p.txt"}, {**base, "doc_id": "ok", "file": "ok.txt", "region": "好区"}]},
        allow_unicode=True), "utf-8")
    got = ingest(corpus)
    assert "ok" in {d.doc_id for d in got.docs}
    assert {d.doc_id for d in got.docs} | {"p" for e in got.errors if e.file == "p.txt"} >= {"p", "ok"}
