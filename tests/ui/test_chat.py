"""How one answer is shown, copied and exported (ui/chat.py), with the real engine's answers."""

from __future__ import annotations

import re

from assistant.models import Answer, Citation

LABEL = "东城区规划 · 妇女与健康 · 主要目标 第二条"
CID = "dongcheng:妇女/健康/主要目标/2"


def _answer(*citations: Citation) -> Answer:
    return Answer(answer=f"控制在7/10万以下。〔{LABEL}〕\n\n| 规划 | 目标 |\n|---|---|\n| **东城区规划** | 7/10万 |",
                  answerable=True, citations=list(citations), intent="target_value")


def test_one_card_per_clause_first_open_and_labels_link_to_it(ui_engine):
    from ui.chat import answer_markdown

    a = Citation(doc_id="dongcheng", clause_id=CID, label=LABEL, quote="孕产妇死亡率控制在7/10万以下")
    b = a.model_copy(update={"quote": "保障孕产妇安全"})
    html = answer_markdown(ui_engine, _answer(a, b, a))
    cards = re.findall(r'<details class="clause-card" id="cite-([0-9a-f-]+)"( open)?>', html)
    assert len(cards) == 1 and cards[0][1] == " open"  # three citations of one clause: one card, open
    assert html.count("<mark>") == 2  # both quotes highlighted in it
    link = re.search(r'<a class="cite-link" href="#cite-([0-9a-f-]+)"', html)
    assert link and link.group(1) == cards[0][0]
    assert "东城区规划 › 妇女 › 妇女与健康 › 主要目标" in html  # the clause in its section


def test_plain_answer_is_text_with_quote_label_lines():
    from ui.chat import plain_answer

    a = Citation(doc_id="dongcheng", clause_id=CID, label=LABEL, quote="孕产妇死亡率控制在7/10万以下")
    text = plain_answer(_answer().answer, [a, a.model_dump()])
    assert "<" not in text and "**" not in text and "|---" not in text
    assert "东城区规划\t7/10万" in text
    assert text.endswith(f"出处：\n「孕产妇死亡率控制在7/10万以下」〔{LABEL}〕")


def test_conversation_downloads_keep_chinese(tmp_path):
    from docx import Document

    from ui.chat import write_conversation

    cit = Citation(doc_id="dongcheng", clause_id=CID, label=LABEL, quote="孕产妇死亡率控制在7/10万以下").model_dump()
    turns = [{"question": "东城区孕产妇死亡率目标是多少", "answer": "控制在7/10万以下。", "citations": [cit]},
             {"question": "那西城区呢？", "answer": "西城区……", "citations": []}]
    md, docx = write_conversation(turns, tmp_path)
    text = md.read_text(encoding="utf-8")
    assert "## 问题 1：东城区孕产妇死亡率目标是多少" in text and "## 问题 2：那西城区呢？" in text
    assert f"- 「孕产妇死亡率控制在7/10万以下」〔{LABEL}〕" in text
    paras = [p.text for p in Document(str(docx)).paragraphs]
    assert "问题 2：那西城区呢？" in paras and f"「孕产妇死亡率控制在7/10万以下」〔{LABEL}〕" in paras


def test_state_line_names_what_a_follow_up_refers_to(ui_engine):
    assert ui_engine.state_line([]) == ""
    line = ui_engine.state_line(["东城区孕产妇死亡率目标是多少"])
    assert line.startswith("当前：") and "东城区" in line and "孕产妇死亡率" in line
    assert "西城区" in ui_engine.state_line(["东城区孕产妇死亡率目标是多少", "那西城区呢？"])


def test_targets_table_says_where_the_owner_comes_from_and_units_unspaced(ui_engine):
    from ui.app import TARGET_COLUMNS, targets_frame

    df = targets_frame(ui_engine, ui_engine.targets())
    i_owner, i_basis = TARGET_COLUMNS.index("责任主体"), TARGET_COLUMNS.index("依据")
    assert i_basis == i_owner + 1
    basis = {row[i_basis] for row in df.itertuples(index=False) if row[i_owner]}
    assert basis <= {"原文写明", "分工方案", "规划总则"} and "规划总则" in basis
    assert not any(row[i_basis] for row in df.itertuples(index=False) if not row[i_owner])
    norm = set(df["规范值"])
    assert "7/10万" in norm and not any(" " in v for v in norm)


def test_download_names_follow_the_filter(tmp_path):
    from openpyxl import load_workbook

    import pandas as pd

    from ui.app import TARGET_COLUMNS, Exports, export_stem

    assert export_stem("东城区规划", "", "健康", "", "", "") == "东城区规划_健康_规划目标"
    assert export_stem("", "", "", "", "", "") == "规划目标"
    assert "/" not in export_stem("a/../b", "", "", "", "", "x y")
    ex = Exports(root=tmp_path)
    df = pd.DataFrame([["东城区规划"] + [""] * (len(TARGET_COLUMNS) - 1)], columns=TARGET_COLUMNS)
    csv_path, xlsx_path = ex.write(df, export_stem("东城区规划", "", "健康", "", "", ""))
    assert csv_path.name == "东城区规划_健康_规划目标.csv" and xlsx_path.name == "东城区规划_健康_规划目标.xlsx"
    ws = load_workbook(xlsx_path).active
    assert ws.freeze_panes == "A2" and ws.column_dimensions["K"].width >= 40 and ws["L1"].value == "条款"
    ex.close()
