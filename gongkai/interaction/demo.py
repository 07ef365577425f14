"""Demo data of 政民互动, created through the services (so the audit log has
it too), in the demo region's own organisations. Each part has its own
function; `gongkai demo` (gongkai.demo.STEPS) calls them."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongkai.core import calendar
from gongkai.core.models import Organisation, Role


def _workday_before(days_back: int) -> dt.date:
    day, rough = timezone.localdate() - dt.timedelta(days=days_back), calendar.provisional()
    while not rough.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


# (type, channel, days back, subject, text, writer, phone, consent, confidential)
TICKETS = [
    ("consult", "phone", 2, "灵活就业人员如何办理城乡居民养老保险参保登记",
     "我是灵活就业人员，想了解在哪里、带什么材料可以办理城乡居民基本养老保险参保登记，缴费档次有哪些。",
     "刘芳", "13980001234", True, False),
    ("complaint", "letter", 12, "小区旁工地夜间施工噪声扰民",
     "锦江区某小区东侧在建工地连续多日在晚上十一点以后仍在施工，噪声很大，影响居民休息，请有关部门查处。",
     "陈建国", "13880005678", True, False),
    ("suggestion", "letter", 9, "建议在城区增设老年人助餐点",
     "建议在城区社区增设老年人助餐点，方便独居老人就近用餐，并对高龄老人给予适当补贴。",
     "赵丽", "13551112222", True, False),
    ("report", "phone", 4, "反映某餐馆使用过期食材",
     "某街道一家餐馆后厨存放过期食材并继续使用，请食品安全监管部门核查。", "匿名市民", "13699998888", False, True),
    ("help", "phone", 0, "独居老人家中水管爆裂求助",
     "家中老人独居，厨房水管爆裂，物业联系不上，请求帮助联系维修。", "孙强", "13700001111", False, False),
    ("consult", "letter", 3, "申请公开某项目环评批复文件",
     "我想获取某道路改扩建项目的环境影响评价批复文件原件复印件。", "王敏", "13800002222", False, False),
]


def _departments(organisation: Organisation) -> list[Organisation]:
    return list(Organisation.objects.filter(parent=organisation, level=Organisation.Level.DEPARTMENT)
                .order_by("sort_order", "id")[:3])


def create_tickets(organisation: Organisation, staff) -> int:
    """Tickets of the demo province at each step: answered at once, rated and
    published; disputed, re-dispatched and answered (awaiting the writer's
    rating); extended; a
    confidential 举报 in hand; one waiting for dispatch; an information
    request told to apply for disclosure; and a public knowledge-base entry.
    Returns how many tickets."""
    from . import ticket_services as services

    handler, head = staff[Role.HANDLER], staff[Role.OFFICE_ADMIN]
    departments = _departments(organisation) or [organisation]
    first, second = departments[0], departments[-1]
    made = []
    for ticket_type, channel, back, subject, text, name, phone, consent, confidential in TICKETS:
        ticket, _code = services.register(organisation, {
            "ticket_type": ticket_type, "subject": subject, "text": text, "writer_name": name, "writer_phone": phone,
            "consent_publish": consent, "confidential": confidential,
        }, channel=channel, user=head, received_on=_workday_before(back))
        made.append(ticket)
    consult, complaint, suggestion, report, _help, disclosure = made
    today = timezone.localdate()

    services.reply(consult, user=handler, on=today, text=(
        "您好！灵活就业人员可持居民身份证到户籍所在地乡镇（街道）便民服务中心，或通过省人社厅网上服务大厅办理"
        "城乡居民基本养老保险参保登记。缴费档次分为每年200元至6000元共14个档次，可自主选择。"))
    services.rate(consult, satisfaction="satisfied", resolved=True, comment="电话回访，表示满意。", user=head)
    services.prepare_publication(consult, user=handler)
    consult.refresh_from_db()
    services.approve_publication(consult, user=head, subject=consult.public_subject, text=consult.public_text,
                                 reply_text=consult.public_reply)

    services.dispatch(complaint, to=first, user=head, note="请核查工地夜间施工许可情况")
    if second.pk != first.pk:
        services.dispute(complaint, user=head, reason="建筑施工噪声的监管不属于本单位职责。")
        services.decide_dispute(complaint, user=head, upheld=True, reason="异议成立，改派主管部门。", to=second)
    services.reply(complaint, user=head, on=today, text=(
        "经现场核查，该工地未办理夜间施工许可，已责令停止夜间施工并立案调查，今后将加强巡查。感谢您的监督。"))

    services.dispatch(suggestion, to=first, user=head)
    services.request_extension(suggestion, user=head, days=5, reason="需会同民政部门和街道实地调研助餐点选址。")
    services.decide_extension(suggestion, user=head, approve=True, note="同意。")

    services.dispatch(report, to=second, user=head)
    services.divert(disclosure, user=head, channel="disclosure")

    entry = services.save_entry(None, user=head, organisation=organisation,
                                question="灵活就业人员如何参加城乡居民基本养老保险？",
                                answer=("持居民身份证到户籍所在地乡镇（街道）便民服务中心或通过网上服务大厅办理参保登记；"
                                        "缴费档次为每年200元至6000元，可自主选择。"),
                                keywords="养老保险 灵活就业 参保", is_public=True, source=consult)
    services.decide_entry(entry, user=head, approve=True)
    return len(made)


# --- consultations on drafts (意见征集) and online interviews (在线访谈) ------------------

CONSULTATION_OPEN = {
    "title": "关于公开征求《{place}城市生活垃圾分类管理办法（征求意见稿）》意见的公告",
    "draft_title": "{place}城市生活垃圾分类管理办法（征求意见稿）",
    "draft_text": ("第一条 为加强城市生活垃圾分类管理，改善人居环境，根据《中华人民共和国固体废物污染环境防治法》等法律法规，结合本地实际，制定本办法。\n"
                   "第二条 本办法适用于本行政区域内城市建成区的生活垃圾分类投放、收集、运输、处理及其监督管理活动。\n"
                   "第三条 生活垃圾分为可回收物、有害垃圾、厨余垃圾和其他垃圾四类。\n"
                   "第四条 单位和个人应当按照分类标准将生活垃圾投放到相应的收集容器。"),
    "explanation": ("一、起草背景。为落实生活垃圾分类工作部署，解决分类投放设施不足、收运体系不健全等问题，起草本办法。\n"
                    "二、主要内容。明确分类标准、投放管理责任人制度、收运处理要求和监督管理措施。\n"
                    "三、征求意见期限。本办法涉及餐饮、物业等市场主体的生产经营活动，依照《优化营商环境条例》第六十二条公开征求意见30日。"),
}
# (name, contact, text, shown after moderation)
CONSULTATION_COMMENTS = [
    ("张先生", "13800001234", "建议第三条对“厨余垃圾”作出更具体的列举，如剩菜剩饭、果皮、过期食品等，便于居民理解。", True),
    ("", "", "第四条建议增加对老旧小区分类投放设施建设的资金保障条款。", True),
    ("某物业服务企业", "028-86001234", "建议明确物业服务企业作为管理责任人时的具体义务和免责情形，联系电话13912345678。", True),
    ("", "", "请问这个办法什么时候开始实施？", False),
]
CONSULTATION_CLOSED = {
    "title": "关于公开征求《{place}城市养犬管理规定（修订草案征求意见稿）》意见的公告",
    "draft_title": "{place}城市养犬管理规定（修订草案征求意见稿）",
    "draft_text": ("第一条 为规范城市养犬行为，保障公民人身安全和健康，维护市容环境和社会秩序，制定本规定。\n"
                   "第二条 养犬人应当为犬只办理登记，携犬出户时应当为犬只佩戴犬牌并使用犬绳牵领。\n"
                   "第三条 重点管理区内禁止饲养烈性犬、大型犬。"),
    "explanation": ("一、修订必要性。现行规定施行已逾十年，犬只登记、免疫和文明养犬管理出现新情况。\n"
                    "二、主要修订内容。完善登记管理，明确牵引绳长度，增加犬只粪便清理义务。"),
}
CLOSED_COMMENTS = [
    "建议将牵引犬绳的长度明确为不超过1.5米。",
    "第三条“大型犬”的标准不清楚，建议附具体犬种目录或体高标准。",
    "建议增加养犬人及时清理犬只粪便的义务和相应罚则。",
    "建议取消犬只登记收费。",
]


def _consultation(spec: dict, place: str, opens_on: dt.date, closes_on: dt.date) -> dict:
    data = {key: value.format(place=place) for key, value in spec.items()}
    data.update(opens_on=opens_on, closes_on=closes_on, how_to_comment="", short_reason="", major=True,
                require_name=False, moderated=True)
    return data


def create_consultations(organisation: Organisation, staff) -> int:
    """An open consultation with comments (one awaiting moderation), and one
    that closed forty days ago with every comment decided but its adoption
    feedback not yet drafted, so the workbench warns about it. Returns how many."""
    from . import consultation_services as services

    drafter, publisher = staff[Role.DRAFTER], staff[Role.PUBLISHER]
    place = organisation.short_name or organisation.name
    today, now = timezone.localdate(), timezone.now()

    opens = today - dt.timedelta(days=10)
    current = services.consultation_save(None, user=drafter, organisation=organisation, today=opens,
                                         **_consultation(CONSULTATION_OPEN, place, opens, opens + dt.timedelta(days=30)))
    services.consultation_publish(current, user=publisher, today=opens)
    for name, contact, text, show in CONSULTATION_COMMENTS:
        comment = services.comment_submit(current, name=name, contact=contact, text=text, now=now)
        if show:
            services.comment_moderate(comment, user=drafter, show=True)

    closes = today - dt.timedelta(days=40)
    opens = closes - dt.timedelta(days=30)
    past = services.consultation_save(None, user=drafter, organisation=organisation, today=opens,
                                      **_consultation(CONSULTATION_CLOSED, place, opens, closes))
    services.consultation_publish(past, user=publisher, today=opens)
    first = timezone.make_aware(dt.datetime.combine(opens + dt.timedelta(days=3), dt.time(10, 0)))
    comments = []
    for i, text in enumerate(CLOSED_COMMENTS):
        comments.append(services.comment_submit(past, text=text, now=first + dt.timedelta(days=5 * i)))
        services.comment_moderate(comments[-1], user=drafter, show=True)
    services.close_due(today)
    past.refresh_from_db()
    services.decide(past, [comments[0].pk, comments[2].pk], user=drafter, decision="adopted",
                    summary="建议明确牵引犬绳长度，增加及时清理犬只粪便的义务。", reason="已采纳，修改为第二条第二款和第十二条。")
    services.decide(past, [comments[1].pk], user=drafter, decision="partly",
                    reason="部分采纳：增加按体高界定大型犬的标准，犬种目录由公安机关另行公布。")
    services.decide(past, [comments[3].pk], user=drafter, decision="not_adopted",
                    reason="犬只登记收费标准由价格主管部门核定，不属于本规定调整范围。")
    return 2


INTERVIEW_COMING = {
    "title": "优化营商环境 助力民营经济发展",
    "summary": "围绕企业开办、项目审批、惠企政策兑现等热点问题，与网友在线交流。",
    "guests": "李明 省发展改革委副主任\n王芳 省市场监管局副局长",
    "host": "刘洁",
}
INTERVIEW_HELD = {
    "title": "城乡居民基本医疗保险参保缴费政策解读",
    "summary": "解读城乡居民医保参保缴费、待遇享受和异地就医备案政策。",
    "guests": "赵强 省医疗保障局副局长",
    "host": "陈晨",
}


def create_interviews(organisation: Organisation, staff) -> int:
    """An announced interview with questions (one awaiting moderation), and
    one held last week with the host's and guest's words, answers given
    live, and one question still to be answered afterwards (on the
    workbench). Returns how many."""
    from . import interview_services as services

    drafter, publisher = staff[Role.DRAFTER], staff[Role.PUBLISHER]
    now = timezone.localtime()
    at_ten = now.replace(hour=10, minute=0, second=0, microsecond=0)

    coming = services.interview_save(None, user=drafter, organisation=organisation,
                                     starts_at=at_ten + dt.timedelta(days=6), duration_minutes=60, **INTERVIEW_COMING)
    services.interview_announce(coming, user=publisher, now=now)
    shown = services.question_submit(coming, text="新开办企业能否一次性领取营业执照、公章和发票？", now=now)
    services.question_moderate(shown, user=drafter, show=True)
    services.question_submit(coming, name="网友小陈", contact="13700007777", text="个体工商户能享受哪些税费减免政策？", now=now)

    held = at_ten - dt.timedelta(days=7)
    past = services.interview_save(None, user=drafter, organisation=organisation, starts_at=held, duration_minutes=60,
                                   **INTERVIEW_HELD)
    services.interview_announce(past, user=publisher, now=held - dt.timedelta(days=5))
    asked = [services.question_submit(past, text=text, now=held - dt.timedelta(days=2)) for text in (
        "今年城乡居民医保个人缴费标准是多少？", "在外地务工，怎么办理异地就医备案？", "新生儿出生后多久内参保可以享受待遇？")]
    guest, host = past.guest_list[0], services.speakers(past)[0]
    services.interview_start(past, user=drafter, now=held)
    services.statement_add(past, user=drafter, speaker=host, text="各位网友大家好，欢迎收看本期在线访谈。",
                           now=held + dt.timedelta(minutes=1))
    services.statement_add(past, user=drafter, speaker=guest, text="大家好，很高兴和网友交流城乡居民医保政策。",
                           now=held + dt.timedelta(minutes=3))
    services.question_answer(asked[0], user=drafter, guest=guest, now=held + dt.timedelta(minutes=10),
                             answer="今年个人缴费标准为每人每年400元，困难群众按规定享受资助参保。")
    services.question_answer(asked[1], user=drafter, guest=guest, now=held + dt.timedelta(minutes=25),
                             answer="可通过国家医保服务平台或当地医保经办机构线上办理备案，即时生效。")
    services.question_moderate(asked[2], user=drafter, show=True)
    services.interview_end(past, user=drafter, now=held + dt.timedelta(minutes=60))
    return 2
