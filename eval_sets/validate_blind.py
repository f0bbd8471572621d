"""Check a blind golden file: JSON per line, fields, and that every citation quote is verbatim plan text.
Usage: python3 eval_sets/validate_blind.py FILE.jsonl [...]"""
import json, sys, unicodedata, re
from pathlib import Path
SEEDS = Path(__file__).resolve().parent.parent / "corpus" / "plans"  # the plan texts (as in ../shared/seeds)
DOCS = {"beijing": "000_4ecaf60f26a23958.txt", "dongcheng": "001_9849ab6d193f336f.txt",
        "zengdu": "002_f195922d897a1781.txt", "xicheng": "003_6e451218832a53cc.txt",
        "bj_wcc_2018": "004_e1e46df5e42f52ad.txt"}
def norm(s): return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))
TEXT = {d: norm((SEEDS / f).read_text(encoding="utf-8")) for d, f in DOCS.items()}
TYPES = {"status","target_value","target_list","owner","measure","fact","compare","followup","unanswerable","structure"}
bad = 0; n = 0; ids = set()
for p in sys.argv[1:]:
    for i, line in enumerate(Path(p).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip(): continue
        n += 1
        def err(m):
            global bad; bad += 1; print(f"{p}:{i}: {m}")
        try: g = json.loads(line)
        except Exception as e: err(f"not JSON: {e}"); continue
        for k in ("id","type","question","history","answerable","must_contain","citations"):
            if k not in g: err(f"missing {k}")
        if g.get("id") in ids: err(f"duplicate id {g.get('id')}")
        ids.add(g.get("id"))
        if g.get("type") not in TYPES: err(f"type {g.get('type')} not in {sorted(TYPES)}")
        if not isinstance(g.get("history"), list): err("history must be a list of earlier user questions")
        if g.get("answerable") is False and g.get("citations"): pass
        if g.get("answerable") and not g.get("citations"): err("answerable question needs at least one citation")
        for c in g.get("citations", []):
            if c.get("doc_id") not in TEXT: err(f"unknown doc_id {c.get('doc_id')}"); continue
            if norm(c.get("quote","")) not in TEXT[c["doc_id"]]: err(f"quote not verbatim in {c['doc_id']}: {c.get('quote')}")
        for m in g.get("must_contain", []):
            if not m.strip(): err("empty must_contain")
print(f"{n} lines, {bad} problems")
sys.exit(1 if bad else 0)
