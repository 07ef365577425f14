"""The demo region's 政府信息公开 column (issue 18): an openness guide for the
province and for a prefecture and one of its counties. The column tree and
its rules come with the migration; the catalog demo fills the columns.

The lead wires `create_column_demo(region)` into gongkai.demo (after the
catalog and the staff)."""

from __future__ import annotations

from . import column_services

GUIDE_ORGANISATIONS = ("province", "city2", "city2-county0")

REMEDIES = ("公民、法人或者其他组织认为行政机关在政府信息公开工作中侵犯其合法权益的，可以向上一级行政机关或者"
            "政府信息公开工作主管部门投诉、举报，也可以依法申请行政复议或者提起行政诉讼（《中华人民共和国政府信息公开条例》第五十一条）。")


def guide_text(organisation) -> dict:
    name = organisation.name
    return {
        "finding": (f"{name}主动公开的政府信息，通过本网站“政府信息公开”专栏的法定主动公开内容、政府信息公开目录和信息检索发布，"
                    "并通过政府公报、新闻发布会以及档案馆、公共图书馆、政务服务场所设置的查阅场所公开。"),
        "applying": ("公民、法人或者其他组织可以通过互联网（本网站“依申请公开”栏目在线提交）、信函、当面提交等方式"
                     f"向{name}提出政府信息公开申请。能够当场答复的当场答复；不能当场答复的，自收到申请之日起20个工作日内予以答复；"
                     "需要延长答复期限的，经负责人同意并告知申请人，延长的期限最长不超过20个工作日。"),
        "office_name": f"{name}办公室（政府信息公开工作机构）",
        "address": f"{name}政务服务大厅政府信息公开受理窗口",
        "hours": "法定工作日 上午9:00—12:00，下午14:30—17:30",
        "phone": "（演示数据）0834-0000000",
        "fees": "行政机关依申请提供政府信息，不收取费用。申请人申请公开政府信息的数量、频次明显超过合理范围的，可以收取信息处理费（条例第四十二条）。",
        "remedies": REMEDIES,
    }


def create_column_demo(region) -> int:
    """Write the demo organisations' openness guides (system saves, audited);
    how many guides were saved. Safe to run again: an unchanged guide makes
    no new version."""
    saved = 0
    for key in GUIDE_ORGANISATIONS:
        organisation = region.orgs.get(key)
        if organisation is None:
            continue
        column_services.save_openness_guide(organisation, guide_text(organisation), user=None, system=True,
                                            note="演示数据")
        saved += 1
    return saved
