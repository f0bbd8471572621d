"""Scoring one answer against a golden line (assistant/evaluate.py)."""

from assistant.evaluate import Golden, score
from assistant.models import Answer, Citation


def _answer(engine, clause_ids, text):
    cites = [Citation(doc_id=engine.clause(i).doc_id, clause_id=i, label=engine.clause(i).label, quote=engine.clause(i).text)
             for i in clause_ids]
    return Answer(answer=text, answerable=True, citations=cites, intent="structure")


def test_a_quote_spanning_two_cited_clauses_that_follow_each_other_is_found(engine):
    header = [c for c in engine.ctx.clauses_of["dongcheng"] if c.section == "印发通知"]
    signer = next(c for c in header if c.text.strip() == "北京市东城区人民政府")
    date = next(c for c in header if c.order == signer.order + 1)
    g = Golden(id="x", type="structure", question="东城规划哪天印发的", history=[], answerable=True,
               must_contain=["2021年12月30日"], citations=[{"doc_id": "dongcheng", "quote": "北京市东城区人民政府\n2021年12月30日"}])
    assert score(g, _answer(engine, [signer.clause_id, date.clause_id], "2021年12月30日"), engine.clause)["citation_recall"] == 1.0
    # one of the two alone does not hold the quote
    assert score(g, _answer(engine, [date.clause_id], "2021年12月30日"), engine.clause)["citation_recall"] == 0.0
