from concurrent.futures import ThreadPoolExecutor

import pytest

from assistant.models import Observation
from assistant.store.db import load_tables
from assistant.store.observations import ObservationStore, ObservationStoreError


def _obs(region="东城区", year=2023, value=5.2, source="卫健委年报"):
    return Observation(region=region, indicator_key="孕产妇死亡率", indicator="孕产妇死亡率", year=year,
                       value=value, unit="/10万", written=f"{value} 1/10万", source=source)


def test_rows_read_back_and_a_corrected_row_replaces_its_twin(tmp_path):
    store = ObservationStore(tmp_path / "o.sqlite")
    assert store.all() == []
    assert store.add([_obs(), _obs(year=2022, value=6.0)]) == (2, 0)
    assert store.add([_obs(value=5.0), _obs(source="统计公报")]) == (1, 1)
    got = {(o.year, o.source): o.value for o in store.all()}
    assert got == {(2023, "卫健委年报"): 5.0, (2022, "卫健委年报"): 6.0, (2023, "统计公报"): 5.2}
    assert all(o.origin == "user" and o.added for o in store.all())


def test_user_rows_survive_a_rebuild_of_the_tables(tmp_path, corpus_copy, settings):
    index = tmp_path / "index"
    first = load_tables(corpus_copy, index / "plans.sqlite")
    store = ObservationStore(index / "observations.sqlite")
    store.add([_obs()])
    plan = corpus_copy / "plans" / "001_9849ab6d193f336f.txt"
    plan.write_text(plan.read_text(encoding="utf-8") + "\n", encoding="utf-8")  # the corpus changed: rebuild
    second = load_tables(corpus_copy, index / "plans.sqlite")
    assert second.fingerprint != first.fingerprint
    assert [o.value for o in ObservationStore(index / "observations.sqlite").all()] == [5.2]


def test_a_failing_add_stores_nothing(tmp_path):
    store = ObservationStore(tmp_path / "o.sqlite")
    with pytest.raises(AttributeError):
        store.add([_obs(), "not an observation"])  # type: ignore[list-item]
    assert store.all() == []


def test_a_damaged_file_is_reported_and_left_untouched(tmp_path):
    path = tmp_path / "o.sqlite"
    path.write_bytes(b"SQLite format 3\x00" + b"\x07" * 4000)
    before = path.read_bytes()
    with pytest.raises(ObservationStoreError, match="left untouched"):
        ObservationStore(path).all()
    with pytest.raises(ObservationStoreError):
        ObservationStore(path).add([_obs()])
    assert path.read_bytes() == before


def test_concurrent_writers_lose_nothing(tmp_path):
    path = tmp_path / "o.sqlite"
    ObservationStore(path).add([])

    def write(i):  # each writer its own store object and connection, as app workers have
        return ObservationStore(path).add([_obs(year=2000 + i, source=f"s{i}-{j}") for j in range(5)])

    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(write, range(8)))  # an exception in a writer is raised here
    assert results == [(5, 0)] * 8 and len(ObservationStore(path).all()) == 40
