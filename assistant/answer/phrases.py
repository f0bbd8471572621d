"""Every Chinese sentence an answer is built from, in one place.

Strategies fill these templates; nothing else in assistant/answer writes Chinese prose. Words
the *questions* use live in assistant/lexicon/questions.yaml instead."""

from __future__ import annotations

# -- input that is not a question about the plans -----------------------------------------------
EMPTY = "请输入问题，例如：东城区孕产妇死亡率目标是多少？"
TOO_LONG = "问题太长了。请把问题缩短到一万字以内，一次问一件事。"
NOT_CHINESE = "请用中文提问，例如：西城区适龄儿童入园率要保持在什么水平？本助手只回答规划文本中的内容。"
GUARD_REFUSAL = "抱歉，这个问题我无法给出有出处的数字答案。请换个问法，或查看下列条款原文。"

# -- leads --------------------------------------------------------------------------------------
FROM_TEXT = "根据规划原文："
PER_PLAN = "各规划的相关表述："
PLAN_BOLD = "**{plan}**：{body}"

# -- refusals -----------------------------------------------------------------------------------
NOT_IN_CORPUS = "语料中没有{regions}的规划，无法回答。"
REPORT_NOT_OF_PLACE = "收录的工作总结是{region}的，没有写到{place}的情况，无法回答。"  # no digits: a report's name carries its year
CITY_MEANT = "（{plan}的上级规划（{parent}）未收录；“市里”按{city}回答。）"
PARENT_NOT_IN_CORPUS = "{plan}的上级规划（{parent}）未收录，无法与之比较。"
FAILED_PLAN = "{plan}的规划在语料清单中，但文本未能载入，暂时无法回答（原因见应用顶部的语料错误提示，或 python -m assistant stats）。"
NO_CONTENT = "规划中没有这项内容：{reason}。"
NO_ANSWER_FOUND = "现有规划文本中没有找到这个问题的答案"
NEAREST = "\n\n最接近的条款是〔{label}〕"
NEAREST_QUOTE = "：「{quote}」"
NEAREST_SEE = "，可查看原文。"
COVERED = "\n\n目前收录的规划：{plans}。"
AND_MORE = "等（全部规划见“规划浏览”页）"
NO_YEAR_DATA = "语料中没有{year}年的数据"
OUTSIDE_PERIOD = "所问年份超出了{plan}的规划期，该规划没有那一年的目标"
NO_TARGET_FOR = "{plan}没有关于“{names}”的目标"
NO_FIGURE_FOR = "{plan}没有为“{names}”设定具体数值目标"
FIRST_PLANS_NAMING = "\n\n（问题没有指明规划，以上按规划顺序列出最先写明的几个规划；指明区或规划名称可查该规划的写法。）"
MORE_PLANS_SET = "\n\n另有{n}个规划也设定了“{names}”的目标，这里没有逐一列出（各规划的数值见“对比”页）。"
NO_FIGURE_GIVEN = "规划没有给出具体数值。原文只写：「{quote}」〔{label}〕"
QUALITATIVE_ONLY = "规划没有给出具体数值：{plan}对“{names}”只作定性要求"
PACE_ONLY = "规划没有给出要达到的具体数值：{plan}对“{names}”只规定了每年的变化幅度"
ALSO = "\n\n另：{notes}。"

# -- targets ------------------------------------------------------------------------------------
COMPARATOR_WORDS = {"<=": "不高于", "<": "低于", ">=": "不低于", ">": "高于", "=": "达到", "≈": "约为",
                    "increase": "提高", "decrease": "降低", "maintain": "保持", "achieve": "实现"}
NORMALISED = "（即 {value}）"
YEAR_NOTE = "（{year}年）"
PERIOD_END_NOTE = "（条文未写年份，为规划期末目标；规划写明“到{year}年”〔{label}〕）"  # 到哪年 of an undated target
QUOTE = "「{quote}」〔{label}〕"
LINE = "{text}。〔{label}〕"

# -- comparisons --------------------------------------------------------------------------------
VERDICT_NOTE = {"参照": "上级规划（参照）", "相同": "与上级规划相同", "更严": "比上级规划更严", "更宽": "比上级规划更宽",
                "无量化目标": "没有量化目标", "未涉及": "未涉及该指标", "不可比": "单位不同，不可比",
                "上级未收录": "上级规划未收录"}
COMPARE_HEADER = ["| 规划 | 原文表述 | 目标值 | 年份 | 与上级规划相比 |", "|---|---|---|---|---|"]
COMPARE_ROW = "| {plan} | {quote} | {value} ({normed}) | {year} | {verdict} |"
NOT_FOUND_IN_PLAN = "规划中未找到该指标"
PERIOD_END = "规划期末"
YEAR_AS_QUOTED = "见原文表述"  # a row dated by words (“十三五”规划目标): no year the quote does not write
WHICH = {"stricter": "更严", "higher": "更高", "lower": "更低"}
WHICH_ANSWER = "{which}的是{plan}（{value}）。"
WHICH_SAME = "两者要求相同（{value}）。"
WHICH_UNCOMPARABLE = "各规划的单位或口径不同，无法直接比较高低。"

# -- owners -------------------------------------------------------------------------------------
OWNER_FOUND = "责任单位：{owner}（来源：{source}）"
OWNER_SOURCES = {"text": "条款原文写明", "assignment": "任务分工表"}
PERSON_NAMED = "原文写明{office}是{name}。"
PERSON_THEN = "文本没有写现任{office}是谁；原文写的是当时的{office}{name}（文本成文时的任职，不代表现在）。"
PERSON_NONE = "规划文本没有写明{office}的姓名：规划只写由哪个机构负责，不写具体人员。"
OFF_TOPIC = "本助手只回答妇女儿童发展规划文本中的内容（目标、指标、牵头部门、措施、规划本身），这个请求不在其中。"
OWNER_NONE = "规划原文没有写明由哪个部门牵头或负责。"
OWNER_RULE = "按{plan}的总则，由{owner}按职责承担：「{quote}」〔{label}〕"

# -- lists --------------------------------------------------------------------------------------
GOALS_HEADER = "**{plan} · {domain} · 主要目标**（共{n}条，原文）"
LIST_HEADER = "**{plan}**：\n{lines}"

# -- the documents themselves -------------------------------------------------------------------
NO_DOC_NUMBER = "{plan}的文本没有发文字号（原文只有发文机关和日期的落款），无法给出文号。"
DOC_NUMBER = "{plan}的发文字号是 {number}。〔{label}〕"
ISSUE_DATE = "{plan}的印发日期（原文落款）：「{quote}」。〔{label}〕"
ISSUE_DATE_READ = "{plan}的印发日期是{y}年{m}月{d}日（原文落款：「{quote}」）。〔{label}〕"
ISSUER = "{plan}由{issuer}印发。〔{label}〕"
PERIOD = "{plan}的规划期见其标题：「{quote}」。〔{label}〕"
PERIOD_YEAR = "{plan}的目标年份是{end}年（原文“到{end}年”）。〔{label}〕"
PARTS = "{plan}所在的文件包括{n}个规划：{titles}。"
SECTION_COUNT = "{scope}：{counts}。"
COUNT_ITEM = "{section}{n}条（最后一条是〔{last}〕）"
DOMAIN_LIST = "{scope}分{n}个领域：{domains}。"
SCOPE = "{plan}{part}{domain}"
PART_NAMES = {"妇女": "妇女部分", "儿童": "儿童部分", "综合": "全文"}

# -- monitoring ---------------------------------------------------------------------------------
STATUS_LINE = "**{plan}** {indicator}：**{status}**。{observed}目标：「{quote}」〔{label}〕"
STATUS_OBSERVED = "{year}年实际值 {written}（来源：{source}）；"
STATUS_GAP = "离目标还差 {gap}{unit}。"
PERCENT_POINTS = "个百分点"  # the unit of a difference between two percentages
STATUS_ABOVE = "比目标{more} {gap}{unit}。"
STATUS_NO_DATA = "还没有{region}“{indicator}”的观测值（可用 observations add 导入年度监测数据）。"
STATUS_AT_RISK = "按已有观测值的趋势，到规划期末仍达不到目标。"
STATUS_NONE = "所问范围内没有{which}的指标。"
STATUS_NO_OBSERVATIONS = "所问范围内还没有任何实际监测值，无法判断是否达标（规划文本只有目标；可用 observations add 导入年度监测数据）。"
STATUS_WHICH = {"not_met": "未达标", "at_risk": "有风险", "met": "已达标"}
STATUS_CLOSER = "更接近目标的是{plan}。"
