"""The demo guides and the read-mostly admin."""

import pytest
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongkai.core import audit
from gongkai.core.models import AuditEntry
from gongkai.guides.demo import create_demo_guides
from gongkai.guides.models import ServiceGuide, ServiceGuideVersion

pytestmark = pytest.mark.django_db


def test_demo_guides_are_realistic_published_and_audited(client, org_tree):
    orgs = [org_tree["county"], org_tree["township"], org_tree["city"], org_tree["department"]]
    assert create_demo_guides(orgs) == 6
    guides = ServiceGuide.objects.all()
    assert guides.count() == 6 and all(g.published for g in guides)
    assert set(guides.values_list("item_name", flat=True)) == {"政府信息公开申请", "最低生活保障申请", "建设工程规划许可证核发"}
    assert not guides.filter(organisation=org_tree["department"]).exists()  # only the first three
    for guide in guides:
        assert guide.materials.count() >= 3 and guide.promised_days <= guide.statutory_days
        assert client.get(reverse("guides:detail", args=[guide.pk])).status_code == 200
    changed = guides.get(version=2)
    assert changed.versions.count() == 2 and changed.enquiry_phone == "0834-3226000"
    history = client.get(reverse("guides:history", args=[changed.pk])).content.decode()
    assert "压缩承诺办结时限，更新咨询电话" in history and "承诺办结时限" in history and "咨询电话" in history
    assert set(AuditEntry.objects.filter(object_type="service_guide").values_list("actor", flat=True)) == {"system"}
    assert audit.verify().ok
    # Running it again adds nothing.
    assert create_demo_guides(orgs) == 0
    assert ServiceGuide.objects.count() == 6 and ServiceGuideVersion.objects.count() == 7


def test_demo_with_a_user_checks_the_permission(org_tree):
    user = User.objects.create_user("visitor", password="correct-horse-battery-9")
    with pytest.raises(PermissionDenied):
        create_demo_guides([org_tree["county"]], user=user)
    assert ServiceGuide.objects.count() == 0
    admin = User.objects.create_superuser("root", "root@example.org", "correct-horse-battery-9")
    assert create_demo_guides([org_tree["county"]], user=admin) == 2
    assert set(ServiceGuideVersion.objects.values_list("saved_by", flat=True)) == {"root"}


def test_admin_is_read_mostly(client, org_tree):
    create_demo_guides([org_tree["county"]])
    guide = ServiceGuide.objects.get(version=2)
    client.force_login(User.objects.create_superuser("root", "root@example.org", "correct-horse-battery-9"))
    changelist = client.get(reverse("admin:guides_serviceguide_changelist"))
    assert changelist.status_code == 200 and "政府信息公开申请" in changelist.content.decode()
    page = client.get(reverse("admin:guides_serviceguide_change", args=[guide.pk]))
    assert page.status_code == 200 and "办事指南版本" in page.content.decode()
    assert client.get(reverse("admin:guides_serviceguide_add")).status_code == 403
    assert client.get(reverse("admin:guides_serviceguide_delete", args=[guide.pk])).status_code == 403
    version = guide.versions.first()
    assert client.get(reverse("admin:guides_serviceguideversion_change", args=[version.pk])).status_code == 200
    assert client.post(reverse("admin:guides_serviceguideversion_delete", args=[version.pk]), {"post": "yes"}).status_code == 403
    assert client.post(reverse("admin:guides_serviceguide_change", args=[guide.pk]), {"item_name": "改名"}).status_code == 403
    assert ServiceGuideVersion.objects.filter(pk=version.pk).exists()
    assert ServiceGuide.objects.get(pk=guide.pk).item_name != "改名"
    # The one write offered: unpublishing through the services (audited).
    response = client.post(reverse("admin:guides_serviceguide_changelist"),
                           {"action": "unpublish", "_selected_action": [guide.pk]})
    assert response.status_code == 302
    assert not ServiceGuide.objects.get(pk=guide.pk).published
    assert AuditEntry.objects.filter(action="guide.unpublish", actor="root").count() == 1
