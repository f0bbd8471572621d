"""Read a table of observed values (CSV or Excel) into Observation rows.

Columns are found by their header words (assistant/lexicon/monitor.yaml: 地区/region, 指标/indicator,
年份/year, 数值/value, 单位/unit, 来源/source). Each row's region is matched to a plan by the
manifest's region and aliases, its indicator to a canonical indicator by the lexicon's names, and
its value and unit are read as target values are (assistant.ingest.targets). A row that cannot be
matched is reported by its row number (as a spreadsheet numbers rows) and stored nowhere. Lines
whose first cell starts with # are notes."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path

from assistant import lexicon
from assistant.ingest.targets import convert, read_value, unit_of
from assistant.models import DocMeta, Observation, Target
from assistant.text import fmt_number, norm

MAX_BYTES = 20 * 1024 * 1024  # a yearly monitoring table is kilobytes; anything this big is not one
MAX_ROWS = 50_000  # every indicator x region x year of a province fits many times over
MAX_CELL = 200  # characters kept of a cell when it is quoted back in a problem
REQUIRED = ("region", "indicator", "year", "value")
YEARS = (1949, 2100)  # a year outside these is a typo, not an observation
YEAR = re.compile(r"^(\d{4})(?:\.0+)?年?(?:度)?$")


class TableError(ValueError):
    """The file as a whole cannot be read as an observations table."""


@dataclass(frozen=True)
class RowProblem:
    row: int  # as a spreadsheet numbers it: the header is row 1
    problem: str

    def __str__(self) -> str:
        return f"第{self.row}行: {self.problem}"


@dataclass
class ReadResult:
    observations: list[Observation] = field(default_factory=list)
    problems: list[RowProblem] = field(default_factory=list)
    columns: dict[str, str] = field(default_factory=dict)  # field -> header as written
    rows: int = 0  # data rows read (blank rows not counted)


def _cell(v) -> str:
    if v is None:
        return ""
    if isinstance(v, float):
        return fmt_number(v)
    return str(v).strip()


def _table_rows(path: Path) -> list[list[str]]:
    if not path.is_file():
        raise TableError(f"{path}: no such file")
    if path.stat().st_size > MAX_BYTES:
        raise TableError(f"{path}: {path.stat().st_size} bytes is more than an observations table ({MAX_BYTES} at most)")
    suffix = path.suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as e:  # noqa: BLE001 - openpyxl raises many kinds for a bad file
            raise TableError(f"{path.name}: not a readable Excel file ({type(e).__name__}: {e})") from e
        try:
            out = []
            for row in wb.worksheets[0].iter_rows(values_only=True):
                out.append([_cell(v) for v in row])
                if len(out) > MAX_ROWS + 1:
                    raise TableError(f"{path.name}: more than {MAX_ROWS} rows")
            return out
        finally:
            wb.close()
    if suffix in (".csv", ".txt"):
        raw = path.read_bytes()
        for enc in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030/GBK
            try:
                text = raw.decode(enc)
                break
            except UnicodeDecodeError:
                continue
        else:  # pragma: no cover - gb18030 decodes any byte string
            raise TableError(f"{path.name}: not UTF-8 or GB18030 text")
        if "\x00" in text:
            raise TableError(f"{path.name}: binary data, not a CSV table")
        try:
            rows = list(csv.reader(io.StringIO(text)))
        except csv.Error as e:
            raise TableError(f"{path.name}: not a CSV table ({e})") from e
        if len(rows) > MAX_ROWS + 1:
            raise TableError(f"{path.name}: more than {MAX_ROWS} rows")
        return [[c.strip() for c in r] for r in rows]
    raise TableError(f"{path.name}: expected a .csv or .xlsx file")


def _comment(row: list[str]) -> bool:
    """A line starting with # is a note (样例数据…), not data."""
    return next((c for c in row if c), "").startswith("#")


def find_columns(header: list[str]) -> dict[str, int]:
    """field -> column index: a header equal to one of the field's words wins, else one holding it."""
    words = lexicon.monitor().headers
    heads = [norm(h).lower() for h in header]
    found: dict[str, int] = {}
    for exact in (True, False):
        for name, names in words.items():
            if name in found:
                continue
            for i, h in enumerate(heads):
                if i in found.values() or not h:
                    continue
                if any((h == norm(w).lower()) if exact else (norm(w).lower() in h) for w in names):
                    found[name] = i
                    break
    return found


def region_index(docs: list[DocMeta]) -> dict[str, str]:
    """Every way the plans' regions are written (NFKC, no spaces) -> the manifest's region name."""
    out: dict[str, str] = {}
    for d in docs:
        names = [d.region, *d.region_aliases] if d.kind == "plan" else [d.region]  # a report's aliases name its issuer
        for n in names:
            out.setdefault(norm(n), d.region)
    return out


def _target_units(targets: list[Target], region_docs: set[str], key: str) -> set[str]:
    rows = [t for t in targets if t.indicator_key == key and t.kind == "target" and t.norm_value is not None]
    own = {t.norm_unit for t in rows if t.doc_id in region_docs}
    return {u for u in (own or {t.norm_unit for t in rows}) if u}


def _year(text: str) -> int | None:
    m = YEAR.match(norm(text))
    return int(m.group(1)) if m and YEARS[0] <= int(m.group(1)) <= YEARS[1] else None


def read_observations(path: str | Path, docs: list[DocMeta], targets: list[Target]) -> ReadResult:
    """Observations of a CSV/Excel table, and the rows that could not be matched (with why)."""
    path = Path(path)
    table = _table_rows(path)
    header_at = next((i for i, r in enumerate(table) if any(r) and not _comment(r)), None)
    if header_at is None:
        raise TableError(f"{path.name}: the table is empty")
    header = table[header_at]
    cols = find_columns(header)
    missing = [f for f in REQUIRED if f not in cols]
    if missing:
        words = lexicon.monitor().headers
        need = "; ".join(f"{f} ({'/'.join(words[f][:2] + words[f][-1:])})" for f in missing)
        raise TableError(f"{path.name}: no column for {need}; the header row reads {header}")
    result = ReadResult(columns={f: header[i] for f, i in cols.items()})
    regions = region_index(docs)
    docs_of: dict[str, set[str]] = {}
    for d in docs:
        docs_of.setdefault(d.region, set()).add(d.doc_id)

    def cell(row: list[str], name: str) -> str:
        i = cols.get(name)
        return row[i] if i is not None and i < len(row) else ""

    for n, row in enumerate(table[header_at + 1 :], start=header_at + 2):
        if not any(row) or _comment(row):
            continue
        result.rows += 1
        problems: list[str] = []
        region_text, ind_text = cell(row, "region"), cell(row, "indicator")
        region = regions.get(norm(region_text))
        if region is None:
            problems.append(f"地区“{region_text[:MAX_CELL]}”不是任何规划的地区" if region_text else "缺少地区")
        key = lexicon.indicator_key(ind_text) if ind_text else None
        if key is None:
            problems.append(f"指标“{ind_text[:MAX_CELL]}”不在指标词表中" if ind_text else "缺少指标")
        year = _year(cell(row, "year"))
        if year is None:
            problems.append(f"年份“{cell(row, 'year')[:MAX_CELL]}”无法识别")
        value_text, unit_text = cell(row, "value"), cell(row, "unit")
        read = read_value(value_text) if value_text else None
        unit = unit_of(unit_text) if unit_text else None
        if read is None:
            problems.append(f"数值“{value_text[:MAX_CELL]}”无法识别" if value_text else "缺少数值")
        elif unit_text and unit is None:
            problems.append(f"单位“{unit_text[:MAX_CELL]}”无法识别")
        elif read[1] and unit and read[1] != unit and convert(1, read[1], unit) != 1:
            problems.append(f"数值“{value_text}”与单位“{unit_text}”不一致")
        if read is not None and not problems:
            unit = unit or read[1]
            wanted = _target_units(targets, docs_of.get(region, set()), key)
            if wanted and not any(convert(read[0], unit, u) is not None for u in wanted):
                got = f"单位“{unit_text or read[1]}”" if unit else "没有单位"
                problems.append(f"{got}，无法换算为该指标目标的单位（{'、'.join(sorted(wanted))}）")
        if problems:
            result.problems.append(RowProblem(n, "；".join(problems)))
            continue
        gap = " " if unit_text[:1].isdigit() else ""  # 5.2 1/10万, but 16.5%
        written = f"{value_text}{gap}{unit_text}"
        result.observations.append(Observation(
            region=region, indicator_key=key, indicator=ind_text, year=year, value=float(read[0]), unit=unit,
            written=written, source=cell(row, "source") or path.name))
    return result
