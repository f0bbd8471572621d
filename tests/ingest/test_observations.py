"""Reading observation tables: columns by header words, rows matched to plans and indicators, problems by row."""

import csv

import pytest

from assistant.ingest.observations import TableError, read_observations
from tests.conftest import ROOT

SAMPLE = ROOT / "tests" / "fixtures" / "observations_sample.csv"


def _write_csv(path, rows, encoding="utf-8"):
    with open(path, "w", encoding=encoding, newline="") as fh:
        csv.writer(fh).writerows(rows)
    return path


def test_sample_rows_that_cannot_be_matched_are_reported_by_row_number(tables):
    r = read_observations(SAMPLE, tables.docs, tables.targets)
    problems = {p.row: p.problem for p in r.problems}
    assert set(problems) == {17, 18, 19, 20}
    assert "朝阳区" in problems[17] and "地区" in problems[17]
    assert "人均GDP" in problems[18] and "指标" in problems[18]
    assert "年份" in problems[19] and "数值" in problems[19]
    assert "名" in problems[20] and "‰" in problems[20]  # a count cannot be a mortality rate
    assert r.rows == 18 and len(r.observations) == 14


def test_regions_by_manifest_aliases_and_indicators_by_lexicon_names(tables):
    r = read_observations(SAMPLE, tables.docs, tables.targets)
    got = {(o.region, o.indicator_key, o.year) for o in r.observations}
    assert ("东城区", "免疫规划疫苗接种率", 2023) in got  # 东城 (alias) + 疫苗接种率 (lexicon name)
    assert ("曾都区", "新生儿死亡率", 2023) in got  # 随州市曾都区 (alias)
    assert all(o.source == "样例数据（虚构）" for o in r.observations)


def test_units_are_read_as_target_units(tables):
    r = read_observations(SAMPLE, tables.docs, tables.targets)
    by = {(o.region, o.indicator_key, o.year): o for o in r.observations}
    assert (by[("东城区", "孕产妇死亡率", 2023)].value, by[("东城区", "孕产妇死亡率", 2023)].unit) == (5.2, "/10万")
    assert (by[("曾都区", "孕产妇死亡率", 2023)].value, by[("曾都区", "孕产妇死亡率", 2023)].unit) == (0.95, "/万")
    assert (by[("曾都区", "新生儿死亡率", 2023)].value, by[("曾都区", "新生儿死亡率", 2023)].unit) == (3.2, "‰")  # unit in the value cell
    assert by[("东城区", "婴儿死亡率", 2023)].unit == "%"


def test_english_headers_in_any_order_from_excel(tables, tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["Source", "Year", "Indicator", "Region", "Unit", "Value"])
    ws.append(["made-up sample", 2024, "Infant mortality: 婴儿死亡率", "西城区", "‰", 2.8])
    ws.append([None, None, None, None, None, None])
    ws.append(["made-up sample", "2024年", "孕产妇死亡率", "西城", "1/10万", "6.9"])
    wb.save(tmp_path / "t.xlsx")
    r = read_observations(tmp_path / "t.xlsx", tables.docs, tables.targets)
    assert not r.problems
    assert [(o.region, o.indicator_key, o.year, o.value, o.unit) for o in r.observations] == [
        ("西城区", "婴儿死亡率", 2024, 2.8, "‰"), ("西城区", "孕产妇死亡率", 2024, 6.9, "/10万")]


def test_gbk_csv_from_excel_reads(tables, tmp_path):
    p = _write_csv(tmp_path / "g.csv", [["地区", "指标", "年份", "数值", "单位"], ["东城区", "孕产妇死亡率", "2023", "5", "1/10万"]],
                   encoding="gbk")
    r = read_observations(p, tables.docs, tables.targets)
    assert [o.value for o in r.observations] == [5.0] and r.observations[0].source == "g.csv"


def test_value_and_unit_that_disagree_are_reported(tables, tmp_path):
    p = _write_csv(tmp_path / "d.csv", [["地区", "指标", "年份", "数值", "单位"], ["东城区", "婴儿死亡率", "2023", "3%", "‰"],
                                        ["东城区", "婴儿死亡率", "2023", "3", "斤"]])
    r = read_observations(p, tables.docs, tables.targets)
    assert [p.row for p in r.problems] == [2, 3] and not r.observations
    assert "不一致" in r.problems[0].problem and "斤" in r.problems[1].problem


def test_a_table_without_the_needed_columns_is_a_clear_error(tables, tmp_path):
    p = _write_csv(tmp_path / "x.csv", [["地区", "指标", "数值"], ["东城区", "孕产妇死亡率", "5"]])
    with pytest.raises(TableError, match="year"):
        read_observations(p, tables.docs, tables.targets)


@pytest.mark.parametrize("name,data", [("bad.xlsx", b"PK\x03\x04not really a zip"), ("bad.csv", b"a,b\x00\x01"),
                                       ("empty.csv", b""), ("notes.pdf", b"%PDF-1.4")])
def test_hostile_or_wrong_files_are_clear_errors(tables, tmp_path, name, data):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(TableError, match=name):
        read_observations(tmp_path / name, tables.docs, tables.targets)


def test_a_huge_file_is_refused_before_it_is_read(tables, tmp_path, monkeypatch):
    import assistant.ingest.observations as obs

    monkeypatch.setattr(obs, "MAX_BYTES", 100)
    p = _write_csv(tmp_path / "big.csv", [["地区", "指标", "年份", "数值"]] + [["东城区", "孕产妇死亡率", "2023", "5"]] * 20)
    with pytest.raises(TableError, match="bytes"):
        read_observations(p, tables.docs, tables.targets)
