import json

from assistant.cli import main


def test_folder_options_work_before_or_after_the_command(capsys, settings, tables):
    args = ["--corpus", str(settings.corpus_dir), "--index", str(settings.index_dir)]
    assert main([*args, "stats"]) == 0
    out = capsys.readouterr().out
    assert "| beijing | 妇女 | 主要目标 | 58 |" in out
    assert main(["targets", "--doc", "zengdu", "--indicator", "孕产妇死亡率", "--format", "jsonl", *args]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["value"] for r in rows} == {"万分之一", "十万分之九"} and all(r["clause_text"] for r in rows)


def test_ask_json_shape(capsys, settings, engine):
    assert main(["ask", "东城区孕产妇死亡率目标是多少", "--json", "--index", str(settings.index_dir)]) == 0
    a = json.loads(capsys.readouterr().out)
    assert set(a) >= {"answer", "answerable", "citations", "targets", "intent"}
    assert a["citations"][0]["clause_id"] == "dongcheng:妇女/健康/主要目标/2"


def test_bad_corpus_folder_is_a_clear_error(capsys, tmp_path):
    assert main(["--corpus", str(tmp_path), "--index", str(tmp_path / "i"), "stats"]) == 2
    assert "manifest.yaml" in capsys.readouterr().err


def test_observations_add_then_status(capsys, settings, tables, tmp_path, monkeypatch):
    from openpyxl import load_workbook

    from tests.conftest import ROOT

    monkeypatch.setenv("PLANQA_OBSERVATIONS", str(tmp_path / "o.sqlite"))
    sample = str(ROOT / "tests" / "fixtures" / "observations_sample.csv")
    args = ["--index", str(settings.index_dir)]
    assert main(["observations", "add", sample, "--dry-run", *args]) == 1  # rows were left out
    out = capsys.readouterr().out
    assert "row 17 not matched" in out and "nothing written" in out and not (tmp_path / "o.sqlite").exists()
    assert main(["observations", "add", sample, *args]) == 1
    assert "stored 14 new" in capsys.readouterr().out

    assert main(["status", "--doc", "dongcheng", *args]) == 0
    rows = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert {r["doc_id"] for r in rows} == {"dongcheng"}
    mmr = next(r for r in rows if r["indicator_key"] == "孕产妇死亡率")
    assert (mmr["status"], mmr["status_label"], mmr["observed_value"], mmr["target_norm_value"]) == ("met", "已达标", 5.2, 7.0)

    assert main(["status", "--format", "csv", *args]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "规划,指标,目标值,实际值,年份,状态,依据条款,数据来源,判断依据"
    assert any(line.startswith("西城区规划,孕产妇死亡率,") and ",未达标," in line for line in lines)

    xlsx = tmp_path / "s.xlsx"
    assert main(["status", "--format", "xlsx", "--output", str(xlsx), *args]) == 0
    ws = load_workbook(xlsx).active
    assert ws.title == "年度监测" and [c.value for c in ws[1]][:8] == ["规划", "指标", "目标值", "实际值", "年份", "状态", "依据条款", "数据来源"]
    assert main(["status", "--doc", "nowhere", *args]) == 2


def test_observations_add_bad_file_is_a_clear_error(capsys, settings, tmp_path, monkeypatch):
    monkeypatch.setenv("PLANQA_OBSERVATIONS", str(tmp_path / "o.sqlite"))
    (tmp_path / "x.csv").write_text("名称,备注\n甲,乙\n", encoding="utf-8")
    assert main(["observations", "add", str(tmp_path / "x.csv"), "--index", str(settings.index_dir)]) == 2
    assert "no column for region" in capsys.readouterr().err
