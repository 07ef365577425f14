"""The demo region behind `gongkai demo` and `gongkai serve --demo`.

One coherent region, the province of 四川省 (gongkai.catalog.demo plans its
organisations and catalog), with everything the apps built on the catalog add
to it, each from that app's own demo module and always in the region's own
organisations:

- catalog: the organisations and the generated catalog (gongkai.catalog.demo);
- ingest: the three real sample pages, imported through the page importer. Two
  of them were issued outside the region (重庆市黔江区, 广州市); their issuers
  are created as roots of their own, outside the province's tree, and serve
  only as imported examples (`IMPORTED_EXAMPLES`);
- publishing: the staff accounts of the provincial government and documents at
  every step of the review workflow (gongkai.publishing.demo);
- guides: service guides of one prefecture and one of its counties
  (gongkai.guides.demo);
- applications, workplan, interaction: disclosure applications, the province's
  own work plan (2010年全省政务公开工作要点) with a quota plan over its own
  departments, tickets, consultations and interviews (their demo modules).

The composer sits above every app (layers: ... → api, portal, workspace → demo,
scheduling), so no app imports it; the catalog imports none of the apps above it.
Each further app's demo is one function taking a `Region`, appended to `STEPS`.

Everything goes in in one transaction, through the services people use, so the
demo database has a full audit trail; a catalog that already holds documents is
left alone.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from gongkai.catalog.demo import (  # noqa: F401  (the plan's API, for callers of the demo)
    DEFAULT_SIZE,
    FIRST_DAY,
    LAST_DAY,
    SAMPLE_ORGANISATIONS,
    SAMPLES_DIR,
    SEED,
    SUBJECTS,
    SUBJECTS_BY_KEY,
    DemoError,
    catalog_size,
    generate,
    load_catalog,
    sample_organisations,
)

# The three real sample pages and their issuers (keys of the organisations
# gongkai.catalog.demo plans). The Sichuan one was forwarded by 凉山州; the other
# two are the imported examples from outside the region.
SAMPLE_ISSUERS = {
    "chongqing-qianjiang-2018-workplan.txt": "sample-qianjiang",
    "guangzhou-2012-workplan.txt": "sample-guangzhou-office",
    "sichuan-2010-workplan.txt": "city2-office",  # 凉山彝族自治州人民政府办公室
}
IMPORTED_EXAMPLES = tuple(spec.key for spec in SAMPLE_ORGANISATIONS)

# The province's own work plan: issued by 四川省人民政府办公厅 (the sample page is
# 凉山州's forwarding of it), imported by the provincial office.
WORKPLAN_SAMPLE = SAMPLES_DIR / "sichuan-2010-workplan.txt"
# Service guides: a prefecture and one of its counties (their guides give 0834 numbers).
GUIDE_ORGANISATIONS = ("city2", "city2-county0")  # 凉山彝族自治州人民政府, 西昌市人民政府


@dataclass
class DemoReport:
    organisations: int = 0
    documents: int = 0
    published: int = 0
    drafts: int = 0
    withdrawn: int = 0
    relations: int = 0
    samples: list = field(default_factory=list)  # gongkai.ingest.services.PageResult
    seconds: float = 0.0
    skipped: str = ""  # why nothing was loaded
    staff: list = field(default_factory=list)  # (username, role label) of the demo staff accounts
    staff_password: str = ""
    workflow: int = 0  # documents created at the steps of the review workflow
    guides: int = 0
    applications: int = 0
    workplan_tasks: int = 0

    def staff_summary(self) -> str:
        if not self.staff:
            return ""
        accounts = ", ".join(f"{name} ({label})" for name, label in self.staff)
        return (f"Demo staff accounts, all with the password {self.staff_password} (shown only this once; "
                f"sign in at /staff/): {accounts}.")

    def summary(self) -> str:
        if self.skipped:
            return self.skipped
        samples = sum(1 for r in self.samples if r.status == "created")
        return (
            f"Demo catalog loaded in {self.seconds:.1f} s: {self.organisations} organisations, "
            f"{self.documents} documents ({self.published} published, {self.drafts} draft(s), "
            f"{self.withdrawn} withdrawn), {self.relations} relations, {samples} of {len(self.samples)} sample pages imported, "
            f"{self.workflow} documents along the review workflow, {self.guides} service guides, "
            f"{self.applications} disclosure applications, a work plan with {self.workplan_tasks} tasks."
        )


@dataclass
class Region:
    """What each step works with: the report to fill in, the organisations by
    plan key ({key: Organisation}), the seed, the staff once created
    ({Role or "reviewer<N>": User}) and the progress callback."""

    report: DemoReport
    orgs: dict
    seed: int = SEED
    staff: dict = field(default_factory=dict)
    progress: object = None  # progress(stage, done, total), or None

    @property
    def province(self):
        return self.orgs["province"]


# --- the steps, in layer order ---------------------------------------------------------------


def import_samples(region: Region) -> None:
    """Import the three real sample pages through the page importer."""
    try:
        from gongkai.ingest.services import import_paths
    except ImportError as exc:  # the importer is not installed in this build
        raise DemoError(f"the page importer is not available ({exc}); cannot import the sample pages") from exc
    for name, key in SAMPLE_ISSUERS.items():
        result = import_paths([SAMPLES_DIR / name], organisation=region.orgs[key])
        region.report.samples.extend(result.results)
    if region.progress:
        region.progress("samples", len(region.report.samples), len(region.report.samples))


def create_staff_and_workflow(region: Region) -> None:
    """Staff accounts with every role in the provincial government, and
    documents at each step of the review workflow."""
    import secrets

    from gongkai.core.models import Role
    from gongkai.publishing import demo as workflow_demo

    report = region.report
    report.staff_password = "Gk-" + secrets.token_urlsafe(9)
    region.staff = workflow_demo.create_staff(region.province, report.staff_password)
    labels = dict(Role.choices)
    report.staff = [(username, labels[role] + (f"（第{level}级）" if level else ""))
                    for username, _, role, level in workflow_demo.STAFF]
    report.workflow = workflow_demo.create_examples(region.province, region.staff)


def create_guides(region: Region) -> None:
    from gongkai.guides.demo import create_demo_guides

    region.report.guides = create_demo_guides([region.orgs[key] for key in GUIDE_ORGANISATIONS])


def create_applications(region: Region) -> None:
    from gongkai.applications.demo import create_examples
    from gongkai.core.models import Role

    region.report.applications = create_examples(region.province, region.staff[Role.HANDLER],
                                                 region.staff[Role.OFFICE_ADMIN])


def create_workplan(region: Region) -> None:
    from gongkai.workplan.demo import create_examples

    region.report.workplan_tasks = create_examples(region.province, region.staff, sample=WORKPLAN_SAMPLE)


def create_interaction(region: Region) -> None:
    from gongkai.interaction.demo import create_consultations, create_interviews, create_tickets

    create_tickets(region.province, region.staff)
    create_consultations(region.province, region.staff)
    create_interviews(region.province, region.staff)


# Run in this order after the catalog is in, in the same transaction. A further
# app's demo (the portal's columns, the gazette, ...) is one more function
# `step(region) -> None` in that app's own module, appended here in layer order.
def create_portal(region: Region) -> None:
    """The site's identity and the openness guides of the 政府信息公开 column."""
    from gongkai.portal.column_demo import create_column_demo
    from gongkai.portal.site_demo import create_site_identity

    create_site_identity(region)
    create_column_demo(region)


def create_gazette(region: Region) -> None:
    from gongkai.catalog.gazette_demo import create_gazette_demo

    create_gazette_demo(region)


STEPS = [
    import_samples,
    create_staff_and_workflow,
    create_guides,
    create_applications,
    create_workplan,
    create_interaction,
    create_portal,
    create_gazette,
]


def load_demo(size: int = DEFAULT_SIZE, seed: int = SEED, progress=None) -> DemoReport:
    """Load the demo region into an empty catalog, all in one transaction.

    `progress(stage, done, total)` follows along. A catalog that already holds
    documents is left alone: the report's `skipped` says so.
    """
    from django.db import transaction

    started = time.monotonic()
    existing = catalog_size()
    if existing:
        return DemoReport(skipped=f"The catalog already holds {existing} documents: demo data not loaded "
                                  "(it only goes into an empty catalog).")
    plan = generate(size, seed)
    report = DemoReport()
    with transaction.atomic():
        orgs, report.relations = load_catalog(plan, seed, progress=progress)
        report.organisations = len(orgs)
        region = Region(report=report, orgs=orgs, seed=seed, progress=progress)
        for step in STEPS:
            step(region)
    report.documents = len(plan.documents)
    report.drafts = sum(1 for d in plan.documents if d.status == "draft")
    report.withdrawn = sum(1 for d in plan.documents if d.status == "withdrawn")
    report.published = report.documents - report.drafts - report.withdrawn
    report.seconds = time.monotonic() - started
    return report
