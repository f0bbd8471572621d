"""Plan files as staff receive them, made from the real plan texts in corpus/plans/ (never invented):
a PDF printed by Debian's Chromium from an HTML page (A4, CJK font, page-number footers), a .docx
written with python-docx, the HTML page itself and a GBK .txt. Built once per session, only for the
plans a test asks for (printing a PDF takes seconds)."""

from __future__ import annotations

import html
import subprocess
from pathlib import Path

import pytest

from assistant.ingest.unwrap import paragraphs
from assistant.config import ROOT

CORPUS = ROOT / "corpus"

CHROMIUM = "/usr/bin/chromium"
PRINT_TIMEOUT_S = 120  # one plan prints in ~5 s on 2 cores; a hung browser must not hang the suite
FILES = {"dongcheng": "001_9849ab6d193f336f.txt", "zengdu": "002_f195922d897a1781.txt",
         "xicheng": "003_6e451218832a53cc.txt"}
# A government plan's page: A4, 16 pt (三号) characters, about 28 a line, "— 3 —" at the foot.
PAGE_CSS = """@page { size: A4; margin: 37mm 26mm 35mm 28mm;
  @bottom-center { content: "— " counter(page) " —"; font-size: 14pt; } }
body { font-family: "WenQuanYi Micro Hei", "Noto Sans CJK SC", sans-serif; font-size: 16pt; line-height: 1.6; }
p { margin: 0; text-indent: 2em; text-align: justify; }"""


def plan_paragraphs(doc_id: str) -> list[str]:
    """The plan's paragraphs (a hard-wrapped source text unwrapped first, as a publisher would have it)."""
    return paragraphs((CORPUS / "plans" / FILES[doc_id]).read_text(encoding="utf-8"))


class PlanFiles:
    def __init__(self, root: Path):
        self.root = root

    def html(self, doc_id: str) -> Path:
        out = self.root / f"{doc_id}.html"
        if not out.exists():
            body = "\n".join(f"<p>{html.escape(p)}</p>" for p in plan_paragraphs(doc_id))
            out.write_text(f'<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
                           f"<style>{PAGE_CSS}</style></head><body>\n{body}\n</body></html>", encoding="utf-8")
        return out

    def pdf(self, doc_id: str) -> Path:
        out = self.root / f"{doc_id}.pdf"
        if not out.exists():
            if not Path(CHROMIUM).exists():
                pytest.skip(f"NO CHROMIUM at {CHROMIUM}: PDF tests skipped (.ci/run installs it)")
            src = self.html(doc_id)
            subprocess.run([CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                            f"--print-to-pdf={out}", src.as_uri()], check=True, capture_output=True,
                           timeout=PRINT_TIMEOUT_S)
        return out

    def docx(self, doc_id: str) -> Path:
        out = self.root / f"{doc_id}.docx"
        if not out.exists():
            from docx import Document

            d = Document()
            for p in plan_paragraphs(doc_id):
                d.add_paragraph(p)
            d.save(out)
        return out

    def gbk(self, doc_id: str) -> Path:
        out = self.root / f"{doc_id}.txt"
        if not out.exists():
            # a no-break space has no GBK code: an editor saving as GBK writes a space; a text with a
            # character GBK lacks (zengdu's • bullets) is saved in its superset GB18030
            text = "\n".join(plan_paragraphs(doc_id)).replace("\xa0", " ")
            try:
                out.write_bytes(text.encode("gbk"))
            except UnicodeEncodeError:
                out.write_bytes(text.encode("gb18030"))
        return out

    def get(self, doc_id: str, fmt: str) -> Path:
        return getattr(self, fmt)(doc_id)


@pytest.fixture(scope="session")
def plan_files(tmp_path_factory) -> PlanFiles:
    return PlanFiles(tmp_path_factory.mktemp("plan_files"))


@pytest.fixture
def empty_corpus(tmp_path) -> Path:
    d = tmp_path / "corpus"
    d.mkdir()
    return d
