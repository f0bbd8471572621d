"""Monitoring: each target against its observations, with the numbers behind every status."""

import pytest

from assistant import lexicon
from assistant.config import Settings
from assistant.ingest.observations import read_observations
from assistant.models import Observation
from assistant.monitor import (ANNUAL_COLUMNS, Status, add_observations, annual_rows, corpus_observations,
                               load_observations, statuses)
from assistant.store.observations import ObservationStore
from assistant.text import norm
from tests.conftest import ROOT

SAMPLE = ROOT / "tests" / "fixtures" / "observations_sample.csv"


def _obs(region, key, year, value, unit, source="样例（虚构）", origin="user"):
    return Observation(region=region, indicator_key=key, indicator=key, year=year, value=value, unit=unit,
                       written=f"{value}{unit}", source=source, origin=origin)


@pytest.fixture(scope="module")
def sample_rows(tables):
    obs = corpus_observations(tables.targets, tables.docs, tables.clauses)
    obs += read_observations(SAMPLE, tables.docs, tables.targets).observations
    return {(r.doc_id, r.indicator_key, r.by_year, r.clause_id): r for r in statuses(tables.targets, obs, tables.docs, tables.clauses)}


def _one(rows, doc_id, key, year=2025):
    found = [r for (d, k, y, _), r in rows.items() if (d, k, y) == (doc_id, key, year)]
    assert len(found) == 1, (doc_id, key, year, found)
    return found[0]


def test_dongcheng_met_and_xicheng_not_met_at_the_same_target(tables, tmp_path):
    p = tmp_path / "o.csv"
    p.write_text("地区,指标,年份,数值,单位\n东城区,孕产妇死亡率,2023,5.2,1/10万\n西城区,孕产妇死亡率,2023,7.5,1/10万\n", encoding="utf-8")
    obs = read_observations(p, tables.docs, tables.targets).observations
    rows = {r.doc_id: r for r in statuses(tables.targets, obs, tables.docs) if r.indicator_key == "孕产妇死亡率"}
    for doc, status, seen in (("dongcheng", Status.met, 5.2), ("xicheng", Status.not_met, 7.5)):
        r = rows[doc]
        assert (r.comparator, r.target_norm_value, r.target_unit) == ("<=", 7.0, "/10万")
        assert (r.status, r.observed_year, r.observed_value, r.direction) == (status, 2023, seen, "lower")
        assert r.status_label == status.label
    assert rows["dongcheng"].clause_id == "dongcheng:妇女/健康/主要目标/2"
    assert rows["beijing"].status == Status.no_data and rows["beijing"].observed_value is None


def test_every_status_from_the_sample_file(sample_rows):
    expect = {
        ("dongcheng", "孕产妇死亡率", 2025): Status.met,  # lower is better
        ("dongcheng", "学前教育毛入园率", 2025): Status.met,  # higher is better
        ("dongcheng", "城镇单位就业人员中女性比例", 2025): Status.met,  # 42%左右: within the tolerance
        ("dongcheng", "婴儿死亡率", 2025): Status.at_risk,  # rising towards a ≤ target
        ("dongcheng", "免疫规划疫苗接种率", 2025): Status.at_risk,  # falling from a ≥ target
        ("dongcheng", "普惠性幼儿园覆盖率", 2025): Status.not_met,  # below, but the trend gets there
        ("dongcheng", "新生儿死亡率", 2025): Status.no_data,  # its only row (5 名) was refused
        ("xicheng", "孕产妇死亡率", 2025): Status.not_met,
        ("xicheng", "婴儿死亡率", 2025): Status.met,  # 250/10万 = 2.5‰
        ("zengdu", "孕产妇死亡率", 2025): Status.met,  # 0.95 万分之 = 9.5/10万 ≤ 万分之一
        ("zengdu", "孕产妇死亡率", 2030): Status.not_met,  # … > 十万分之九
        ("zengdu", "新生儿死亡率", 2025): Status.met,
        ("zengdu", "新生儿死亡率", 2030): Status.not_met,
    }
    for (doc, key, year), status in expect.items():
        assert _one(sample_rows, doc, key, year).status == status, (doc, key, year)
    qualitative = [r for r in sample_rows.values() if r.doc_id == "dongcheng" and r.indicator_key == "两癌筛查"]
    assert qualitative and all(r.status == Status.qualitative for r in qualitative)
    assert {r.status for r in sample_rows.values()} == set(Status)


def test_rows_carry_the_numbers_they_were_decided_from(sample_rows):
    r = _one(sample_rows, "dongcheng", "婴儿死亡率")
    assert [(p.year, p.value) for p in r.series] == [(2022, 3.1), (2023, 3.2)]  # 0.32% read as 3.2‰
    assert (r.observed_unit, r.target_unit) == ("%", "‰")
    assert r.trend_per_year == pytest.approx(0.1) and r.projected_value == pytest.approx(3.4)
    assert "3.2‰" in r.reason and "3.4‰" in r.reason and "2025" in r.reason
    on_track = _one(sample_rows, "dongcheng", "普惠性幼儿园覆盖率")
    assert on_track.projected_value == pytest.approx(94) and "可以达到" in on_track.reason
    approx = _one(sample_rows, "dongcheng", "城镇单位就业人员中女性比例")
    assert approx.direction == "within"
    assert approx.tolerance == pytest.approx(42 * lexicon.monitor().approx_tolerance)


def test_zengdu_per_10000_converts_to_per_100000(sample_rows):
    r = _one(sample_rows, "zengdu", "孕产妇死亡率", 2030)
    assert (r.observed_value, r.observed_unit, r.target_norm_value, r.target_value) == (9.5, "/万", 9.0, "十万分之九")


def test_approx_target_outside_its_tolerance_is_not_met(tables):
    obs = [_obs("东城区", "城镇单位就业人员中女性比例", 2023, 45.0, "%")]
    r = next(r for r in statuses(tables.targets, obs, tables.docs) if r.doc_id == "dongcheng"
             and r.indicator_key == "城镇单位就业人员中女性比例")
    assert r.status == Status.not_met  # 45 is more than 5% away from 42, and ≈ has no better side


def test_a_users_value_wins_over_the_corpus_for_the_same_year(tables):
    corpus = corpus_observations(tables.targets, tables.docs, tables.clauses)
    base = next(o for o in corpus if o.region == "西城区" and o.indicator_key == "普惠性幼儿园覆盖率")
    user = _obs("西城区", "普惠性幼儿园覆盖率", base.year, 90.0, "%")
    r = next(r for r in statuses(tables.targets, corpus + [user], tables.docs) if r.doc_id == "xicheng"
             and r.indicator_key == "普惠性幼儿园覆盖率")
    assert (r.status, r.observed_value, r.source, r.source_clause_id) == (Status.met, 90.0, "样例（虚构）", None)
    corpus_only = next(r for r in statuses(tables.targets, corpus, tables.docs) if r.doc_id == "xicheng"
                       and r.indicator_key == "普惠性幼儿园覆盖率")
    assert (corpus_only.observed_value, corpus_only.source_clause_id) == (82.49, base.clause_id)


def test_an_umbrella_indicator_is_never_judged(tables):
    obs = [_obs("东城区", "领导班子女干部配备", 2023, 10.0, "%")]
    rows = [r for r in statuses(tables.targets, obs, tables.docs) if r.doc_id == "dongcheng"
            and r.indicator_key == "领导班子女干部配备"]
    assert rows and all(r.status == Status.qualitative for r in rows)


def test_corpus_observations_stand_in_their_clauses(tables, clauses_by_id):
    obs = corpus_observations(tables.targets, tables.docs, tables.clauses)
    assert {o.doc_id for o in obs} == {"xicheng", "bj_wcc_2018"}
    for o in obs:
        clause = clauses_by_id[o.clause_id]
        assert o.origin == "corpus" and o.source == clause.label
        assert norm(o.written) in norm(clause.text) and norm(o.indicator) in norm(clause.text)
        if o.doc_id == "xicheng":  # 发展基础 of a 十四五 plan reports 十三五末
            assert o.year == 2020 and ("十三五" in clause.text or "2020" in clause.text)
        else:
            assert o.year == 2018 and clause.part == "2018年工作总结"
    by = {(o.region, o.indicator_key): o for o in obs}
    assert by[("北京市", "婚前医学检查率")].value == 16.5
    assert by[("西城区", "普惠性幼儿园覆盖率")].value == 82.49
    assert not any(o.unit == "个百分点" for o in obs)  # 提高了3.74个百分点 is a change, not a level


def test_status_words_come_from_the_data_file():
    assert [s.label for s in Status] == ["已达标", "未达标", "有风险", "无数据", "定性目标，不作数值判断"]
    assert {s.value: s.label for s in Status} == lexicon.monitor().statuses


def test_annual_table_layout(sample_rows):
    rows = [_one(sample_rows, "dongcheng", "婴儿死亡率"), _one(sample_rows, "dongcheng", "孕产妇死亡率")]
    table = annual_rows(rows)
    assert list(table[0]) == ANNUAL_COLUMNS
    assert ANNUAL_COLUMNS[1:8] == ["指标", "目标值", "实际值", "年份", "状态", "依据条款", "数据来源"]
    assert table[0]["实际值"] == "0.32%（=3.2‰）" and table[0]["状态"] == "有风险" and table[0]["年份"] == 2023
    assert table[1]["目标值"] == "≤7／10万（2025年）" and table[1]["依据条款"] == "东城区规划 · 妇女与健康 · 主要目标 第二条"


def test_add_then_load_keeps_user_and_corpus_rows(settings, tables, tmp_path):
    s = Settings(corpus_dir=settings.corpus_dir, index_dir=settings.index_dir, observations_file=tmp_path / "o.sqlite")
    store = ObservationStore(s.observations_path)
    dry = add_observations(SAMPLE, store, tables, dry_run=True)
    assert not dry.stored and not (tmp_path / "o.sqlite").exists() and len(dry.problems) == 4
    first = add_observations(SAMPLE, store, tables)
    again = add_observations(SAMPLE, store, tables)
    assert (first.new, first.replaced, again.new, again.replaced) == (14, 0, 0, 14)
    loaded = load_observations(tables, store)
    assert sum(o.origin == "user" for o in loaded) == 14 and any(o.origin == "corpus" for o in loaded)


def test_a_source_typed_as_a_formula_stays_text_in_the_export(tables, tmp_path):
    from openpyxl import load_workbook

    from assistant.monitor import write_annual_xlsx

    obs = [_obs("东城区", "孕产妇死亡率", 2023, 5.2, "/10万", source='=HYPERLINK("http://x","y")')]
    rows = [r for r in statuses(tables.targets, obs, tables.docs) if r.doc_id == "dongcheng" and r.observed_value]
    write_annual_xlsx(annual_rows(rows), tmp_path / "a.xlsx")
    cell = load_workbook(tmp_path / "a.xlsx").active.cell(row=2, column=ANNUAL_COLUMNS.index("数据来源") + 1)
    assert cell.data_type == "s" and cell.value == '\'=HYPERLINK("http://x","y")'


def test_a_target_missed_in_its_own_year_is_not_met_not_at_risk(tables):
    obs = [_obs("东城区", "婴儿死亡率", 2024, 3.1, "‰"), _obs("东城区", "婴儿死亡率", 2025, 3.3, "‰")]
    r = next(r for r in statuses(tables.targets, obs, tables.docs) if r.doc_id == "dongcheng" and r.indicator_key == "婴儿死亡率")
    assert (r.by_year, r.observed_year, r.status) == (2025, 2025, Status.not_met)  # the year has come: no risk left, a miss
