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


# --- Replies to disclosure applications (依申请公开) --------------------------
#
# Every outcome the annual report counts (table 3, rows 三（一）–（六）, format of
# 国办公开办函〔2021〕30号), each with its article, its report row and the reply
# letter it takes. The reply letter and the annual report both read this one
# list. Rows: "1" 予以公开, "2" 部分公开, "3.k" 不予公开 k, "4.k" 无法提供 k,
# "5.k" 不予处理 k, "6.k" 其他处理 k.

REPORT_ROWS = [
    ("1", "（一）予以公开"),
    ("2", "（二）部分公开（区分处理的，只计这一情形，不计其他情形）"),
    *[(f"3.{i}", f"（三）不予公开 {i}.{label}") for i, (_, label, _) in enumerate(WITHHOLDING_GROUNDS, 1)],
    ("4.1", "（四）无法提供 1.本机关不掌握相关政府信息"),
    ("4.2", "（四）无法提供 2.没有现成信息需要另行制作"),
    ("4.3", "（四）无法提供 3.补正后申请内容仍不明确"),
    ("5.1", "（五）不予处理 1.信访举报投诉类申请"),
    ("5.2", "（五）不予处理 2.重复申请"),
    ("5.3", "（五）不予处理 3.要求提供公开出版物"),
    ("5.4", "（五）不予处理 4.无正当理由大量反复申请"),
    ("5.5", "（五）不予处理 5.要求行政机关确认或重新出具已获取信息"),
    ("6.1", "（六）其他处理 1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请"),
    ("6.2", "（六）其他处理 2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请"),
    ("6.3", "（六）其他处理 3.其他"),
]

# Table 3's own rows besides the outcome rows, and its corner note (verbatim).
REPORT_SUMMARY_ROWS = {
    "new": "一、本年新收政府信息公开申请数量",
    "carried_over": "二、上年结转政府信息公开申请数量",
    "outcomes": "三、本年度办理结果",
    "outcomes_total": "（七）总计",
    "carried_forward": "四、结转下年度继续办理",
}
REPORT_CORNER_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"

# (code, label, article, report row, letter template)
REPLY_OUTCOMES = [
    ("proactive", "已主动公开，告知获取方式和途径", "第三十六条第（一）项", "1", "disclosed"),
    ("disclosed", "予以公开", "第三十六条第（二）项", "1", "disclosed"),
    ("partial", "部分公开（区分处理）", "第三十七条", "2", "partial"),
    *[(f"withheld_{code}", f"不予公开：{label}", article, f"3.{i}", "withheld")
      for i, (code, label, article) in enumerate(WITHHOLDING_GROUNDS, 1)],
    ("not_exist", "经检索，该政府信息不存在", "第三十六条第（四）项", "4.1", "not_exist"),
    ("not_responsible", "不属于本机关负责公开", "第三十六条第（五）项", "4.1", "not_responsible"),
    # Each 无法提供 and 不予处理 outcome has a letter of its own: the articles
    # say different things to the applicant (Art. 36(6) 不予重复处理, Art. 39
    # ¶1 the channels for a petition, ¶2 how to get a publication, Art. 35
    # the reasons asked for), which one shared wording cannot.
    ("needs_creation", "没有现成信息，需要另行制作", "第三十八条", "4.2", "needs_creation"),
    ("still_unclear", "补正后申请内容仍不明确", "第三十条", "4.3", "still_unclear"),
    ("petition", "属于信访、投诉、举报，不作为政府信息公开申请处理", "第三十九条第一款", "5.1", "petition"),
    ("repeat", "重复申请，不予重复处理", "第三十六条第（六）项", "5.2", "repeat"),
    ("publication", "要求提供公开出版物，告知获取途径", "第三十九条第二款", "5.3", "publication"),
    ("excessive", "无正当理由大量反复申请，不予处理", "第三十五条", "5.4", "excessive"),
    ("confirm", "要求确认或重新出具已获取的信息，不予处理", "第三十六条第（七）项", "5.5", "confirm"),
    ("no_correction", "逾期不补正，视为放弃申请", "第三十条", "6.1", "closed"),
    ("no_payment", "逾期未缴纳信息处理费，不再处理", "第四十二条", "6.2", "closed"),
    ("other", "其他处理", "", "6.3", "closed"),
]
REPLY_OUTCOME_CHOICES = [(code, f"{label}（{article}）" if article else label) for code, label, article, _, _ in REPLY_OUTCOMES]
OUTCOME_REPORT_ROW = {code: row for code, _, _, row, _ in REPLY_OUTCOMES}
OUTCOME_LETTER = {code: letter for code, _, _, _, letter in REPLY_OUTCOMES}
OUTCOME_ARTICLE = {code: article for code, _, article, _, _ in REPLY_OUTCOMES}
OUTCOME_LABEL = {code: label for code, label, _, _, _ in REPLY_OUTCOMES}

# Applicant columns of table 3.
APPLICANT_TYPES = [
    ("natural", "自然人"),
    ("commercial", "商业企业"),
    ("research", "科研机构"),
    ("welfare", "社会公益组织"),
    ("legal_service", "法律服务机构"),
    ("other", "其他"),
]

# Statutory periods, in working days (Art. 30, 32, 33, 34; fee measures).
REPLY_WORKDAYS = 20            # Art. 33
EXTENSION_MAX_WORKDAYS = 20    # Art. 33
CORRECTION_NOTICE_WORKDAYS = 7  # Art. 30
THIRD_PARTY_WORKDAYS = 15      # Art. 32
OTHER_ORGAN_WORKDAYS = 15      # Art. 34
FEE_PAYMENT_WORKDAYS = 20      # 《政府信息公开信息处理费管理办法》
REMEDY_CLAUSE = ("如对本答复不服，可以自收到本答复之日起60日内向{reconsideration_body}申请行政复议，"
                 "或者在6个月内向人民法院提起行政诉讼。")
