import datetime as dt
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# The three real pages of ../shared/samples, shipped in the package (the demo
# imports them too) so that a clone anywhere has them.
SHARED_SAMPLES = REPO / "gongkai" / "catalog" / "demo_samples"


@pytest.fixture
def org_tree(db):
    """A small organisation tree: province > city > county > township, plus a department."""
    from gongkai.core.models import Organisation

    province = Organisation.objects.create(name="四川省人民政府", short_name="四川省", issuer_code="川府发", level="province", index_prefix="115100000083010000")
    city = Organisation.objects.create(name="凉山彝族自治州人民政府", short_name="凉山州", issuer_code="凉府发", level="city", parent=province, index_prefix="11513400MB1234567X")
    county = Organisation.objects.create(name="西昌市人民政府", short_name="西昌市", issuer_code="西府发", level="county", parent=city, index_prefix="115134010087654321")
    township = Organisation.objects.create(name="西昌市安宁镇人民政府", short_name="安宁镇", issuer_code="安府发", level="township", parent=county, index_prefix="AN001")
    department = Organisation.objects.create(name="四川省财政厅", short_name="财政厅", issuer_code="川财发", level="department", parent=province, index_prefix="DEP001")
    return {"province": province, "city": city, "county": county, "township": township, "department": department}


@pytest.fixture
def make_document(db):
    """Create (and by default publish) a document through the catalog services."""
    from gongkai.catalog import services

    def make(organisation, title, body="", publish=True, **fields):
        fields.setdefault("published_date", dt.date(2024, 3, 1))
        return services.create_document(organisation=organisation, title=title, body_text=body, publish=publish, **fields)

    return make


@pytest.fixture
def make_user(db):
    """A staff user holding the given roles: make_user("li", (org, "drafter"), (org, "reviewer", 2))."""
    from django.contrib.auth.models import User

    from gongkai.core.models import Membership

    def make(username, *roles, **fields):
        user = User.objects.create_user(username=username, password="correct-horse-battery-9", **fields)
        for org, role, *level in roles:
            Membership.objects.create(user=user, organisation=org, role=role, review_level=level[0] if level else None)
        return user

    return make


@pytest.fixture
def county_staff(org_tree, make_user):
    """One user per role in the county government (three review levels)."""
    county = org_tree["county"]
    return {
        "drafter": make_user("drafter", (county, "drafter")),
        "reviewer1": make_user("reviewer1", (county, "reviewer", 1)),
        "reviewer2": make_user("reviewer2", (county, "reviewer", 2)),
        "reviewer3": make_user("reviewer3", (county, "reviewer", 3)),
        "secrecy": make_user("secrecy", (county, "secrecy")),
        "publisher": make_user("publisher", (county, "publisher")),
        "office_admin": make_user("office_admin", (county, "office_admin")),
        "nobody": make_user("nobody"),
    }


@pytest.fixture
def normative(db):
    """The genre of normative documents (行政规范性文件)."""
    from gongkai.catalog.models import Genre

    return Genre.objects.get(name="行政规范性文件")


@pytest.fixture
def notice(db):
    from gongkai.catalog.models import Genre

    return Genre.objects.get(name="通知")


# --- The clock and the working-day calendar --------------------------------------------

NOTICES = REPO / "tests" / "core" / "fixtures" / "holiday_notices"


@pytest.fixture(autouse=True, scope="session")
def _suite_clock():
    """`GONGKAI_TEST_TODAY=2027-01-04 pytest` runs the whole suite as if that
    day had come (time-machine; the clock keeps ticking from there), to show
    that no test depends on today's date. Unset: the real clock."""
    import os

    today = os.environ.get("GONGKAI_TEST_TODAY", "").strip()
    if not today:
        yield
        return
    import time_machine
    from zoneinfo import ZoneInfo

    moment = dt.datetime.combine(dt.date.fromisoformat(today), dt.time(10, 0), ZoneInfo("Asia/Shanghai"))
    with time_machine.travel(moment, tick=True):
        yield


@pytest.fixture
def package_ends_2026(monkeypatch):
    """The chinesecalendar package's data as installed ends with 2026; pin
    that, so that tests about a year without data stay about 2027 after an
    upgrade brings the 2027 schedule."""
    from gongkai.core import calendar

    monkeypatch.setattr(calendar, "PACKAGE_LAST_YEAR", 2026)


@pytest.fixture
def notice_text():
    """The text of a holiday-notice fixture (see its SOURCES.md)."""
    return lambda name: (NOTICES / name).read_text(encoding="utf-8")


@pytest.fixture(autouse=True)
def _fresh_page_cache():
    """Cached public pages and filter choices never outlive a test (its database is rolled back)."""
    from django.core.cache import caches

    from gongkai.portal import column_selectors, forms

    caches["pages"].clear()
    forms._choices_memo[0] = None
    column_selectors.forget_site_tree()
    yield
