"""Text out of the files staff receive: PDF, Word (.docx), web pages (.html/.htm) and plain text in
UTF-8 or GB18030/GBK. Every failure is an ExtractError that names the file and says what to do.

PDF: pdfplumber (measured against pypdf on a Chromium-printed A4 plan: both give every character;
pdfplumber gives each line's position, so a paragraph's indentation survives as two ideographic
spaces, and page footers come out as lines of their own). Pages are separated by form feeds, which
assistant.ingest.unwrap reads as page breaks (clauses carry their page).
Word: python-docx (paragraphs and table rows in document order). HTML: BeautifulSoup with the
standard library parser; block elements become lines. Encoding of .txt: UTF-8, else GB18030 (a
superset of GBK and GB2312), else charset-normalizer's best guess.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

MAX_FILE_BYTES = 50 * 1024 * 1024  # a plan PDF with embedded fonts is a few MB; 50 MB leaves room for scans
MIN_TEXT_CHARS_PER_PAGE = 20  # fewer on average: the PDF is scanned images (a footer alone is ~5)
INDENT_CHARS = 1.5  # a line starting this many characters right of the page's left edge is indented
PAGE_BREAK = "\f"
SUFFIXES = {".pdf": "pdf", ".docx": "docx", ".html": "html", ".htm": "html", ".txt": "txt"}


class ExtractError(ValueError):
    def __init__(self, file: str | Path, problem: str):
        self.file, self.problem = Path(file).name, problem
        super().__init__(f"{self.file}: {problem}")


@dataclass(frozen=True)
class Extracted:
    text: str
    kind: str  # pdf / docx / html / txt
    pages: int | None = None
    encoding: str | None = None


def extract(path: Path, name: str | None = None) -> Extracted:
    """The text of a plan file; `name` is the file's own name when `path` is an upload's temp file."""
    path = Path(path)
    shown = name or path.name
    kind = SUFFIXES.get(Path(shown).suffix.lower())
    if kind is None:
        raise ExtractError(shown, f"unsupported file type; use one of {', '.join(sorted(SUFFIXES))}")
    if not path.is_file():
        raise ExtractError(shown, "file not found")
    size = path.stat().st_size
    if size == 0:
        raise ExtractError(shown, "empty file")
    if size > MAX_FILE_BYTES:
        raise ExtractError(shown, f"file too large ({size} bytes; limit {MAX_FILE_BYTES})")
    result = {"pdf": _pdf, "docx": _docx, "html": _html, "txt": _txt}[kind](path, shown)
    if not result.text.replace(PAGE_BREAK, "").strip():
        raise ExtractError(shown, "no text in the file")
    return result


def decode(raw: bytes, shown: str) -> tuple[str, str]:
    """(text, encoding) of a plain-text or HTML file's bytes."""
    if b"\x00" in raw[:4096]:
        raise ExtractError(shown, "binary file (NUL bytes), not a text")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return raw.decode(enc), enc
        except UnicodeDecodeError:
            pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    if best is None:
        raise ExtractError(shown, "cannot tell the text encoding; save the file as UTF-8")
    return str(best), best.encoding


def _txt(path: Path, shown: str) -> Extracted:
    text, enc = decode(path.read_bytes(), shown)
    return Extracted(text, "txt", encoding=enc)


BLOCK_TAGS = ["p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "section", "article",
              "table", "ul", "ol", "blockquote", "pre", "title", "td", "th"]
DROP_TAGS = ["script", "style", "noscript", "template", "head"]
LINE_MARK = "\ue000"  # private-use, not whitespace: a block boundary while whitespace is collapsed


def _html(path: Path, shown: str) -> Extracted:
    from bs4 import BeautifulSoup

    text, enc = decode(path.read_bytes(), shown)
    soup = BeautifulSoup(text, "html.parser")
    title = soup.title.get_text(" ", strip=True) if soup.title else ""
    for tag in soup(DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(BLOCK_TAGS):
        tag.insert_before(LINE_MARK)
        tag.insert_after(LINE_MARK)
    flat = re.sub(r"\s+", " ", soup.get_text())
    lines = [_tidy(s) for s in flat.split(LINE_MARK)]
    lines = [s for s in lines if s]
    if title and (not lines or title not in lines[:5]):
        lines.insert(0, title)  # a page's <title> names the plan when the body does not
    return Extracted("\n".join(lines), "html", encoding=enc)


def _tidy(s: str) -> str:
    """Spaces an HTML source put between two Chinese characters are layout, not text."""
    s = s.strip()
    return re.sub(r"(?<=[^\x00-\x7f]) (?=[^\x00-\x7f])", "", s)


def _docx(path: Path, shown: str) -> Extracted:
    import zipfile

    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        doc = Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as e:
        raise ExtractError(shown, f"not a readable Word .docx file ({type(e).__name__}); save it again as .docx") from None
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    lines: list[str] = []
    for block in doc.iter_inner_content():
        if isinstance(block, Paragraph):
            lines.append(block.text)
        elif isinstance(block, Table):
            for row in block.rows:
                cells: list[str] = []
                for cell in row.cells:  # a merged cell repeats: keep it once
                    if not cells or cell.text != cells[-1]:
                        cells.append(cell.text)
                lines.append(" ".join(c.strip() for c in cells))
    return Extracted("\n".join(lines), "docx")


def _pdf(path: Path, shown: str) -> Extracted:
    import pdfplumber
    from pdfminer.pdfdocument import PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError
    from pdfplumber.utils.exceptions import PdfminerException

    try:
        with pdfplumber.open(path) as pdf:
            pages = _pdf_pages([p.extract_text_lines(return_chars=True) for p in pdf.pages])
    except PdfminerException as e:
        cause = e.args[0] if e.args else e
        if isinstance(cause, PDFPasswordIncorrect):
            raise ExtractError(shown, "encrypted PDF: it needs a password; save an unprotected copy") from None
        raise ExtractError(shown, f"not a readable PDF ({type(cause).__name__})") from None
    except (PDFSyntaxError, ValueError, KeyError, TypeError) as e:
        raise ExtractError(shown, f"not a readable PDF ({type(e).__name__})") from None
    chars = sum(len(re.sub(r"\s", "", p)) for p in pages)
    if not pages or chars < MIN_TEXT_CHARS_PER_PAGE * len(pages):
        raise ExtractError(shown, "no text layer, OCR needed (the PDF holds scanned images); "
                                  "ask for the text PDF or the Word file")
    return Extracted(PAGE_BREAK.join(pages), "pdf", pages=len(pages))


def _pdf_pages(pages: list[list[dict]]) -> list[str]:
    """Each page's lines; an indented line starts with ideographic spaces (one per character).

    The left edge is the page's leftmost line, unless that is right of the usual left edge by an
    indent (a page whose every line starts a paragraph): then the usual one."""
    mins = [round(min(ln["x0"] for ln in lines)) for lines in pages if lines]
    usual = Counter(mins).most_common(1)[0][0] if mins else 0
    out = []
    for lines in pages:
        text = []
        if lines:
            size = Counter(round(c["size"]) for ln in lines for c in ln["chars"]).most_common(1)[0][0] or 1
            left = min(ln["x0"] for ln in lines)
            if left - usual >= INDENT_CHARS * size:
                left = usual
            for ln in lines:
                indent = round((ln["x0"] - left) / size) if ln["x0"] - left >= INDENT_CHARS * size else 0
                text.append("\u3000" * indent + ln["text"])
        out.append("\n".join(text))
    return out
