"""Demo service guides: a few realistic guides for a few organisations,
written through services.save_guide (as the system, or as `user` when one is
given) and published. One guide gets a second version so that its public
history shows a change."""

from __future__ import annotations

from django.db import transaction

from gongkai.core.models import Organisation

from . import services
from .models import NO_FEE, GuideMaterial, ServiceGuide

APPLICANT, GOVERNMENT, OTHER = GuideMaterial.Source.APPLICANT, GuideMaterial.Source.GOVERNMENT, GuideMaterial.Source.OTHER
PAPER, ELECTRONIC, BOTH = GuideMaterial.Form.PAPER, GuideMaterial.Form.ELECTRONIC, GuideMaterial.Form.BOTH
ONLINE = "https://www.sczwfw.gov.cn/"
HOURS = "工作日上午9:00—12:00，下午13:30—17:00（法定节假日除外）"


def _material(name, source=APPLICANT, form=PAPER, copies=1, required=True, note=""):
    return {"name": name, "source": source, "form": form, "copies": copies, "required": required, "note": note}


def _info_disclosure(org: Organisation) -> tuple[dict, list[dict]]:
    return {
        "item_name": "政府信息公开申请",
        "item_code": "000105001000",
        "target": "自然人和法人",
        "legal_basis": "《中华人民共和国政府信息公开条例》（国务院令第711号）第二十七条至第三十三条。",
        "conditions": "公民、法人或者其他组织向行政机关申请获取政府信息，申请内容应包括：申请人的姓名或者名称、身份证明、联系方式；"
                      "申请公开的政府信息的名称、文号或者便于行政机关查询的其他特征性描述；申请公开的政府信息的形式要求。",
        "process": "1. 申请：通过当面、邮寄、网上等方式提交申请。\n2. 登记：收到申请后登记，申请内容不明确的，7个工作日内一次性告知补正。\n"
                   "3. 办理：查找、审查所申请的政府信息，需要征求第三方意见的，书面征求意见。\n4. 答复：作出书面答复并送达申请人。",
        "statutory_days": 20,
        "promised_days": 15,
        "fees": NO_FEE,
        "fee_basis": "",
        "result_document": "政府信息公开申请答复书",
        "place": f"{org.name}政务公开办公室（政务服务中心一楼综合窗口）",
        "hours": HOURS,
        "online_link": ONLINE,
        "enquiry_phone": "0834-3226001",
        "complaint_phone": "12345",
    }, [
        _material("政府信息公开申请表", form=BOTH, note="可在办理窗口领取或在网站下载"),
        _material("申请人身份证明", note="自然人提交身份证复印件；法人或其他组织提交营业执照等证明文件复印件"),
        _material("授权委托书及代理人身份证明", required=False, note="委托他人代为申请的提交"),
    ]


def _minimum_living(org: Organisation) -> tuple[dict, list[dict]]:
    return {
        "item_name": "最低生活保障申请",
        "item_code": "000173004000",
        "target": "自然人",
        "legal_basis": "1.《社会救助暂行办法》（国务院令第649号）第九条至第十三条。\n"
                       "2.《最低生活保障审核确认办法》（民发〔2021〕57号）。",
        "conditions": "持有当地常住户口的居民，共同生活的家庭成员人均收入低于当地最低生活保障标准，"
                      "且家庭财产状况符合当地人民政府规定条件的，可以申请最低生活保障。",
        "process": "1. 申请：由共同生活的家庭成员向户籍所在地乡镇人民政府（街道办事处）提出书面申请。\n"
                   "2. 受理：材料齐全的当场受理；材料不齐全的一次性告知需要补齐的材料。\n"
                   "3. 调查核实：入户调查、邻里访问、信息核对。\n4. 公示：在申请人所在村（社区）公示7天。\n"
                   "5. 审核确认：作出审核确认决定并告知申请人。",
        "statutory_days": 30,
        "promised_days": 20,
        "fees": NO_FEE,
        "fee_basis": "",
        "result_document": "最低生活保障审核确认决定（享受最低生活保障待遇的，发放最低生活保障证）",
        "place": f"{org.name}便民服务中心社会救助窗口",
        "hours": HOURS,
        "online_link": ONLINE,
        "enquiry_phone": "0834-3226002",
        "complaint_phone": "0834-3226010、12345",
    }, [
        _material("最低生活保障申请书", form=PAPER, note="由申请人签字（盖手印）"),
        _material("户口簿和居民身份证", GOVERNMENT, PAPER, note="原件核验，留存复印件"),
        _material("家庭经济状况核对授权书", form=PAPER, note="共同生活的家庭成员均须签字"),
        _material("家庭收入和财产情况声明", form=PAPER),
        _material("残疾证、疾病诊断证明等", GOVERNMENT, PAPER, required=False, note="家庭成员有残疾或重病的提供"),
    ]


def _planning_permit(org: Organisation) -> tuple[dict, list[dict]]:
    return {
        "item_name": "建设工程规划许可证核发",
        "item_code": "000128002000",
        "target": "自然人和法人",
        "legal_basis": "1.《中华人民共和国城乡规划法》第四十条。\n2.《中华人民共和国行政许可法》第四十二条。",
        "conditions": "在城市、镇规划区内进行建筑物、构筑物、道路、管线和其他工程建设，已依法取得建设用地使用权，"
                      "建设工程设计方案符合控制性详细规划和规划条件。",
        "process": "1. 申请：提交申请材料。\n2. 受理：材料齐全、符合法定形式的予以受理。\n"
                   "3. 审查：审查建设工程设计方案，必要时组织专家论证。\n4. 批前公示：对总平面图进行批前公示。\n"
                   "5. 决定：作出准予或不予许可的决定。\n6. 送达：核发建设工程规划许可证。",
        "statutory_days": 20,
        "promised_days": 10,
        "fees": NO_FEE,
        "fee_basis": "",
        "result_document": "建设工程规划许可证",
        "place": f"{org.name}政务服务中心自然资源和规划窗口",
        "hours": HOURS,
        "online_link": ONLINE,
        "enquiry_phone": "0834-3226003",
        "complaint_phone": "12345",
    }, [
        _material("建设工程规划许可申请表", form=BOTH),
        _material("建设用地使用权证明文件", GOVERNMENT, BOTH, note="不动产权证书或土地批准文件"),
        _material("建设工程设计方案总平面图", APPLICANT, BOTH, copies=3, note="附电子文件"),
        _material("建筑施工图设计文件", APPLICANT, ELECTRONIC),
        _material("其他依法需提交的材料", OTHER, PAPER, required=False, note="如涉及文物保护、消防等专项审查意见"),
    ]


def _plans_for(org: Organisation):
    """Two guides per organisation, chosen by its level."""
    second = _minimum_living if org.level in (Organisation.Level.TOWNSHIP, Organisation.Level.COUNTY) else _planning_permit
    return [_info_disclosure, second]


def create_demo_guides(organisations: list, user=None, *, system: bool | None = None, limit: int = 3) -> int:
    """Create and publish demo guides for the first `limit` organisations;
    returns how many were created. Guides whose item code an organisation
    already has are left alone (running it twice adds nothing). With no
    `user` the guides are written as the system, which skips the permission
    check (services.save_guide(..., system=True)); `system` may say so
    explicitly."""
    if system is None:
        system = user is None
    created = 0
    for org in list(organisations)[:limit]:
        for plan in _plans_for(org):
            data, materials = plan(org)
            if ServiceGuide.objects.filter(organisation=org, item_code=data["item_code"]).exists():
                continue
            with transaction.atomic():
                guide = services.save_guide(
                    None, organisation=org, data=data, materials=materials, user=user, system=system, note="首次编制",
                )
                guide = services.publish_guide(guide, user=user, system=system)
            created += 1
            if created == 1:
                # A later change, so that the public history shows what changed.
                services.save_guide(
                    guide, organisation=org,
                    data={"promised_days": data["promised_days"] - 5, "enquiry_phone": "0834-3226000"},
                    materials=materials[:-1] + [{**materials[-1], "note": materials[-1]["note"] + "（可通过网上平台提交）"}],
                    user=user, system=system, note="压缩承诺办结时限，更新咨询电话",
                )
    return created
