"""Reply letters (政府信息公开申请答复告知书). The outcome picks the template
(gongkai.core.statute.OUTCOME_LETTER). Each organisation's office may reword
a template (a LetterTemplate row of that organisation): it applies there and
in every organisation below unless a lower one rewords it again. A letter
uses the wording of the handling organisation's nearest ancestor-or-self
that has one, else the installation's default (a row without organisation,
the system administrator's), else the shipped wording below."""

from __future__ import annotations

from gongkai.core.statute import OUTCOME_ARTICLE, OUTCOME_LABEL, OUTCOME_LETTER, REMEDY_CLAUSE

DEFAULT_TEMPLATES = {
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
    "unable": ("政府信息无法提供告知书",
               "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
               "经审查，{reasons}，根据《中华人民共和国政府信息公开条例》{article}的规定，本机关无法提供。"),
    "not_processed": ("政府信息公开申请不予处理告知书",
                      "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n"
                      "经审查，{outcome}，根据《中华人民共和国政府信息公开条例》{article}的规定，本机关不作为政府信息公开申请处理。{reasons}"),
    # Not a reply: the written consultation of a third party (Art. 32).
    "third_party": ("政府信息公开征求第三方意见书",
                    "{party}：\n本机关于{received}收到政府信息公开申请，申请公开{request}。该信息可能涉及你方商业秘密、个人隐私等合法权益，"
                    "根据《中华人民共和国政府信息公开条例》第三十二条的规定，现征求你方意见。\n"
                    "请自收到本意见书之日起15个工作日内书面提出意见；不同意公开的，请说明理由。逾期未提出意见的，本机关将依照条例的规定决定是否公开。"),
    "closed": ("政府信息公开申请终止处理告知书",
               "{applicant}：\n本机关于{received}收到您提出的政府信息公开申请，您申请获取{request}。\n{outcome}。{reasons}"),
}


def _date(value) -> str:
    return f"{value.year}年{value.month}月{value.day}日" if value else "（日期未确认）"


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


def fields(app, reply) -> dict:
    organisation = app.organisation
    parent = organisation.parent
    return {
        "applicant": app.applicant_name,
        "received": _date(app.received_on),
        "request": request_text(app),
        "reasons": reply.reasons,
        "provided": f"\n提供的信息：{reply.provided}" if reply.provided else "",
        "where": f"\n该信息已主动公开，您可以通过以下途径获取：{reply.where_published}" if reply.where_published else "",
        "responsible": reply.responsible_organ,
        "article": OUTCOME_ARTICLE.get(reply.outcome, ""),
        "outcome": OUTCOME_LABEL.get(reply.outcome, ""),
        "remedy": REMEDY_CLAUSE.format(reconsideration_body=(parent.name if parent else "上一级行政机关")),
        "organisation": organisation.name,
        "date": _date(reply.issued_on),
        "number": reply.letter_number,
    }


class _Safe(dict):
    def __missing__(self, key):  # an office template naming an unknown placeholder keeps it as typed
        return "{" + key + "}"


def render_parts(app, reply) -> dict:
    """Title, number, body paragraphs, remedy clause, signature and date."""
    title, body = template_for(OUTCOME_LETTER[reply.outcome], app.organisation)
    values = fields(app, reply)
    text = body.format_map(_Safe(values))
    return {"title": title, "number": values["number"], "paragraphs": [p for p in text.split("\n") if p.strip()],
            "remedy": values["remedy"], "organisation": values["organisation"], "date": values["date"]}


def render_text(app, reply) -> str:
    parts = render_parts(app, reply)
    lines = [parts["title"], parts["number"], *parts["paragraphs"], parts["remedy"], parts["organisation"], parts["date"]]
    return "\n".join(lines)


def consultation_parts(app, event) -> dict:
    """The written consultation of a third party (Art. 32), from the
    consultation event (its note names the third party). No applicant's
    personal data goes to the third party: only what was asked."""
    title, body = template_for("third_party", app.organisation)
    values = {"party": event.note or "第三方", "received": _date(app.received_on), "request": request_text(app)}
    text = body.format_map(_Safe(values))
    return {"title": title, "number": f"{app.number}征", "paragraphs": [p for p in text.split("\n") if p.strip()],
            "remedy": "", "organisation": app.organisation.name, "date": _date(event.on)}
