import json
import re

from assistant.text import norm

from tests.conftest import EVAL_SETS


def _rows(tables, doc_id, key):
    return [t for t in tables.targets if t.doc_id == doc_id and t.indicator_key == key and t.kind == "target"]


def test_respectively_list_gives_one_row_per_indicator(tables):
    got = {(t.indicator_key, t.value) for t in tables.targets if t.doc_id == "dongcheng" and t.clause_id.endswith("儿童/健康/主要目标/2")}
    assert {("新生儿死亡率", "2‰"), ("婴儿死亡率", "3‰"), ("5岁以下儿童死亡率", "4‰")} <= got


def test_respectively_list_with_lost_separators(tables):
    # 000: "5岁以下儿童贫血率和生长迟缓率分别控制在3%1%以下"
    rows = [t for t in tables.targets if t.doc_id == "beijing" and t.indicator_key in ("5岁以下儿童贫血率", "5岁以下儿童生长迟缓率")]
    assert {(t.indicator_key, t.value_num, t.comparator) for t in rows} >= {("5岁以下儿童贫血率", 3.0, "<="), ("5岁以下儿童生长迟缓率", 1.0, "<=")}


def test_values_in_words_are_normalised(tables):
    rows = {t.year: t for t in _rows(tables, "zengdu", "孕产妇死亡率")}
    assert rows[2025].value == "万分之一" and rows[2025].norm_value == 10 and rows[2025].norm_unit == "/10万"
    assert rows[2030].value == "十万分之九" and rows[2030].norm_value == 9


def test_two_year_clause_gives_a_row_per_year(tables):
    rows = {(t.year, t.value) for t in _rows(tables, "zengdu", "新生儿死亡率")}
    assert rows == {(2025, "3.5‰"), (2030, "3‰")}


def test_comparator_words(tables):
    by = {t.quote: t.comparator for t in tables.targets if t.doc_id == "dongcheng"}
    assert by["城镇单位就业人员中的女性就业比例保持在42%左右"] == "≈"
    assert by["5岁儿童乳牙患龋率控制在60%以内"] == "<="
    assert by["科学育儿指导覆盖率超过80%"] == ">"


def test_achieved_figures_are_kept_apart(tables):
    achieved = [t for t in tables.targets if t.doc_id == "xicheng" and t.kind == "achieved"]
    assert any(t.value == "49.9%" for t in achieved)
    assert not any(t.value == "49.9%" for t in tables.targets if t.kind == "target")


def test_targets_inside_measure_clauses(tables):
    rows = _rows(tables, "xicheng", "孕产妇死亡率")
    assert rows and rows[0].section == "策略措施" and rows[0].norm_value == 7


def test_every_numeric_value_stands_in_its_clause(tables, clauses_by_id):
    for t in tables.targets:
        assert norm(t.quote) in norm(clauses_by_id[t.clause_id].text), t
        if t.value is not None:
            assert norm(t.value) in norm(clauses_by_id[t.clause_id].text), t


def test_owners_only_with_evidence(tables):
    for t in tables.targets:
        assert (t.owner is None) == (t.owner_source is None)
        if t.owner_source == "plan":
            assert "成员单位" in t.owner or "政府" in t.owner


def _unit(u):
    return None if u is None else re.sub(r"^1/", "/", norm(u))


def test_dongcheng_inventory_recall(tables, clauses_by_id):
    gold = [json.loads(l) for l in (EVAL_SETS / "targets" / "targets_dongcheng.jsonl").read_text(encoding="utf-8").splitlines() if l]
    quantitative = [g for g in gold if g["value"] is not None]
    rows = [t for t in tables.targets if t.doc_id == "dongcheng" and t.kind == "target"]

    def matched(g):
        for r in rows:
            try:
                same = r.value_num == float(g["value"]) and _unit(r.unit) == _unit(g["unit"])
            except ValueError:
                same = r.value is not None and norm(r.value) == norm(g["value"])
            if same and norm(g["quote"]) in norm(clauses_by_id[r.clause_id].text):
                return True
        return False

    recall = sum(map(matched, quantitative)) / len(quantitative)
    assert recall >= 0.95, recall


def test_work_report_summary_figures_are_achieved_not_targets(tables):
    report = [t for t in tables.targets if t.doc_id == "bj_wcc_2018"]
    assert report and all(t.kind == "achieved" for t in report)
    assert all("工作总结" in t.clause_id for t in report)  # 2019年工作思路 plans work; it reports nothing done
    assert any(t.indicator_key == "婚前医学检查率" and t.value == "16.5%" for t in report)


def test_rate_units_convert_both_ways():
    from assistant.ingest.targets import convert

    assert convert(1, "/万", "/10万") == 10  # 万分之一 = 10/10万
    assert convert(0.8, "‰", "/10万") == 80
    assert convert(80, "/10万", "‰") == 0.8
    assert convert(42, "%", "%") == 42
    assert convert(5, "%", "名") is None and convert(5, None, "%") is None


def test_written_units_and_values_read_as_target_values_are():
    from assistant.ingest.targets import read_value, unit_of

    assert [unit_of(u) for u in ("1/10万", "每10万", "十万分之", "千分之", "万分之一", "％", "名", "kg")] == [
        "/10万", "/10万", "/10万", "‰", "/万", "%", "名", None]
    assert read_value("7／10万") == (7.0, "/10万")
    assert read_value("万分之一") == (1, "/万")
    assert read_value("16.5%") == (16.5, "%")
    assert read_value(" 5.2 ") == (5.2, None)
    assert read_value("约五") is None and read_value("5.2和6") is None


# figures a hand inventory lists but marks itself as arguable: numerals that name a span, a deadline or a
# kind rather than state a quantity (its author's note: "drop these for a strict list")
ARGUABLE = {"五年来", "未来五年", "12月", "五项", "五类", "十八周岁", "18周岁"}


def test_every_figure_of_the_hand_inventory_is_a_row(tables):
    """eval_sets/targets/figures_xicheng_zengdu.jsonl: every figure of the Xicheng and Zengdu texts,
    listed by a helper from the texts. Each must be the value of a row whose clause holds the phrase."""
    import json

    from assistant.text import norm
    from tests.conftest import EVAL_SETS

    inventory = [json.loads(line) for line in (EVAL_SETS / "targets" / "figures_xicheng_zengdu.jsonl").read_text("utf-8").splitlines()]
    clause_text = {c.clause_id: norm(c.text) for c in tables.clauses}
    missing = []
    for f in inventory:
        fig, phrase = norm(f["figure"]), norm(f["phrase"])
        if not any(t.doc_id == f["doc_id"] and t.value and (norm(t.value) in fig or fig in norm(t.value))
                   and phrase in clause_text[t.clause_id] for t in tables.targets):
            missing.append(f["figure"])
    assert len(inventory) == 175
    assert set(missing) <= ARGUABLE, missing  # strict list: 167 of 167; with the arguable ones 168 of 175


def test_an_earlier_plans_target_recalled_in_the_basis_is_a_target_for_each_figure_reached(tables):
    rows = [t for t in tables.targets if t.clause_id == "xicheng:综合/发展基础/2"]
    earlier = [t for t in rows if t.kind == "target"]
    assert {t.indicator_key for t in earlier} == {"党代会代表中女性比例", "人大代表中女性比例", "政协委员中女性比例"}
    assert all(t.year == 2020 and t.comparator == ">=" and t.value == "30%" for t in earlier)
    assert not any(t.kind == "achieved" and "规划目标" in t.quote for t in rows)  # not a figure reached
