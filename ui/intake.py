"""The 添加规划 view: upload a plan as received (PDF, Word, web page, text), see the drafted manifest
entry and what was parsed, correct any field, confirm. The plan is then searchable at once.

Layout only: reading, drafting and storing are assistant.intake's; the engine re-reads the corpus
(only the new plan's clauses are embedded: the embedding cache is keyed by text hash). The app's
login, when one is configured, covers this view like every other."""

from __future__ import annotations

import html
from pathlib import Path

import gradio as gr

from assistant.intake import AddError, AddReport, add_plan

# the form's fields, in the manifest's order, with their labels
FIELDS = [("titles", "标题（多个用逗号分隔）"), ("short_name", "简称"), ("region", "地区"), ("region_aliases", "地区别名（逗号分隔）"),
          ("level", "级别（省/市/区/县）"), ("parent_region", "上级地区"), ("province", "省份"), ("period_start", "起始年"),
          ("period_end", "结束年"), ("issuer", "发文机关"), ("issue_date", "印发日期（YYYY-MM-DD）"), ("doc_number", "文号"),
          ("kind", "类型（plan / work_summary）")]
ACCEPT = [".pdf", ".docx", ".html", ".htm", ".txt"]


def _show(v) -> str:
    if v is None:
        return ""
    return "，".join(v) if isinstance(v, list) else str(v)


def summary_html(r: AddReport) -> str:
    rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{n}</td></tr>" for k, n in r.sections.items())
    out = [f"<div class='intake-summary'><b>{html.escape(r.file)}</b>"]
    if r.missing:
        out.append(f"<p class='intake-missing'>文本中未找到，请填写：{html.escape('、'.join(r.missing))}</p>")
    if r.duplicate_of:
        out.append(f"<p class='intake-duplicate'>该规划已在库中（{html.escape(r.duplicate_of)}，标题、地区、期限相同），不会重复添加。</p>")
    if rows:
        out.append(f"<table class='intake-table'><tr><th>部分/章节</th><th>条款数</th></tr>{rows}</table>"
                   f"<p>目标 {r.targets} 条（其中数值目标 {r.numeric_targets} 条）</p>")
    out.append("</div>")
    return "".join(out)


def read_upload(engine, path: str | None, doc_id: str):
    """Dry run: the drafted fields and the parse summary; an error message when the file is bad."""
    if not path:
        return ["请先选择文件。", ""] + [""] * len(FIELDS)
    try:
        r = add_plan(engine.settings.corpus_dir, Path(path), doc_id.strip() or None, dry_run=True)
    except AddError as e:
        return [f"❌ {e}（未做任何更改）", ""] + [""] * len(FIELDS)
    return ["已读取，请核对下面的字段，再点“确认添加”。", summary_html(r)] + [_show(r.entry.get(k)) for k, _ in FIELDS]


def confirm_upload(engine, path: str | None, doc_id: str, *values):
    if not path:
        return "请先选择文件。", ""
    overrides = {k: v for (k, _), v in zip(FIELDS, values)}
    try:
        r = add_plan(engine.settings.corpus_dir, Path(path), doc_id.strip() or None, overrides=overrides)
    except AddError as e:
        return f"❌ {e}（未做任何更改）", ""
    if not r.written:
        why = "已在库中" if r.duplicate_of else f"缺少字段：{'、'.join(r.missing)}"
        return f"未添加：{why}。", summary_html(r)
    engine.reload()
    return f"✅ 已添加 {r.entry['doc_id']}（{r.entry['titles'][0]}），现在可以在“问答”中提问。", summary_html(r)


def intake_tab(engine) -> None:
    """The tab's body; call inside `with gr.Tab(...)`."""
    gr.Markdown("上传规划文件（PDF、Word、网页或文本），核对自动填写的信息后确认添加。")
    with gr.Row():
        upload = gr.File(label="规划文件", file_types=ACCEPT, type="filepath", elem_id="intake-file")
        doc_id = gr.Textbox(label="编号（小写字母、数字、下划线；可留空）", max_lines=1, elem_id="intake-doc-id")
    read = gr.Button("读取", variant="secondary", elem_id="intake-read")
    message = gr.Markdown(elem_id="intake-message")
    summary = gr.HTML(elem_id="intake-summary")
    boxes = [gr.Textbox(label=label, max_lines=1, elem_id=f"intake-{key}") for key, label in FIELDS]
    confirm = gr.Button("确认添加", variant="primary", elem_id="intake-confirm")
    read.click(lambda p, d: read_upload(engine, p, d), [upload, doc_id], [message, summary, *boxes],
               api_visibility="private")
    confirm.click(lambda p, d, *v: confirm_upload(engine, p, d, *v), [upload, doc_id, *boxes], [message, summary],
                  api_visibility="private")
