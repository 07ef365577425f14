"""Demo disclosure applications at several stages, created through the
services (so the audit log has them too), received on recent working days."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.utils import timezone

from gongkai.core import calendar

from . import services

PEOPLE = [
    ("natural", "李华", "居民身份证 510105199003150027", "13900001111", "成都市2024年老旧小区改造计划", ""),
    ("commercial", "四川蜀通建设工程有限公司", "统一社会信用代码 91510100MA61XXXX0A", "028-86001234", "",
     "某县道路改扩建工程项目的环境影响评价批复文件"),
    ("natural", "张敏", "居民身份证 510107198507070048", "13700002222", "2025年度城乡居民最低生活保障标准调整的通知", "川民发〔2025〕12号"),
    ("legal_service", "四川明理律师事务所", "统一社会信用代码 31510000MD0XXXX11", "028-87003333", "",
     "某地块国有土地使用权出让的批准文件"),
    ("natural", "王强", "居民身份证 510106197812120016", "13600003333", "本市公共厕所建设规划", ""),
]


def _recent_workday(days_back: int) -> dt.date:
    day, rough = timezone.localdate() - dt.timedelta(days=days_back), calendar.provisional()
    while not rough.is_workday(day):
        day -= dt.timedelta(days=1)
    return day


def create_examples(organisation, handler, head) -> int:
    apps = []
    for i, (kind, name, id_doc, phone, title, description) in enumerate(PEOPLE):
        data = {"applicant_type": kind, "applicant_name": name, "id_document": id_doc, "phone": phone,
                "info_title": title, "info_number": "", "info_description": description,
                "form": "electronic", "delivery": "email"}
        app, _ = services.register(organisation, data, channel=["in_person", "post", "in_person", "post", "in_person"][i],
                                   user=handler, received_on=_recent_workday(30 - 6 * i))
        apps.append(app)
    services.assign(apps[0], handler, user=head)
    services.reply(apps[0], user=handler, outcome="disclosed", provided="老旧小区改造计划（电子文件）",
                   on=timezone.localdate())
    services.consult_third_party(apps[1], user=handler, party="某县交通建设投资有限公司", on=_recent_workday(3))
    try:
        services.request_correction(apps[4], user=handler, items="请写明所需规划的名称或发布年份", on=apps[4].received_on)
    except ValidationError:
        pass  # the calendar lacks next year's data (a demo loaded in late December): leave it in processing
    return len(apps)
