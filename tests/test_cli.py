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


# --- a read-only or full index folder still serves --------------------------------------------

import os  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

import pytest  # noqa: E402

from tests.conftest import CORPUS, ROOT  # noqa: E402

QUESTION = "东城区孕产妇死亡率目标是多少"
NO_DAC = ["--bounding-set=-dac_override,-dac_read_search", "--inh-caps=-dac_override,-dac_read_search"]


def _unprivileged(cmd: list[str]) -> list[str]:
    """As root, chmod alone does not stop writes: drop the capabilities that bypass it."""
    if os.geteuid() != 0:
        return cmd
    if not shutil.which("setpriv"):
        pytest.skip("running as root without setpriv: cannot make a folder read-only")
    return [shutil.which("setpriv"), *NO_DAC, *cmd]


def _read_only_copy(settings, tmp_path):
    engine_index = settings.index_dir
    ro = tmp_path / "ro-index"
    shutil.copytree(engine_index, ro, ignore=shutil.ignore_patterns("*.lock", "feedback.sqlite*"))
    for p in [ro, *ro.rglob("*")]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    return ro


def _env(tmp_path) -> dict:
    return {**os.environ, "PLANQA_DATA": str(tmp_path / "data"), "HF_HUB_OFFLINE": "1"}


def _run(cmd, env, fsize: int | None = None, timeout=600) -> subprocess.CompletedProcess:
    limit = (lambda: resource.setrlimit(resource.RLIMIT_FSIZE, (fsize, fsize))) if fsize else None
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=ROOT, timeout=timeout, preexec_fn=limit)


@pytest.mark.slow
def test_a_stale_read_only_index_serves_from_memory_and_names_the_folder(engine, settings, tmp_path):
    ro = _read_only_copy(settings, tmp_path)
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    (corpus / "plans" / "003_6e451218832a53cc.txt").unlink()  # the tables and vectors are now stale
    r = _run(_unprivileged([sys.executable, "-m", "assistant", "--corpus", str(corpus), "--index", str(ro),
                            "ask", QUESTION, "--json"]), _env(tmp_path))
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr and "not writable" in r.stderr and str(ro) in r.stderr
    assert json.loads(r.stdout)["citations"][0]["doc_id"] == "dongcheng"
    assert not list(ro.rglob(".*tmp*"))


@pytest.mark.slow
def test_a_full_disk_while_building_is_a_warning_not_a_traceback(engine, settings, tmp_path):
    index = tmp_path / "index"
    index.mkdir()
    shutil.copy(settings.index_dir / "embeddings.sqlite", index)  # vectors known: only the writes fail
    r = _run([sys.executable, "-m", "assistant", "--index", str(index), "ask", QUESTION, "--json"], _env(tmp_path),
             fsize=64 * 1024)  # RLIMIT_FSIZE: any file past 64 KB fails to grow, as on a full disk
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Traceback" not in r.stderr and "not writable" in r.stderr
    assert json.loads(r.stdout)["citations"][0]["doc_id"] == "dongcheng"


@pytest.mark.slow
def test_serve_starts_on_a_read_only_index(engine, settings, tmp_path):
    from tests.ui.conftest import free_port

    ro = _read_only_copy(settings, tmp_path)
    port = free_port()
    proc = subprocess.Popen(_unprivileged([sys.executable, "-m", "ui", "--index", str(ro), "--port", str(port)]),
                            env=_env(tmp_path), cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline, up = time.monotonic() + 300, False
        while time.monotonic() < deadline and proc.poll() is None and not up:
            try:
                up = urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=5).status == 200
            except OSError:
                time.sleep(1)
        assert up, proc.communicate(timeout=30)[0][-3000:] if proc.poll() is not None else "no answer in time"
        assert (tmp_path / "data" / "feedback.sqlite").is_file()  # votes go to the data folder
    finally:
        proc.terminate()
        proc.wait(timeout=60)


def test_an_unwritable_feedback_file_stops_serve_with_a_clear_message(tmp_path):
    (tmp_path / "file").write_text("x")
    r = _run([sys.executable, "-m", "ui", "--feedback", str(tmp_path / "file" / "fb.sqlite")], _env(tmp_path))
    assert r.returncode == 2 and "Traceback" not in r.stderr and "--feedback" in r.stderr


def test_batch_reports_each_bad_line_and_answers_every_good_one(capsys, settings, engine, tmp_path):
    f = tmp_path / "batch.jsonl"
    good = json.dumps({"id": "a", "type": "t", "question": QUESTION}, ensure_ascii=False)
    f.write_bytes("\n".join([good, "{not json", json.dumps({"id": "b"}), ""]).encode() + b"\xff\xfe bad\n"
                  + json.dumps({"id": "c", "type": "t", "question": "西城区孕产妇死亡率目标是多少"}, ensure_ascii=False).encode())
    assert main(["ask", "--batch", str(f), "--index", str(settings.index_dir)]) == 1
    out, err = capsys.readouterr()
    assert [json.loads(x)["id"] for x in out.splitlines()] == ["a", "c"]
    assert f"{f}:2:" in err and f"{f}:3:" in err and f"{f}:4:" in err and "3 bad line" in err


def test_batch_on_a_folder_is_a_clear_error(capsys, settings, tmp_path):
    assert main(["ask", "--batch", str(tmp_path), "--index", str(settings.index_dir)]) == 2
    assert "not a file" in capsys.readouterr().err


def test_chat_skips_an_invalid_utf8_line_and_goes_on(capsys, monkeypatch, settings, engine):
    import io

    raw = b"\xff\xfe\xfd\n" + QUESTION.encode() + "\n那西城区呢？\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(raw), encoding="utf-8", errors="strict"))
    assert main(["chat", "--index", str(settings.index_dir)]) == 0
    out = capsys.readouterr().out
    assert "不是有效的 UTF-8" in out and "7/10万" in out.replace(" ", "") and "西城区" in out


def test_feedback_export(capsys, tmp_path):
    from openpyxl import load_workbook

    from assistant.feedback import FeedbackStore

    path = tmp_path / "fb.sqlite"
    assert main(["feedback", "--feedback", str(path)]) == 2  # no file yet: said, not created
    assert "no feedback file" in capsys.readouterr().err
    store = FeedbackStore(path)
    store.comment(store.add("东城区孕产妇死亡率目标是多少", [], "控制在7/10万以下", [], liked=False), "缺少年份")
    assert main(["feedback", "--feedback", str(path), "--format", "csv"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0].startswith("编号,时间,评价,意见,问题") and "缺少年份" in out
    assert main(["feedback", "--feedback", str(path), "--format", "xlsx"]) == 2
    capsys.readouterr()
    assert main(["feedback", "--feedback", str(path), "--format", "xlsx", "--output", str(tmp_path / "f.xlsx")]) == 0
    ws = load_workbook(tmp_path / "f.xlsx").active
    assert ws["C2"].value == "踩" and ws["D2"].value == "缺少年份"
