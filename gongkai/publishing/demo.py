"""Demo staff and documents at every step of the workflow, created through
the same services people use, so the demo database has a full audit trail."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from gongkai.catalog.models import Document, Genre
from gongkai.core import services as core_services
from gongkai.core.models import Organisation, Role

from . import services, workflow

# username, name, role, review level
STAFF = [
    ("zhang.wei", "张伟", Role.DRAFTER, None),
    ("li.na", "李娜", Role.REVIEWER, 1),
    ("wang.qiang", "王强", Role.REVIEWER, 2),
    ("liu.yang", "刘洋", Role.REVIEWER, 3),
    ("chen.jing", "陈静", Role.SECRECY_REVIEWER, None),
    ("zhao.min", "赵敏", Role.PUBLISHER, None),
    ("zhou.jie", "周杰", Role.HANDLER, None),
    ("sun.li", "孙丽", Role.OFFICE_ADMIN, None),
]


def create_staff(organisation: Organisation, password: str) -> dict[str, object]:
    staff = {}
    for username, name, role, level in STAFF:
        user = core_services.create_user(by=None, username=username, password=password, full_name=name,
                                         organisation=organisation, system=True)
        core_services.grant_role(by=None, user=user, organisation=organisation, role=role, review_level=level, system=True)
        staff[role if role != Role.REVIEWER else f"reviewer{level}"] = user
    return staff


def _draft(staff, org, title, genre, body, **fields):
    return services.save_draft(None, user=staff[Role.DRAFTER], organisation=org, title=title,
                               genre=Genre.objects.filter(name=genre).first(), body_html=body, **fields)


def _review(doc, staff, upto: int):
    """Submit and pass `upto` review levels (3 = into secrecy review)."""
    doc = services.act(doc, workflow.SUBMIT, user=staff[Role.DRAFTER])
    for level in range(1, upto + 1):
        doc = services.act(doc, workflow.PASS, user=staff[f"reviewer{level}"])
    return doc


def _ready(doc, staff):
    doc = _review(doc, staff, 3)
    return services.act(doc, workflow.PASS, user=staff[Role.SECRECY_REVIEWER])


def create_examples(org: Organisation, staff) -> int:
    """Documents at each step: published together (a normative document and
    its interpretation), in review, returned, in secrecy review with personal
    data to handle, scheduled, stopped and drafts. Returns how many."""
    year = timezone.localdate().year
    place = org.short_name or org.name
    policy = _draft(staff, org, f"{place}城乡居民临时救助实施办法", "行政规范性文件",
                    "<p>第一条 为规范临时救助工作，根据《社会救助暂行办法》，结合本地实际，制定本办法。</p>"
                    "<p>第二条 临时救助对象为因突发事件、意外伤害等原因导致基本生活暂时出现严重困难的家庭或个人。</p>",
                    document_number=f"{org.issuer_code or '府发'}〔{year}〕90号", written_date=timezone.localdate())
    reading = _draft(staff, org, f"《{place}城乡居民临时救助实施办法》政策解读", "政策解读",
                     "<p>一、制定背景。二、主要内容：明确救助对象、标准和程序。三、创新举措。</p>", interpretation_form="text")
    services.link_interpretation(policy, reading, user=staff[Role.DRAFTER])
    _ready(reading, staff)
    policy = _ready(policy, staff)
    services.act(policy, workflow.PUBLISH, user=staff[Role.PUBLISHER])

    _review(_draft(staff, org, f"{place}关于做好今冬明春森林草原防灭火工作的通知", "通知",
                   "<p>各地各部门要压实防火责任，加强野外火源管控。</p>"), staff, 1)
    returned = _review(_draft(staff, org, f"{place}关于开展农村集体经济组织财务审计的通知", "通知",
                              "<p>对农村集体经济组织财务开展全面审计。</p>"), staff, 0)
    services.act(returned, workflow.RETURN, user=staff["reviewer1"], comment="请补充审计范围和时间安排。")
    _review(_draft(staff, org, f"{place}关于最低生活保障对象的公示", "公告",
                   "<p>经审核，拟将下列人员纳入最低生活保障范围：王某某，联系电话13812345678。</p>"), staff, 3)
    scheduled = _ready(_draft(staff, org, f"{place}关于元旦期间安全生产工作的通知", "通知",
                              "<p>节日期间各单位要加强值班值守。</p>"), staff)
    tomorrow = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    services.act(scheduled, workflow.SCHEDULE, user=staff[Role.PUBLISHER], scheduled_at=tomorrow)
    stopped = _review(_draft(staff, org, f"{place}关于调整机关食堂就餐时间的通知", "通知",
                             "<p>机关食堂就餐时间调整如下。</p>"), staff, 0)
    services.act(stopped, workflow.STOP, user=staff["reviewer1"], comment="属于内部管理事务，不需公开发布。")
    _draft(staff, org, f"{place}关于征集{year + 1}年民生实事项目的公告", "公告", "<p>现面向社会公开征集民生实事项目建议。</p>")
    return Document.objects.filter(organisation=org, created_by__isnull=False).count()
