"""Two app replicas (python -m ui) on loopback against one PostgreSQL, driven by bench/load.py:
the same answers from both, 0 errors, every vote stored exactly once, across a PostgreSQL restart."""

from __future__ import annotations

import importlib.util
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.config import ROOT

pytestmark = pytest.mark.slow
CLIENTS = 4  # two per replica
LOAD_SECONDS = 12.0  # long enough for a restart in the middle and votes on both sides of it
RESTART_AFTER_S = 4.0  # into the load level


def _load_bench():
    spec = importlib.util.spec_from_file_location("bench_load", ROOT / "bench" / "load.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod  # its dataclasses look their module up there
    spec.loader.exec_module(mod)
    return mod


def test_two_replicas_one_postgres_same_answers_every_vote_once(pg, index_dir, tmp_path, request):
    from gradio_client import Client

    from assistant.config import Settings
    from assistant.store.shared import build
    from tests.conftest import _copy_sqlite
    from tests.test_engine_shared import small_corpus

    load = _load_bench()
    url = pg.fresh_database(f"replicas{abs(hash(request.node.name)) % 10**6}")
    (tmp_path / "index").mkdir()
    _copy_sqlite(index_dir / "embeddings.sqlite", tmp_path / "index" / "embeddings.sqlite")
    built = tmp_path / "built" / "milvus.db"
    built.parent.mkdir()
    s = Settings(corpus_dir=small_corpus(tmp_path / "corpus", ["dongcheng", "xicheng"]), index_dir=tmp_path / "index",
                 vector_uri=str(built), database_url=url)
    build(s)
    from assistant.store.milvus import release

    release(str(built))  # the builder's Milvus Lite handle: closed before the file is copied
    servers = []
    try:
        for j in range(2):
            env = {"PLANQA_DATABASE_URL": url, "PLANQA_VECTOR_URI": load.replica_vector_uri(str(built), tmp_path / f"r{j}")}
            servers.append(load.Server(str(tmp_path / "index"), None, tmp_path / f"server{j}.log", env))
        for sv in servers:
            sv.wait_ready()
        answers = []
        for sv in servers:
            c = Client(sv.url, verbose=False, download_files=False, analytics_enabled=False)
            try:
                answers.append(c.predict("东城区孕产妇死亡率目标是多少", [], api_name="/ask"))
            finally:
                c.close()
        assert answers[0]["answer"] == answers[1]["answer"] and "7/10万" in answers[0]["answer"].replace("／", "/")
        assert answers[0]["citations"] == answers[1]["citations"]

        restarted = threading.Event()

        def restart():
            time.sleep(RESTART_AFTER_S)
            pg.restart()
            restarted.set()

        t = threading.Thread(target=restart, daemon=True)
        t.start()
        res = load.run_level([sv.url for sv in servers], CLIENTS, LOAD_SECONDS, load.load_questions(), 1, url,
                             threading.Event())
        t.join()
        assert restarted.is_set()
        assert res["errors"] == 0, res["error_samples"]
        assert res["feedback_sent"] > 0 and res["feedback_ok"], res
        assert res["replicas"] == 2
    finally:
        for sv in servers:
            sv.stop()
