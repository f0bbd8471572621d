"""Who carries a target, only with evidence: the clause's own words, a committee's
assignment file, or the plan's general rule. Never a guess."""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path

from assistant.models import Clause, Target
from assistant.text import NormMap, norm, sentences

BODY = r"[\u4e00-\u9fff（）()]{2,24}?(?:部门|局|委员会|委|办公室|中心|政府|妇联|法院|检察院|团委|工会|残联)"
TEXT_OWNER = re.compile(rf"(?:由)?({BODY})(?:牵头|负责)")
RULE_MEMBERS = re.compile(r"成员单位.{0,12}(?:按照|根据|依据).{0,12}(?:承担|负责)")
RULE_GOVERNMENT = re.compile(r"负责(?:本)?规划(?:的)?(?:实施|组织实施)")
ASSIGNMENT_FIELDS = ["doc_id", "clause_id", "indicator_key", "lead", "partners"]
EVIDENCE_FIELD = "evidence"  # optional: the task table's row as written (python -m assistant owners add)


@dataclass(frozen=True)
class Assignment:
    doc_id: str
    clause_id: str | None
    indicator_key: str | None
    lead: str
    partners: str
    source: str
    evidence: str = ""


def load_assignments(owners_dir: Path) -> tuple[list[Assignment], list[str]]:
    """Rows of corpus/owners/*.csv (header: doc_id,clause_id,indicator_key,lead,partners)."""
    rows: list[Assignment] = []
    errors: list[str] = []
    for path in sorted(Path(owners_dir).glob("*.csv")) if Path(owners_dir).is_dir() else []:
        try:
            with open(path, encoding="utf-8-sig", newline="") as fh:
                reader = csv.DictReader(fh)
                if reader.fieldnames is None or not {"doc_id", "lead"} <= set(reader.fieldnames):
                    errors.append(f"{path.name}: header must name {', '.join(ASSIGNMENT_FIELDS)}")
                    continue
                for i, r in enumerate(reader, start=2):
                    if not (r.get("doc_id") and r.get("lead") and (r.get("clause_id") or r.get("indicator_key"))):
                        errors.append(f"{path.name}:{i}: needs doc_id, lead and a clause_id or indicator_key")
                        continue
                    rows.append(Assignment(r["doc_id"].strip(), (r.get("clause_id") or "").strip() or None,
                                           (r.get("indicator_key") or "").strip() or None, r["lead"].strip(),
                                           (r.get("partners") or "").strip(), path.name,
                                           (r.get(EVIDENCE_FIELD) or "").strip()))
        except (UnicodeDecodeError, csv.Error) as e:
            errors.append(f"{path.name}: unreadable ({e})")
    return rows, errors


def text_owner(clause_text: str) -> tuple[str, str] | None:
    """(body, sentence) where the clause itself names who leads."""
    for sent in sentences(clause_text):
        if m := TEXT_OWNER.search(norm(sent)):
            return m.group(1), sent.strip()
    return None


def plan_rule(clauses: list[Clause]) -> tuple[str, str, str] | None:
    """(owner, quote, clause_id) of the plan's general rule on who carries its targets."""
    for pattern in (RULE_MEMBERS, RULE_GOVERNMENT):
        for c in clauses:
            if c.section != "组织实施":
                continue
            for sent in sentences(c.text):
                n = norm(sent)
                if m := pattern.search(n):
                    subject = re.split(r"按照|根据|依据|负责|承担", n[: m.end()], maxsplit=1)[0]
                    subject = subject.rsplit("，", 1)[-1].rsplit(",", 1)[-1]
                    quote = NormMap.of(sent).original_of(n[: n.find("。") + 1 if "。" in n else len(n)]) or sent
                    return subject, quote.strip(), c.clause_id
    return None


def assign_owners(targets: list[Target], clauses: list[Clause], assignments: list[Assignment]) -> list[Target]:
    by_id = {c.clause_id: c for c in clauses}
    rules: dict[str, tuple[str, str, str] | None] = {}
    out = []
    for t in targets:
        a = next((a for a in assignments if a.doc_id == t.doc_id and (
            a.clause_id == t.clause_id or (a.indicator_key and a.indicator_key == t.indicator_key))), None)
        if a is not None:
            who = a.lead + (f"（配合：{a.partners}）" if a.partners else "")
            out.append(t.model_copy(update={"owner": who, "owner_source": "assignment",
                                            "owner_quote": f"任务分工表 {a.source}" + (f"：{a.evidence}" if a.evidence else ""),
                                            "owner_clause_id": None}))
            continue
        found = text_owner(by_id[t.clause_id].text)
        if found:
            out.append(t.model_copy(update={"owner": found[0], "owner_source": "text",
                                            "owner_quote": found[1], "owner_clause_id": t.clause_id}))
            continue
        if t.doc_id not in rules:
            rules[t.doc_id] = plan_rule([c for c in clauses if c.doc_id == t.doc_id])
        rule = rules[t.doc_id]
        if rule:
            out.append(t.model_copy(update={"owner": rule[0], "owner_source": "plan",
                                            "owner_quote": rule[1], "owner_clause_id": rule[2]}))
        else:
            out.append(t)
    return out


def write_assignments(owners_dir: Path, name: str, rows: list[dict]) -> Path:
    """Rows (ASSIGNMENT_FIELDS + evidence) as owners/NAME.csv, written to a temp file then renamed;
    the same table added again replaces its file."""
    import os
    import tempfile

    owners_dir = Path(owners_dir)
    owners_dir.mkdir(parents=True, exist_ok=True)
    out = owners_dir / f"{name}.csv"
    fd, tmp = tempfile.mkstemp(prefix=".owners-", suffix=".csv", dir=owners_dir)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            w = csv.DictWriter(fh, fieldnames=ASSIGNMENT_FIELDS + [EVIDENCE_FIELD])
            w.writeheader()
            w.writerows(rows)
        os.replace(tmp, out)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return out
