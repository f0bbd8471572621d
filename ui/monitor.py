"""The 监测 tab: each target against its observed values — status colour and word, filters, a small
chart per indicator, the 年度监测 Excel export and an upload for an observations table.

Layout only: every status, number and reason comes from assistant.monitor."""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

import gradio as gr

from assistant.config import Settings
from assistant.ingest import Ingested
from assistant.ingest.observations import TableError
from assistant.models import DocMeta
from assistant.monitor import (ANNUAL_COLUMNS, Status, StatusRow, add_observations, annual_rows, load_observations,
                               statuses, write_annual_xlsx)
from assistant.store.observations import ObservationStore, ObservationStoreError
from assistant.text import fmt_number

ALL = ""
# colour of each status; the word always stands beside it (never colour alone)
COLOURS = {Status.met: "#16a34a", Status.not_met: "#dc2626", Status.at_risk: "#d97706",
           Status.no_data: "#94a3b8", Status.qualitative: "#64748b"}
MAX_CHARTS = 24  # small charts drawn at once; filter to see others (each is an inline SVG)
CHART_W, CHART_H, PAD = 280, 130, 30  # pixels: a chart small enough for three in a row
TABLE_COLUMNS = ["状态", "规划", "指标", "目标值", "实际值", "年份", "依据条款", "数据来源", "判断依据"]
CSS = """
.monitor-table { border-collapse: collapse; width: 100%; font-size: 14px; }
.monitor-table th, .monitor-table td { border-bottom: 1px solid var(--border-color-primary); padding: 4px 6px;
  text-align: left; vertical-align: top; }
.monitor-table td.reason { color: var(--body-text-color-subdued); font-size: 0.9em; }
.monitor-table td:nth-child(2), .monitor-table td:nth-child(6) { white-space: nowrap; }
.status-badge { white-space: nowrap; font-weight: 600; }
.status-badge .dot { display: inline-block; width: 10px; height: 10px; border-radius: 50%; margin-right: 4px; }
.monitor-charts { display: flex; flex-wrap: wrap; gap: 12px; }
.monitor-chart { border: 1px solid var(--border-color-primary); border-radius: 6px; padding: 4px 8px; }
.monitor-chart .title { font-size: 13px; font-weight: 600; }
"""


def status_badge(status: Status) -> str:
    return (f'<span class="status-badge status-{status.value}" style="color:{COLOURS[status]}">'
            f'<span class="dot" style="background:{COLOURS[status]}"></span>{html.escape(status.label)}</span>')


def filter_rows(rows: list[StatusRow], doc_id: str = ALL, domain_key: str = ALL, status: str = ALL) -> list[StatusRow]:
    return [r for r in rows if (not doc_id or r.doc_id == doc_id) and (not domain_key or r.domain_key == domain_key)
            and (not status or r.status.value == status)]


def summary_html(rows: list[StatusRow]) -> str:
    counts = {s: sum(r.status == s for r in rows) for s in Status}
    parts = [f"{status_badge(s)} {n}" for s, n in counts.items() if n]
    return f'<div class="monitor-summary">共 {len(rows)} 个目标：' + "　".join(parts) + "</div>"


def table_html(rows: list[StatusRow]) -> str:
    if not rows:
        return '<div class="verdict-note">没有符合条件的目标。</div>'
    head = "".join(f"<th>{c}</th>" for c in TABLE_COLUMNS)
    body = []
    for r, a in zip(rows, annual_rows(rows)):
        cells = [status_badge(r.status)] + [html.escape(str(a[c])) for c in TABLE_COLUMNS[1:-1]]
        cells.append(html.escape(a["判断依据"]))
        tds = "".join(f"<td>{c}</td>" for c in cells[:-1]) + f'<td class="reason">{cells[-1]}</td>'
        body.append(f'<tr data-status="{r.status.value}" data-doc="{html.escape(r.doc_id)}">{tds}</tr>')
    return f'<table class="monitor-table" id="monitor-table-html"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>'


def chart_svg(row: StatusRow) -> str:
    """Observed series (points joined by a line) against the target (dashed line), in the target's unit."""
    values = [p.value for p in row.series] + ([row.target_norm_value] if row.target_norm_value is not None else [])
    if row.projected_value is not None:
        values.append(row.projected_value)
    years = [p.year for p in row.series] + [row.by_year]
    lo, hi = min(values), max(values)
    span = (hi - lo) or (abs(hi) or 1.0)
    lo, hi = lo - span * 0.15, hi + span * 0.15  # head room so points do not sit on the frame
    y0, y1 = min(years), max(years)

    def x(year: int) -> float:
        return PAD + (CHART_W - 2 * PAD) * ((year - y0) / (y1 - y0) if y1 > y0 else 0.5)

    def y(v: float) -> float:
        return CHART_H - PAD + (2 * PAD - CHART_H) * (v - lo) / (hi - lo)

    colour = COLOURS[row.status]
    parts = []
    if row.target_norm_value is not None:
        ty = y(row.target_norm_value)
        parts.append(f'<line class="target-line" x1="{PAD}" x2="{CHART_W - PAD}" y1="{ty:.1f}" y2="{ty:.1f}" '
                     f'stroke="#64748b" stroke-dasharray="5 3"><title>目标 {html.escape(fmt_number(row.target_norm_value))}</title></line>'
                     f'<text x="{CHART_W - PAD}" y="{ty - 4:.1f}" text-anchor="end" font-size="11" fill="#64748b">'
                     f'目标{html.escape(_sign_value(row))}</text>')
    pts = " ".join(f"{x(p.year):.1f},{y(p.value):.1f}" for p in row.series)
    if len(row.series) > 1:
        parts.append(f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="2"/>')
    last = row.series[-1]
    if row.projected_value is not None and row.by_year > last.year:  # the trend the status was judged on
        parts.append(f'<line class="trend" x1="{x(last.year):.1f}" y1="{y(last.value):.1f}" x2="{x(row.by_year):.1f}" '
                     f'y2="{y(row.projected_value):.1f}" stroke="{colour}" stroke-dasharray="2 3">'
                     f'<title>趋势：{row.by_year}年约 {html.escape(fmt_number(round(row.projected_value, 2)))}</title></line>')
    for p in row.series:
        parts.append(f'<circle class="observed" cx="{x(p.year):.1f}" cy="{y(p.value):.1f}" r="4" fill="{colour}">'
                     f'<title>{p.year}年 {html.escape(fmt_number(round(p.value, 4)))}（{html.escape(p.source)}）</title></circle>'
                     f'<text x="{x(p.year):.1f}" y="{y(p.value) - 7:.1f}" text-anchor="middle" font-size="11" fill="currentColor">'
                     f'{html.escape(fmt_number(round(p.value, 4)))}</text>')
    for year in sorted({*years}):
        parts.append(f'<text x="{x(year):.1f}" y="{CHART_H - 8}" text-anchor="middle" font-size="10" fill="currentColor">{year}</text>')
    title = f"{row.plan} · {row.indicator_key}（{row.target_unit or ''}）"
    return (f'<div class="monitor-chart"><div class="title">{html.escape(title)} {status_badge(row.status)}</div>'
            f'<svg role="img" aria-label="{html.escape(title)} 实际值与目标" width="{CHART_W}" height="{CHART_H}" '
            f'viewBox="0 0 {CHART_W} {CHART_H}">{"".join(parts)}</svg></div>')


def _sign_value(row: StatusRow) -> str:
    return annual_rows([row])[0]["目标值"].split("（")[0]


def charts_html(rows: list[StatusRow]) -> str:
    drawn = [r for r in rows if r.series and r.target_norm_value is not None]
    if not drawn:
        return '<div class="verdict-note">所选目标还没有观测值，无图可画。上传观测值表后，这里为每个指标画出实际值与目标线。</div>'
    more = f'<div class="verdict-note">另有 {len(drawn) - MAX_CHARTS} 个指标未画出，请用筛选缩小范围。</div>' if len(drawn) > MAX_CHARTS else ""
    return f'<div class="monitor-charts">{"".join(chart_svg(r) for r in drawn[:MAX_CHARTS])}</div>{more}'


def upload_report(report, file_name: str, dry_run: bool) -> str:
    read = report.read
    lines = [f"**{html.escape(file_name)}**：读到 {read.rows} 行。"]
    if dry_run:
        lines.append(f"仅检查：{len(read.observations)} 行可以导入，{len(report.problems)} 行无法匹配；未保存。")
    else:
        lines.append(f"已保存 {report.new} 行新数据，更新 {report.replaced} 行；{len(report.problems)} 行无法匹配。")
    lines += [f"- 第{p.row}行：{html.escape(p.problem)}" for p in report.problems]
    return "\n".join(lines)


def shared_statuses(engine, store: ObservationStore, doc_id: str = ALL) -> list[StatusRow]:
    """The status rows of one plan (ALL: every plan) read from the shared stores for this request: its
    targets, the achieved rows of the plans of its region (the corpus's observations of that region) and
    the clauses those rows cite. The same rows as the embedded tab's, filtered to the plan."""
    docs = list(engine.docs)
    picked = [doc_id] if doc_id else None
    region_docs = None
    if picked is not None:
        regions = {d.region for d in docs if d.doc_id == doc_id}
        region_docs = [d.doc_id for d in docs if d.region in regions]
    targets = engine.ctx.select_targets(kinds=("target",), doc_ids=picked)
    achieved = engine.ctx.select_targets(kinds=("achieved",), doc_ids=region_docs)
    clauses = engine.ctx.clauses_for({t.clause_id for t in [*targets, *achieved]})
    return statuses(targets, load_observations(Ingested(docs, clauses, achieved), store), docs, clauses)


def monitor_tab(app: gr.Blocks, engine, store: ObservationStore | None, new_folder, plans: list[DocMeta]) -> None:
    """Build the 监测 tab's components and events inside the caller's gr.Tab. `store`: None for the
    one in the data folder (or PLANQA_OBSERVATIONS). `new_folder()`: a fresh folder for a download
    (the app's bounded exports)."""
    if store is None:
        settings = getattr(engine, "settings", None) or Settings.load()
        store = ObservationStore(settings.observations_path)
    shared = engine.shared
    if shared:  # a replica on the shared stores reads a plan's targets when it is shown, and keeps none
        data = None
        domains = engine.ctx.reader.target_domain_keys("target")
    else:
        targets = getattr(engine, "all_targets", None) or engine.targets()
        data = Ingested(list(engine.docs), list(engine.clauses), list(targets))
        domains = sorted({t.domain_key for t in targets if t.domain_key and t.kind == "target"})

    def current(doc_id: str = ALL) -> list[StatusRow]:
        if data is not None:
            return statuses(data.targets, load_observations(data, store), data.docs, data.clauses)
        return shared_statuses(engine, store, doc_id)

    def refresh(doc_id, domain_key, status):
        try:
            rows = filter_rows(current(doc_id or ALL), doc_id or ALL, domain_key or ALL, status or ALL)
        except ObservationStoreError as e:
            return f'<div class="verdict-note">{html.escape(str(e))}</div>', "", "", None
        xlsx = new_folder() / "年度监测.xlsx"
        write_annual_xlsx(annual_rows(rows), xlsx)
        return summary_html(rows), table_html(rows), charts_html(rows), str(xlsx)

    def upload(path, dry_run, doc_id, domain_key, status):
        if not path:
            return ("请选择 .csv 或 .xlsx 文件。", *refresh(doc_id, domain_key, status))
        name = Path(path).name
        try:
            # the shared backend reads the targets the rows are matched against for this upload only
            tables = data or Ingested(list(engine.docs), [], list(engine.all_targets))
            report = add_observations(path, store, tables, dry_run=bool(dry_run))
            message = upload_report(report, name, bool(dry_run))
        except (TableError, ObservationStoreError) as e:
            message = f"**{html.escape(name)}** 无法导入：{html.escape(str(e))}"
        return (message, *refresh(doc_id, domain_key, status))

    gr.Markdown("每个规划目标与最新观测值对照：已达标 / 未达标 / 有风险（趋势到目标年份仍达不到）/ 无数据 / 定性目标。"
                "观测值来自上传的监测表，以及规划“发展基础”和工作总结中的已达成数字（以条款为来源）。")
    with gr.Row():
        # on the shared backend the tab opens on the first plan: 全部规划 reads every plan's targets (per
        # request, nothing kept), too much for each page load at thousands of plans
        first = plans[0].doc_id if shared and plans else ALL
        m_plan = gr.Dropdown([("全部规划", ALL)] + [(d.short_name, d.doc_id) for d in plans], value=first, label="规划",
                             elem_id="monitor-plan")
        m_domain = gr.Dropdown([("全部", ALL)] + domains, value=ALL, label="领域", elem_id="monitor-domain")
        m_status = gr.Dropdown([("全部", ALL)] + [(s.label, s.value) for s in Status], value=ALL, label="状态",
                               elem_id="monitor-status")
        m_xlsx = gr.DownloadButton("下载年度监测表（Excel）", elem_id="monitor-export")
    m_summary = gr.HTML(elem_id="monitor-summary")
    with gr.Accordion("上传观测值表（列：地区、指标、年份、数值、单位、数据来源）", open=False):
        with gr.Row():
            m_file = gr.File(label="观测值表 .csv / .xlsx", file_types=[".csv", ".xlsx"], type="filepath",
                             elem_id="monitor-upload")
            with gr.Column():
                m_dry = gr.Checkbox(label="只检查，不保存", value=False, elem_id="monitor-dry-run")
                m_add = gr.Button("导入", variant="primary", elem_id="monitor-add")
        m_report = gr.Markdown(elem_id="monitor-report")
    m_charts = gr.HTML(elem_id="monitor-charts")
    m_table = gr.HTML(elem_id="monitor-table")
    filters = [m_plan, m_domain, m_status]
    outputs = [m_summary, m_table, m_charts, m_xlsx]
    for comp in filters:
        comp.change(refresh, filters, outputs, api_visibility="private")
    m_add.click(upload, [m_file, m_dry, *filters], [m_report, *outputs], api_visibility="private")
    app.load(refresh, filters, outputs, api_visibility="private")


__all__ = ["monitor_tab", "shared_statuses", "status_badge", "table_html", "chart_svg", "charts_html", "filter_rows", "summary_html",
           "COLOURS", "ANNUAL_COLUMNS", "CSS"]
