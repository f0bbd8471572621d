"""The 监测 view: rendering helpers on real statuses, and the tab in a real Chromium (upload the
sample table, filter, read the colours and words, draw the charts, export the 年度监测 sheet)."""

from __future__ import annotations

import unicodedata
from pathlib import Path
from urllib.parse import urlparse

import pytest

from assistant.ingest.observations import read_observations
from assistant.monitor import Status, corpus_observations, statuses
from ui.monitor import COLOURS, chart_svg, charts_html, filter_rows, status_badge, summary_html, table_html

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "fixtures" / "observations_sample.csv"
ARTIFACTS = ROOT / "test-artifacts"


@pytest.fixture(scope="module")
def rows(ui_engine):
    data_targets = ui_engine.all_targets
    obs = corpus_observations(data_targets, ui_engine.docs, ui_engine.clauses)
    obs += read_observations(SAMPLE, ui_engine.docs, data_targets).observations
    return statuses(data_targets, obs, ui_engine.docs, ui_engine.clauses)


def test_status_badge_has_colour_and_word():
    for s in Status:
        badge = status_badge(s)
        assert COLOURS[s] in badge and s.label in badge
    assert len(set(COLOURS.values())) == len(Status)  # no data and qualitative are both greys, but not the same
    assert COLOURS[Status.met] != COLOURS[Status.not_met] != COLOURS[Status.at_risk]


def test_filters_and_table(rows):
    dongcheng = filter_rows(rows, "dongcheng")
    assert dongcheng and {r.doc_id for r in dongcheng} == {"dongcheng"}
    at_risk = filter_rows(rows, status="at_risk")
    assert {r.indicator_key for r in at_risk} >= {"婴儿死亡率", "免疫规划疫苗接种率"}
    health = filter_rows(rows, "dongcheng", "健康", "met")
    assert health and all(r.domain_key == "健康" and r.status == Status.met for r in health)
    html = table_html(dongcheng)
    assert html.count("<tr data-status=") == len(dongcheng)
    assert 'data-status="met"' in html and "已达标" in html and "东城区规划 · 妇女与健康 · 主要目标 第二条" in html
    assert "没有符合条件的目标" in table_html([])
    summary = summary_html(dongcheng)
    assert f"共 {len(dongcheng)} 个目标" in summary


def test_chart_draws_series_against_the_target_line(rows):
    r = next(r for r in rows if r.doc_id == "dongcheng" and r.indicator_key == "婴儿死亡率")
    svg = chart_svg(r)
    assert svg.count('class="observed"') == 2 and 'class="target-line"' in svg and 'class="trend"' in svg
    assert "2022" in svg and "2025" in svg and "≤3‰" in svg
    assert charts_html([x for x in rows if not x.series]).startswith('<div class="verdict-note">')


# ---- the tab in a real browser (the `browser` fixture is in tests/ui/conftest.py) ------------------

def _pick(page, elem_id: str, option: str) -> None:
    page.locator(f"#{elem_id} input").click()
    page.get_by_role("option", name=option, exact=True).click()


@pytest.mark.browser
@pytest.mark.slow
def test_monitor_view_upload_filter_chart_export(browser, ui_server, tmp_path):
    from openpyxl import load_workbook

    url, _ = ui_server
    ARTIFACTS.mkdir(exist_ok=True)
    requests: list[str] = []
    page = browser.new_page(viewport={"width": 1400, "height": 1100}, accept_downloads=True)
    page.on("request", lambda r: requests.append(r.url))
    try:
        page.goto(url)
        page.get_by_role("tab", name="监测").click()
        table = page.locator("#monitor-table")
        table.locator("tr[data-status]").first.wait_for(timeout=30_000)

        page.get_by_text("上传观测值表").click()
        page.locator("#monitor-upload input[type=file]").set_input_files(str(SAMPLE))
        page.wait_for_timeout(1000)  # the file goes up before the button reads it
        page.locator("#monitor-add").click()
        report = page.locator("#monitor-report")
        report.get_by_text("已保存").wait_for(timeout=30_000)
        text = report.inner_text()
        assert "第17行" in text and "朝阳区" in text and "第18行" in text and "第20行" in text

        _pick(page, "monitor-plan", "东城区规划")
        row = table.locator("tr[data-doc='dongcheng']", has_text="孕产妇死亡率").first
        row.wait_for(timeout=20_000)
        table.locator("tr[data-doc='xicheng']").first.wait_for(state="detached", timeout=20_000)
        badge = row.locator(".status-badge")
        assert badge.inner_text().strip() == "已达标"
        assert badge.evaluate("e => getComputedStyle(e).color") == "rgb(22, 163, 74)"  # #16a34a
        assert "5.2" in unicodedata.normalize("NFKC", row.inner_text())
        charts = page.locator("#monitor-charts .monitor-chart")
        charts.first.wait_for(timeout=20_000)
        assert page.locator("#monitor-charts svg .target-line").count() >= 1
        page.screenshot(path=str(ARTIFACTS / "browser-monitor.png"))  # docs/monitor.png is this view

        _pick(page, "monitor-status", "有风险")
        table.locator("tr[data-status='met']").first.wait_for(state="detached", timeout=20_000)
        statuses_shown = set(table.locator("tr[data-status]").evaluate_all("rs => rs.map(r => r.dataset.status)"))
        assert statuses_shown == {"at_risk"}
        assert table.locator("tr", has_text="婴儿死亡率").count() == 1

        with page.expect_download(timeout=20_000) as dl:
            page.locator("#monitor-export").click()
        path = tmp_path / "annual.xlsx"
        dl.value.save_as(path)
        ws = load_workbook(path).active
        assert [c.value for c in ws[1]][1:8] == ["指标", "目标值", "实际值", "年份", "状态", "依据条款", "数据来源"]
        assert {r[5] for r in ws.iter_rows(min_row=2, values_only=True)} == {"有风险"}
    finally:
        page.close()
    outside = [u for u in requests if urlparse(u).scheme not in ("data", "blob")
               and urlparse(u).hostname not in {"127.0.0.1", "localhost"}]
    assert not outside, f"requests left loopback: {outside}"
