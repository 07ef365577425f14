"""Letters the procedure sends: the reply letter (政府信息公开申请答复告知书),
whose outcome picks the template (gongkai.core.statute.OUTCOME_LETTER), and
the other notices (补正告知书, 延期答复告知书, 征求第三方意见书, 征求意见函,
收费通知书, 转送告知书; gongkai.applications.notice_flow). Each organisation's
office may reword a template (a LetterTemplate row of that organisation): it
applies there and in every organisation below unless a lower one rewords it
again. A letter uses the wording of the handling organisation's nearest
ancestor-or-self that has one, else the installation's default (a row without
organisation, the system administrator's), else the shipped wording below.

A letter's parts: title, number, body paragraphs, the remedies sentence
(only where notice_flow says the letter decides the applicant's rights),
organisation and date."""

from __future__ import annotations

from gongkai.core.dates import date_text
from gongkai.core.statute import OUTCOME_ARTICLE, OUTCOME_LABEL, OUTCOME_LETTER, REMEDY_CLAUSE

DEFAULT_TEMPLATES = {
    # --- replies: the outcome picks the letter (gongkai.core.statute.OUTCOME_LETTER) ---
    "disclosed": ("政府信息公开申请答复告知书",
                  "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                  "经审查，您申请获取的信息属于公开范围，根据《中华人民共和国政府信息公开条例》{article}的规定，现予以公开。{provided}{where}"),
    "partial": ("政府信息部分公开告知书",
                "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                "经审查，您申请获取的信息中部分内容不应当公开（{reasons}），根据《中华人民共和国政府信息公开条例》第三十七条的规定，"
                "本机关对可以公开的部分予以提供。{provided}"),
    "withheld": ("政府信息不予公开告知书",
                 "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                 "经审查，您申请获取的信息{reasons}，根据《中华人民共和国政府信息公开条例》{article}的规定，决定不予公开。"),
    "not_exist": ("政府信息不存在告知书",
                  "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                  "经检索，本机关未制作或获取该政府信息，根据《中华人民共和国政府信息公开条例》第三十六条第（四）项的规定，告知您该政府信息不存在。{reasons}"),
    "not_responsible": ("非本机关负责公开告知书",
                        "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                        "经审查，该信息不属于本机关负责公开（{reasons}），根据《中华人民共和国政府信息公开条例》第三十六条第（五）项的规定，"
                        "请您向{responsible}咨询或申请。"),
    "needs_creation": ("政府信息无法提供告知书",
                       "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                       "经审查，本机关没有您申请获取的现成信息，提供该信息需要对现有政府信息进行加工、分析（{reasons}）。"
                       "根据《中华人民共和国政府信息公开条例》{article}的规定，本机关不予提供。"),
    "still_unclear": ("政府信息无法提供告知书",
                      "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请。本机关已告知您补正申请内容，经审查，"
                      "补正后的申请内容仍不明确（{reasons}），本机关无法确定您申请获取的政府信息。"
                      "根据《中华人民共和国政府信息公开条例》{article}的规定，本机关无法提供。\n"
                      "您可以在写明所需政府信息的名称、文号或者便于查询的其他特征性描述后重新提出申请。"),
    "petition": ("政府信息公开申请不予处理告知书",
                 "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请。\n"
                 "经审查，您的申请实为信访、投诉、举报事项。根据《中华人民共和国政府信息公开条例》{article}的规定，"
                 "本机关不作为政府信息公开申请处理，您可以通过信访、投诉、举报等相应渠道提出。{reasons}"),
    "repeat": ("政府信息公开申请不予重复处理告知书",
               "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
               "经审查，本机关已就相同政府信息的公开申请作出答复，您重复申请公开相同的政府信息。"
               "根据《中华人民共和国政府信息公开条例》{article}的规定，本机关不予重复处理。{reasons}"),
    "publication": ("政府信息公开申请不予处理告知书",
                    "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                    "经审查，您申请获取的是政府公报、报刊、书籍等公开出版物。根据《中华人民共和国政府信息公开条例》{article}的规定，"
                    "本机关告知您获取途径：{route}。{reasons}"),
    "excessive": ("政府信息公开申请不予处理告知书",
                  "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请。\n"
                  "经审查，您申请公开政府信息的数量、频次明显超过合理范围，本机关已要求您说明理由，您说明的理由不合理。"
                  "根据《中华人民共和国政府信息公开条例》{article}的规定，本机关不予处理。{reasons}"),
    "confirm": ("政府信息公开申请不予处理告知书",
                "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                "经审查，您的申请是要求本机关确认或者重新出具您已经获取的信息，不属于申请获取政府信息。"
                "根据《中华人民共和国政府信息公开条例》{article}的规定，本机关不予处理。{reasons}"),
    "closed": ("政府信息公开申请终止处理告知书",
               "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n{basis}{outcome}。{reasons}"),
    # --- the other notices of the procedure (notice_flow.KINDS) ---
    "correction": ("政府信息公开申请补正告知书",
                   "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                   "经审查，您的申请内容不明确。根据《中华人民共和国政府信息公开条例》第三十条的规定，现一次性告知您需要补正的事项：\n"
                   "{items}\n"
                   "请您于{by}前（自本告知书发出之日起{period}个工作日内）作出补正。答复期限自本机关收到补正的申请之日起计算。"
                   "无正当理由逾期不补正的，视为放弃申请，本机关不再处理您的政府信息公开申请。"),
    "extension": ("政府信息公开申请延期答复告知书",
                  "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                  "因{reason}，本机关不能在{old_due}前作出答复。根据《中华人民共和国政府信息公开条例》第三十三条第二款的规定，"
                  "经本机关政府信息公开工作机构负责人同意，答复期限延长{days}个工作日，本机关将于{new_due}前作出答复。"),
    # Not to the applicant: the written consultation of a third party (Art. 32).
    "third_party": ("政府信息公开征求第三方意见书",
                    "{party}：\n本机关于{received}收到政府信息公开申请，申请公开{request}。该信息可能涉及你方商业秘密、个人隐私等合法权益，"
                    "根据《中华人民共和国政府信息公开条例》第三十二条的规定，现征求你方意见。\n"
                    "请自收到本意见书之日起{workdays}个工作日内书面提出意见；不同意公开的，请说明理由。逾期未提出意见的，本机关将依照条例的规定决定是否公开。"),
    # Not to the applicant: the consultation of another organ (Art. 34).
    "organ": ("政府信息公开征求意见函",
              "{organ}：\n本机关于{received}收到政府信息公开申请，申请公开{request}。该政府信息涉及贵机关，"
              "根据《中华人民共和国政府信息公开条例》第三十四条的规定，现征求贵机关意见。\n"
              "请自收到本函之日起{workdays}个工作日内提出意见；逾期未提出意见的，视为同意公开。"),
    "fee": ("政府信息公开信息处理费收费通知书",
            "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
            "经审查，{reason}。根据《中华人民共和国政府信息公开条例》第四十二条和《政府信息公开信息处理费管理办法》的规定，"
            "本机关对该申请收取信息处理费。\n"
            "计收方式：{basis}；计费数量：{quantity}；收费标准：{tiers}；应缴金额：人民币{amount}元。\n"
            "缴费方式：{payment}\n"
            "请于{pay_by}前（自本通知发出之日起{pay_workdays}个工作日内）缴纳。缴费期间不计算在答复期限内；"
            "逾期未缴纳的，视为放弃申请，本机关不再处理您的政府信息公开申请。"),
    "transfer": ("政府信息公开申请转送告知书",
                 "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                 "经审查，该政府信息不属于本机关负责公开，应由{to}负责公开。{reasons}"
                 "根据《中华人民共和国政府信息公开条例》第三十六条第（五）项的规定，本机关已将您的申请转送{to}办理{contact}。"),
}

# The placeholders a template may use (the editor refuses others), with what they stand for.
PLACEHOLDERS = {
    "applicant": "申请人姓名或名称",
    "received": "收到申请日期",
    "request": "申请获取的信息（名称、文号、描述）",
    "reasons": "理由和依据说明",
    "provided": "提供的信息及方式（含“提供的信息：”字样，另起一段）",
    "where": "已主动公开信息的获取途径（另起一段）",
    "route": "公开出版物的获取途径",
    "responsible": "负责公开的机关及联系方式",
    "article": "办理结果所依据的条款",
    "outcome": "办理结果",
    "basis": "办理结果的依据（“根据《中华人民共和国政府信息公开条例》第某条的规定，”，无条款时为空）",
    "organisation": "本机关名称",
    "items": "需要补正的事项",
    "period": "补正期限（工作日数）",
    "by": "补正期限届满日",
    "reason": "延期理由或收费理由",
    "days": "延长的工作日数",
    "old_due": "原答复期限",
    "new_due": "延长后的答复期限",
    "party": "第三方名称",
    "organ": "被征求意见的机关",
    "workdays": "提出意见的期限（工作日数）",
    "quantity": "计费数量（件数或页数）",
    "tiers": "适用的收费标准（分档）",
    "amount": "应缴金额（元）",
    "payment": "缴费方式",
    "pay_by": "缴费期限届满日",
    "pay_workdays": "缴费期限（工作日数）",
    "to": "受转送的机关",
    "contact": "受转送机关的联系方式（含“，该机关联系方式：”字样）",
}
COMMON = ("applicant", "received", "request", "organisation")
REPLY_KEYS = ("applicant", "received", "request", "reasons", "provided", "where", "route", "responsible", "article",
              "outcome", "basis", "organisation")
NOTICE_KEYS = {
    "correction": (*COMMON, "items", "period", "by"),
    "extension": (*COMMON, "reason", "days", "old_due", "new_due"),
    "third_party": ("party", "received", "request", "workdays", "organisation"),
    "organ": ("organ", "received", "request", "workdays", "organisation"),
    "fee": (*COMMON, "reason", "basis", "quantity", "tiers", "amount", "payment", "pay_by", "pay_workdays"),
    "transfer": (*COMMON, "to", "contact", "reasons"),
}
# Where a notice gives a placeholder another meaning than the reply does.
KIND_LABELS = {"fee": {"basis": "计收方式"}}
# Also accepted in any template, though the letter prints them itself.
EXTRA_PLACEHOLDERS = ("remedy", "date", "number")


def placeholders_for(key: str) -> list[tuple[str, str]]:
    """The placeholders template `key` may use, with their meaning."""
    labels = {**PLACEHOLDERS, **KIND_LABELS.get(key, {})}
    return [(name, labels[name]) for name in NOTICE_KEYS.get(key, REPLY_KEYS)]


def _date(value) -> str:
    return date_text(value, "（日期未确认）")


def chain(organisation) -> list:
    """The organisation and those above it, nearest first ([] for None)."""
    found, node = [], organisation
    while node is not None and len(found) < 20:
        found.append(node)
        node = node.parent
    return found


def templates_for(organisation) -> dict[str, tuple[str, str, object]]:
    """Every template in force at `organisation` (None: the installation's
    default): key -> (title, body, the LetterTemplate row it comes from, or
    None for the shipped wording)."""
    from django.db.models import Q

    from .models import LetterTemplate

    rank = {org.pk: i for i, org in enumerate(chain(organisation))}
    nearest: dict[str, tuple[int, object]] = {}
    for row in LetterTemplate.objects.filter(Q(organisation__isnull=True) | Q(organisation_id__in=list(rank))):
        level = rank.get(row.organisation_id, len(rank))  # the default is the farthest
        if row.key not in nearest or level < nearest[row.key][0]:
            nearest[row.key] = (level, row)
    result = {}
    for key, (title, body) in DEFAULT_TEMPLATES.items():
        row = nearest.get(key, (None, None))[1]
        result[key] = (row.title, row.body, row) if row is not None else (title, body, None)
    return result


def template_for(key: str, organisation=None) -> tuple[str, str]:
    """The wording of template `key` that `organisation` uses (see the module docstring)."""
    title, body, _ = templates_for(organisation)[key]
    return title, body


def request_text(app) -> str:
    parts = []
    if app.info_title:
        parts.append(f"“{app.info_title}”")
    if app.info_number:
        parts.append(f"（文号：{app.info_number}）")
    if app.info_description:
        parts.append(f"（{app.info_description[:300]}）")
    return "".join(parts) or "相关政府信息"


def remedy_text(organisation, of: str = "本答复") -> str:
    """The remedies sentence (statute.REMEDY_CLAUSE) naming the body above the
    organisation, for a letter that calls itself `of` (本答复, 本通知, 本告知书)."""
    parent = organisation.parent if organisation is not None else None
    text = REMEDY_CLAUSE.format(reconsideration_body=(parent.name if parent else "上一级行政机关"))
    return text.replace("本答复", of)


def fields(app, reply) -> dict:
    organisation = app.organisation
    return {
        "applicant": app.applicant_name,
        "received": _date(app.received_on),
        "request": request_text(app),
        "reasons": reply.reasons,
        "provided": f"\n提供的信息：{reply.provided}" if reply.provided else "",
        "where": f"\n该信息已主动公开，您可以通过以下途径获取：{reply.where_published}" if reply.where_published else "",
        "route": reply.where_published or "可通过公开出版物的发行渠道获取",
        "responsible": reply.responsible_organ,
        "article": OUTCOME_ARTICLE.get(reply.outcome, ""),
        "outcome": OUTCOME_LABEL.get(reply.outcome, ""),
        "basis": (f"根据《中华人民共和国政府信息公开条例》{OUTCOME_ARTICLE[reply.outcome]}的规定，"
                  if OUTCOME_ARTICLE.get(reply.outcome) else ""),
        "remedy": remedy_text(organisation),
        "organisation": organisation.name,
        "date": _date(reply.issued_on),
        "number": reply.letter_number,
    }


class _Safe(dict):
    def __missing__(self, key):  # an office template naming an unknown placeholder keeps it as typed
        return "{" + key + "}"


def _paragraphs(text: str) -> list[str]:
    return [p for p in text.split("\n") if p.strip()]


def render_parts(app, reply) -> dict:
    """Title, number, body paragraphs, remedy clause, signature and date."""
    title, body = template_for(OUTCOME_LETTER[reply.outcome], app.organisation)
    values = fields(app, reply)
    text = body.format_map(_Safe(values))
    return {"title": title, "number": values["number"], "paragraphs": _paragraphs(text),
            "remedy": values["remedy"], "organisation": values["organisation"], "date": values["date"]}


def parts_text(parts: dict) -> str:
    """A letter's parts as plain text, one line each (the remedies line only where there is one)."""
    lines = [parts["title"], parts["number"], *parts["paragraphs"]]
    if parts.get("remedy"):
        lines.append(parts["remedy"])
    return "\n".join([*lines, parts["organisation"], parts["date"]])


def render_text(app, reply) -> str:
    return parts_text(render_parts(app, reply))


def sentence(text: str) -> str:
    """`text` as a sentence of its own (a full stop added), or "" when empty."""
    text = (text or "").strip()
    if not text:
        return ""
    return text if text[-1] in "。！？；…" else text + "。"


REMEDY_OF = {"fee": "本通知", "transfer": "本告知书"}


def notice_parts(key: str, app, values: dict, *, number: str, date, remedy: bool) -> dict:
    """A notice's parts from template `key` (a notice_flow kind) in the wording
    the handling organisation uses, with `values` for its placeholders (the
    applicant, the date of receipt, the request and the organisation are
    filled in here)."""
    organisation = app.organisation
    title, body = template_for(key, organisation)
    filled = {"applicant": app.applicant_name, "received": _date(app.received_on), "request": request_text(app),
              "organisation": organisation.name, "number": number, "date": _date(date) if date else "（发出之日）",
              **values}
    text = body.format_map(_Safe(filled))
    return {"title": title, "number": number, "paragraphs": _paragraphs(text),
            "remedy": remedy_text(organisation, REMEDY_OF.get(key, "本告知书")) if remedy else "",
            "organisation": organisation.name, "date": filled["date"]}


def consultation_parts(app, event) -> dict:
    """The written consultation of a third party (Art. 32) recorded as an
    event without a notice (before notices were signed off), from the
    consultation event (its note names the third party). No applicant's
    personal data goes to the third party: only what was asked."""
    from gongkai.core.statute import THIRD_PARTY_WORKDAYS

    title, body = template_for("third_party", app.organisation)
    values = {"party": event.note or "第三方", "received": _date(app.received_on), "request": request_text(app),
              "workdays": THIRD_PARTY_WORKDAYS, "organisation": app.organisation.name}
    text = body.format_map(_Safe(values))
    return {"title": title, "number": f"{app.number}征", "paragraphs": _paragraphs(text),
            "remedy": "", "organisation": app.organisation.name, "date": _date(event.on)}
