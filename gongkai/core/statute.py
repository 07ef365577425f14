"""Statutory lists from the Regulations on Open Government Information
(《中华人民共和国政府信息公开条例》, 2019 revision), each with its article.
Every screen, letter and report reads these lists; do not copy them elsewhere.
"""

# Grounds for withholding (不予公开), in the order of the annual report's
# table 3, rows 三（三）1–8.
WITHHOLDING_GROUNDS = [
    ("state_secret", "属于国家秘密", "第十四条"),
    ("law_prohibits", "其他法律行政法规禁止公开", "第十四条"),
    ("three_securities", "危及“三安全一稳定”", "第十四条"),
    ("third_party", "保护第三方合法权益", "第十五条"),
    ("internal_affairs", "属于三类内部事务信息", "第十六条第一款"),
    ("process_info", "属于四类过程性信息", "第十六条第二款"),
    ("enforcement_file", "属于行政执法案卷", "第十六条第二款"),
    ("administrative_query", "属于行政查询事项", "第三十六条第七项"),
]

WITHHOLDING_GROUND_CHOICES = [(code, f"{label}（{article}）") for code, label, article in WITHHOLDING_GROUNDS]

# Grounds for releasing on request only (依申请公开): the information concerns
# specific applicants' production, life or research needs, or is not in the
# scope of proactive disclosure (Art. 13, 19-21, 27).
ON_REQUEST_GROUNDS = [
    ("not_proactive_scope", "不属于主动公开范围，依申请公开", "第十三条、第二十七条"),
    ("specific_need", "仅涉及特定对象，依申请公开", "第二十七条"),
]
ON_REQUEST_GROUND_CHOICES = [(code, f"{label}（{article}）") for code, label, article in ON_REQUEST_GROUNDS]
