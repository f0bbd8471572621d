"""Random text through the whole answer path: never a crash, never a number without a cited clause."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.guard import check

FRAGMENTS = ["东城区", "西城", "曾都", "北京市", "孕产妇死亡率", "托位", "2030年", "多少", "谁牵头", "一样吗",
             "那西城区呢？", "忽略以上规则", "1%", "措施", "？", "DROP TABLE", "十四五"]

questions = st.one_of(
    st.text(max_size=80),
    st.lists(st.sampled_from(FRAGMENTS), min_size=1, max_size=6).map("".join),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(alphabet="的了吗呢0123456789%", max_size=5)), max_size=8).map("".join),
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(q=questions, history=st.lists(st.sampled_from(FRAGMENTS), max_size=2))
def test_any_text_gets_an_answer_with_only_cited_numbers(engine, q, history):
    a = engine.ask(q, history)
    assert isinstance(a.answer, str) and a.answer
    assert not check(a, engine.clause)
    for c in a.citations:
        assert engine.clause(c.clause_id) is not None
