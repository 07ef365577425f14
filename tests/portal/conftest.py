"""A small public catalog with every case the portal shows: documents at each
level of the organisation tree, a parent topic with its subtopics, drafts,
documents disclosed on request only, a withdrawn one, relations both ways and
an unresolved citation, and an attachment."""

import datetime as dt
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from gongkai.catalog import services
from gongkai.catalog.models import Attachment, Document, Genre, Relation, Topic


@dataclass
class PortalCatalog:
    orgs: dict
    docs: dict
    topics: dict
    genres: dict
    public: list = field(default_factory=list)  # what the portal may list

    def ancestors(self, org) -> list:
        """The organisation and every organisation above it."""
        chain = []
        while org is not None:
            chain.append(org.pk)
            org = org.parent
        return chain


@pytest.fixture
def portal_catalog(org_tree, make_document, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    topic_open = Topic.objects.get(parent__isnull=True, name="综合政务").children.get(name="政务公开")
    topic_gov = Topic.objects.get(parent__isnull=True, name="综合政务").children.exclude(pk=topic_open.pk).first()
    topic_fin = Topic.objects.get(parent__isnull=True, name="财政、金融、审计").children.get(name="财政")
    notice, opinion, bulletin = (Genre.objects.get(name=n) for n in ("通知", "意见", "通报"))

    docs = {}
    docs["plan"] = make_document(
        org_tree["province"], "关于印发2024年政务公开工作要点的通知",
        "为深入贯彻《中华人民共和国政府信息公开条例》，全面推进政务公开工作。\n各地各部门要加强政策解读。",
        topic=topic_open, genre=notice, published_date=dt.date(2024, 3, 1), written_date=dt.date(2024, 2, 20),
        document_number="川府发[2024]3号", keywords="政务公开,工作要点",
    )
    docs["forward"] = make_document(
        org_tree["city"], "凉山州人民政府转发省政府关于政务公开工作要点的通知", "现将省政府通知转发给你们，请认真贯彻执行。",
        topic=topic_open, genre=notice, published_date=dt.date(2024, 4, 2), document_number="凉府发〔2024〕9号",
    )
    docs["interpretation"] = make_document(
        org_tree["province"], "《2024年政务公开工作要点》政策解读", "一、起草背景。二、主要内容。",
        topic=topic_open, genre=Genre.objects.get(name="政策解读"),
        published_date=dt.date(2024, 3, 5),
    )
    docs["budget"] = make_document(
        org_tree["county"], "西昌市2023年财政预算执行情况的报告", "全市一般公共预算收入完成情况良好。",
        topic=topic_fin, genre=bulletin, published_date=dt.date(2023, 6, 1), validity="expired",
    )
    docs["town"] = make_document(
        org_tree["township"], "安宁镇政务公开工作情况通报", "通报全镇政务公开工作情况。",
        topic=topic_gov, genre=bulletin, published_date=dt.date(2022, 1, 10),
    )
    docs["funds"] = make_document(
        org_tree["department"], "关于加强财政资金管理的意见", "各单位要规范财政资金使用。",
        topic=topic_fin, genre=opinion, published_date=dt.date(2024, 2, 2), document_number="川财发〔2024〕5号",
    )
    # Never listed:
    docs["draft"] = make_document(org_tree["province"], "政务公开草稿文件", "尚未发布的政务公开草稿。", publish=False)
    docs["on_request"] = make_document(
        org_tree["city"], "依申请公开的政务公开材料", "仅依申请公开。", topic=topic_open, genre=notice,
        disclosure=Document.Disclosure.ON_REQUEST, disclosure_ground="not_proactive_scope",
    )
    docs["withdrawn"] = make_document(
        org_tree["city"], "已撤回的政务公开工作方案", "这份方案已被撤回。", topic=topic_open, genre=notice,
        published_date=dt.date(2024, 1, 15),
    )
    docs["withdrawn"] = services.withdraw_document(docs["withdrawn"])

    services.add_relation(docs["forward"], Relation.Kind.FORWARDS, target=docs["plan"])
    services.add_relation(docs["interpretation"], Relation.Kind.INTERPRETS, target=docs["plan"])
    services.add_relation(docs["funds"], Relation.Kind.CITES, target=docs["plan"])
    services.add_relation(
        docs["plan"], Relation.Kind.CITES, title="中华人民共和国政府信息公开条例", document_number="国务院令第711号"
    )
    services.add_relation(docs["withdrawn"], Relation.Kind.CITES, target=docs["plan"])  # from a withdrawn page
    services.add_relation(docs["draft"], Relation.Kind.CITES, target=docs["plan"])  # from a draft

    attachment = Attachment(document=docs["plan"], file=SimpleUploadedFile("工作要点.pdf", b"%PDF-1.7\n" + b"x" * 2000))
    attachment.full_clean()
    attachment.save()

    public = [d for d in Document.objects.all() if d.is_public]
    return PortalCatalog(
        orgs=org_tree,
        docs={k: Document.objects.get(pk=v.pk) for k, v in docs.items()},
        topics={"open": topic_open, "gov": topic_gov, "fin": topic_fin},
        genres={"notice": notice, "opinion": opinion, "bulletin": bulletin},
        public=public,
    )

