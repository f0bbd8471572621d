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
