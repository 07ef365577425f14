"""The monthly bulletin (月初通报) of work-plan supervision.

On the first working day of a month the worker (`due`, called by
`gongkai.jobs`, the periodic jobs) drafts, for every office that has a confirmed
work plan or a quota plan for the previous month's year, the bulletin of
that month: the figures (`compute`), their HTML (`render_html`, the body of a
catalog document) and a DOCX with a bar chart (`render_docx`, attached to
that document). The office edits the draft and sends it through the normal
review and publication workflow; once it has left the draft state the
bulletin is never regenerated.

Definitions (the figures of office O for the month starting m0 and ending m1;
Y = m0.year). Everything is counted from what is stored when the bulletin is
computed, as of the end of day m1:

- units: the organisations matched (TaskUnit.organisation set) on the tasks of
  O's confirmed plans of year Y, plus the organisations with Quota rows in
  O's quota plans of year Y;
- a unit's tasks: the tasks of those plans where the unit is a lead or a
  responsible unit (a task with three units counts for each of them), each
  with the unit's own part of it (TaskUnit: its state and completed_on);
- due: its tasks with a due date in [m0, m1];
- done: its tasks where its own part's state is 已完成 or 待牵头单位确认
  (DONE, REPORTED) with the part's completed_on in [m0, m1];
- done_total: its tasks (of year Y's plans) where its own part is DONE or
  REPORTED with completed_on <= m1 (`TaskUnit.done_by(m1)`);
- overdue: its tasks with a due date <= m1 where its own part is not
  `done_by(m1)`; they are listed (number, path, title, due). A unit that
  finished its part is not late because another unit of the task is;
- quotas: for each of O's quota plans of year Y (by id), the unit's window
  that contains m1, counted up to m1 (`quotas.current(plan, m1)`): target,
  carried_in (with the windows it came from), required = target +
  carried_in, actual, shortfall, and attainment = actual / required capped at
  100 % (100 % when nothing is required), as a percentage rounded half up to
  one decimal. A unit without a quota in a plan has None there;
- attainment: the mean of the unit's quota attainments (exact fractions),
  1.0 when the unit has no quota; shown as a percentage rounded half up to
  one decimal;
- rank: competition ranking ("1, 2, 2, 4") by attainment descending (exact
  values, not the rounded percentages), then overdue ascending; units equal
  on both share a rank. Rows are sorted by rank, then the organisation's
  sort_order and name;
- totals: the sums of due, done, done_total and overdue over the units, and
  per quota plan the sums of target, carried_in, required, actual and
  shortfall, with attainment = min(sum actual, sum required) / sum required.

The catalog body cannot hold the SVG chart: the body sanitiser
(`gongkai.catalog.text.sanitise`, nh3) drops <svg> with everything inside it
and data: images, so the published body carries the table (and the overdue
list), the DOCX attachment carries the chart as a picture, and the staff
preview (`render_html(data, chart=True)`) shows the SVG chart.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from functools import lru_cache

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone

from gongkai.core import audit, permissions
from gongkai.core import calendar as workdays
from gongkai.core.db import ROW_LOCK
from gongkai.core.models import Organisation
from gongkai.core.dates import date_text

from . import quotas, services
from .models import Bulletin, Plan, Quota, QuotaPlan, TaskUnit

logger = logging.getLogger(__name__)

BULLETIN_GENRE = "通报"
# The SVG chart of the staff preview (user units, scaled by the viewBox).
CHART_WIDTH, CHART_LABEL_WIDTH, CHART_BAR_WIDTH, CHART_ROW_HEIGHT, CHART_BAR_HEIGHT = 720, 200, 440, 30, 18
# Fonts that draw Chinese in the DOCX chart, best first.
CJK_FONTS = ("Noto Sans CJK SC", "Source Han Sans SC", "Source Han Sans CN", "WenQuanYi Zen Hei",
             "WenQuanYi Micro Hei", "SimHei", "Microsoft YaHei", "Noto Sans CJK JP", "Source Han Sans",
             "Noto Sans CJK TC", "Noto Serif CJK SC", "AR PL UMing CN")


# ---------------------------------------------------------------- dates


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    """The first and last day of the month `month` falls in."""
    m0 = month.replace(day=1)
    return m0, workdays.month_end(m0.year, m0.month)


def previous_month(day: dt.date) -> dt.date:
    first = day.replace(day=1)
    return (first - dt.timedelta(days=1)).replace(day=1)


def title_of(month: dt.date) -> str:
    return f"{month.year}年{month.month}月政务公开工作情况通报"


def first_workday(year: int, month: int) -> dt.date:
    """The month's first working day by the office calendar (the first
    Monday to Friday when the calendar has no data for the year)."""
    rough, day = workdays.provisional(), dt.date(year, month, 1)
    while not rough.is_workday(day):
        day += dt.timedelta(days=1)
    return day


# ---------------------------------------------------------------- figures


def _percent(value: Fraction) -> float:
    """A fraction as a percentage rounded half up to one decimal (2/3 -> 66.7)."""
    exact = Decimal(value.numerator * 100) / Decimal(value.denominator)
    return float(exact.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def _attainment(actual: int, required: int) -> Fraction:
    return Fraction(1) if required <= 0 else min(Fraction(1), Fraction(actual, required))


def _org_row(org: Organisation) -> dict:
    return {"id": org.pk, "name": org.name, "short_name": org.short_name or org.name}


def _plans(organisation: Organisation, year: int):
    return Plan.objects.filter(organisation=organisation, year=year, state=Plan.State.CONFIRMED)


def _quota_plans(organisation: Organisation, year: int):
    return QuotaPlan.objects.filter(organisation=organisation, year=year).order_by("id")


def compute(organisation: Organisation, month: dt.date) -> dict:
    """The figures of the bulletin of `organisation` for the month of `month`
    (definitions in the module docstring), as a JSON-serialisable dict."""
    m0, m1 = month_bounds(month)
    year = m0.year
    plans = _plans(organisation, year)
    quota_plans = list(_quota_plans(organisation, year))

    # The units each task names, with their parts (read once: they are also the units of the bulletin).
    task_units: dict[int, dict[int, TaskUnit]] = {}
    for part in TaskUnit.objects.filter(task__plan__in=plans, organisation__isnull=False).order_by("id"):
        task_units.setdefault(part.task_id, {}).setdefault(part.organisation_id, part)
    unit_ids = set().union(*(set(parts) for parts in task_units.values()))
    unit_ids |= set(Quota.objects.filter(quota_plan__in=quota_plans).values_list("organisation_id", flat=True))
    units = {org.pk: org for org in Organisation.objects.filter(pk__in=unit_ids)}

    # Each task once (the year's tracked tasks of the office's confirmed plans), with each unit's own part.
    tasks_of: dict[int, list[tuple]] = {pk: [] for pk in units}
    for task in services.tasks_of_units(units, year=year).filter(plan__organisation=organisation):
        for org_id, part in task_units.get(task.pk, {}).items():
            tasks_of[org_id].append((task, part))

    # Each quota plan's windows containing m1, per unit.
    windows: list[dict[int, quotas.Window]] = []
    for qp in quota_plans:
        windows.append({w.organisation.pk: w for w in quotas.current(qp, m1)})

    rows = []
    for org_id, org in units.items():
        own = tasks_of[org_id]
        overdue = [t for t, part in own if t.due_date is not None and t.due_date <= m1 and not part.done_by(m1)]
        overdue.sort(key=lambda t: (t.due_date, t.plan_id, t.sort_order, t.pk))
        quota_cells, fractions = [], []
        for per_unit in windows:
            w = per_unit.get(org_id)
            if w is None:
                quota_cells.append(None)
                continue
            fraction = _attainment(w.actual, w.required)
            fractions.append(fraction)
            quota_cells.append({
                "start": w.start.isoformat(), "end": w.end.isoformat(), "window": w.label,
                "target": w.target, "carried_in": w.carried_in, "carried_from": list(w.carried_from),
                "required": w.required, "actual": w.actual, "shortfall": w.shortfall,
                "attainment": _percent(fraction),
            })
        mean = sum(fractions, Fraction(0)) / len(fractions) if fractions else Fraction(1)
        rows.append({
            "organisation": _org_row(org),
            "sort": (org.sort_order, org.name),
            "exact": mean,
            "due": sum(1 for t, _part in own if t.due_date is not None and m0 <= t.due_date <= m1),
            "done": sum(1 for _t, part in own if part.done_by(m1) and part.completed_on >= m0),
            "done_total": sum(1 for _t, part in own if part.done_by(m1)),
            "overdue": len(overdue),
            "overdue_tasks": [{"id": t.pk, "number": t.number, "path": t.path_label, "title": t.title,
                               "due_date": t.due_date.isoformat()} for t in overdue],
            "quotas": quota_cells,
            "attainment": _percent(mean),
        })

    # Competition ranking: 1 + the number of units strictly ahead.
    for row in rows:
        row["rank"] = 1 + sum(1 for other in rows
                              if (other["exact"], -other["overdue"]) > (row["exact"], -row["overdue"]))
    rows.sort(key=lambda r: (r["rank"], *r["sort"]))
    for row in rows:
        del row["sort"], row["exact"]

    totals = {key: sum(r[key] for r in rows) for key in ("due", "done", "done_total", "overdue")}
    totals["quotas"] = []
    for i, _qp in enumerate(quota_plans):
        cells = [r["quotas"][i] for r in rows if r["quotas"][i] is not None]
        sums = {key: sum(c[key] for c in cells) for key in ("target", "carried_in", "required", "actual", "shortfall")}
        sums["attainment"] = _percent(_attainment(sums["actual"], sums["required"]))
        totals["quotas"].append(sums if cells else None)

    return {
        "title": title_of(m0),
        "month": m0.isoformat(),
        "as_of": m1.isoformat(),
        "year": year,
        "month_number": m0.month,
        "organisation": organisation.name,
        "organisation_id": organisation.pk,
        "plans": [{"id": p.pk, "title": p.title} for p in plans.order_by("id")],
        "quota_plans": [{"id": qp.pk, "title": qp.title, "period": qp.get_period_display(), "months": qp.months}
                        for qp in quota_plans],
        "units": rows,
        "totals": totals,
    }


# ---------------------------------------------------------------- HTML


def _chart(data: dict) -> dict:
    """The bars of the staff preview's SVG: each unit's attainment of 100 %."""
    bars = []
    for i, row in enumerate(data["units"]):
        y = i * CHART_ROW_HEIGHT
        width = max(1, round(row["attainment"] * CHART_BAR_WIDTH / 100))
        bars.append({"label": row["organisation"]["short_name"], "value": row["attainment"], "rank": row["rank"],
                     "text_y": y + CHART_BAR_HEIGHT - 3, "bar_y": y, "width": width,
                     "value_x": CHART_LABEL_WIDTH + width + 6})
    return {"bars": bars, "width": CHART_WIDTH, "height": max(1, len(bars)) * CHART_ROW_HEIGHT,
            "bar_height": CHART_BAR_HEIGHT, "label_width": CHART_LABEL_WIDTH, "label_x": CHART_LABEL_WIDTH - 8,
            "full_x": CHART_LABEL_WIDTH + CHART_BAR_WIDTH}


def _context(data: dict) -> dict:
    m1 = dt.date.fromisoformat(data["as_of"])
    units = data["units"]
    late = [{**u, "overdue_tasks": [{**t, "due_label": date_text(dt.date.fromisoformat(t["due_date"]))}
                                    for t in u["overdue_tasks"]]} for u in units if u["overdue"]]
    context = {
        "data": data,
        "as_of_label": date_text(m1),
        "month_label": f"{data['year']}年{data['month_number']}月",
        "units": units,
        "late_units": late,
        "quota_plans": data["quota_plans"],
        "totals": data["totals"],
        "several_quotas": len(data["quota_plans"]) > 1,
        "columns": 6 + 4 * len(data["quota_plans"]) + (len(data["quota_plans"]) > 1),
    }
    context["opening"] = _opening(data, context)
    return context


def render_html(data: dict, *, chart: bool = False) -> str:
    """The bulletin as HTML. Without `chart` it is the catalog body (which
    keeps no SVG, see the module docstring); with it, the staff preview."""
    context = _context(data)
    if chart:
        context["chart"] = _chart(data)
    return render_to_string("workplan/bulletin_body.html", context)


# ---------------------------------------------------------------- DOCX


@lru_cache(maxsize=1)
def cjk_font() -> str | None:
    """The family name of an installed font that draws Chinese, or None."""
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    for name in CJK_FONTS:
        if name in installed:
            return name
    return None


def chart_png(data: dict, *, font: str | None = None) -> tuple[bytes, str]:
    """A horizontal bar chart of the units' attainment (PNG) and its caption.
    Without a Chinese font the bars are labelled with the units' ranks (and
    the caption says which unit is which), never with missing glyphs."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    units = data["units"]
    labels = [u["organisation"]["short_name"] for u in units] if font else [str(u["rank"]) for u in units]
    values = [u["attainment"] for u in units]
    height = 1.2 + 0.42 * max(1, len(units))
    fig = Figure(figsize=(6.3, height), dpi=120)
    FigureCanvasAgg(fig)
    try:
        ax = fig.add_subplot()
        text = {"family": font} if font else {}
        positions = list(range(len(units)))
        bars = ax.barh(positions, values, color="#8b1a1a", height=0.6)
        ax.set_yticks(positions, labels=labels, fontdict=text or None)
        ax.invert_yaxis()
        ax.set_xlim(0, 115)
        ax.set_xticks([0, 20, 40, 60, 80, 100])
        ax.set_xlabel("完成率（%）" if font else "%", fontdict=text or None)
        ax.bar_label(bars, labels=[f"{v:.1f}%" for v in values], padding=3, fontsize=9)
        for side in ("top", "right"):
            ax.spines[side].set_visible(False)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format="png")
    finally:
        fig.clear()
    caption = f"图：{data['month_number']}月末各单位信息发布任务完成率（%），数据同上表"
    if not font:
        by_rank = "；".join(f"{u['rank']}：{u['organisation']['name']}" for u in units)
        caption += f"。图中以排名标注各单位（{by_rank}）"
    return buffer.getvalue(), caption


def _east_asian(run_or_style, name: str = "宋体") -> None:
    from docx.oxml.ns import qn

    element = run_or_style.element
    rpr = element.get_or_add_rPr()
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = rpr.makeelement(qn("w:rFonts"), {})
        rpr.append(fonts)
    fonts.set(qn("w:eastAsia"), name)


def _header_cells() -> tuple[list[str], list[str]]:
    first = ["单位", "到期任务", "本月完成", "累计完成", "逾期任务"]
    quota = ["发布任务数", "应发布（含结转）", "已发布", "完成率"]
    return first, quota


def _quota_texts(cell: dict | None) -> list[str]:
    if cell is None:
        return ["—"] * 4
    required = str(cell["required"]) + (f"（含结转{cell['carried_in']}）" if cell["carried_in"] else "")
    return [str(cell["target"]), required, str(cell["actual"]), f"{cell['attainment']:.1f}%"]


def render_docx(data: dict) -> bytes:
    """The bulletin as a DOCX: title, opening, the table, the overdue tasks
    and the chart as an inline picture."""
    from docx import Document as Docx
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Cm, Pt

    doc = Docx()
    normal = doc.styles["Normal"]
    normal.font.size = Pt(11)
    _east_asian(normal)
    ctx = _context(data)
    heading = doc.add_heading(data["title"], level=1)
    heading.alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph(ctx["opening"])

    first, quota = _header_cells()
    plans = data["quota_plans"]
    several = ctx["several_quotas"]
    columns = ctx["columns"]
    table = doc.add_table(rows=2, cols=columns)
    table.style = "Table Grid"
    top, sub = table.rows[0].cells, table.rows[1].cells
    for i, label in enumerate(first):
        top[i].merge(sub[i]).text = label
    for p, plan in enumerate(plans):
        start = len(first) + 4 * p
        merged = top[start].merge(top[start + 3])
        merged.text = plan["title"]
        for j, label in enumerate(quota):
            sub[start + j].text = label
    if several:
        top[columns - 2].merge(sub[columns - 2]).text = "平均完成率"
    top[columns - 1].merge(sub[columns - 1]).text = "排名"
    for row in data["units"]:
        cells = table.add_row().cells
        values = [row["organisation"]["name"], str(row["due"]), str(row["done"]), str(row["done_total"]),
                  str(row["overdue"])]
        for cell in row["quotas"]:
            values += _quota_texts(cell)
        if several:
            values.append(f"{row['attainment']:.1f}%")
        values.append(str(row["rank"]))
        for cell, value in zip(cells, values):
            cell.text = value
    totals = data["totals"]
    cells = table.add_row().cells
    values = ["合计", str(totals["due"]), str(totals["done"]), str(totals["done_total"]), str(totals["overdue"])]
    for cell in totals["quotas"]:
        values += _quota_texts(cell)
    values += ["—"] * (2 if several else 1)
    for cell, value in zip(cells, values):
        cell.text = value

    if ctx["late_units"]:
        doc.add_heading("逾期任务", level=2)
        for row in ctx["late_units"]:
            doc.add_paragraph(f"{row['organisation']['name']}（{row['overdue']}项）：")
            for task in row["overdue_tasks"]:
                doc.add_paragraph(f"{task['path'] or task['number']} {task['title']}（完成时限：{task['due_label']}）",
                                  style="List Bullet")
    else:
        doc.add_paragraph(f"截至{ctx['as_of_label']}，没有逾期未完成的任务。")

    if data["units"]:
        png, caption = chart_png(data, font=cjk_font())
        doc.add_heading("信息发布任务完成率", level=2)
        doc.add_picture(io.BytesIO(png), width=Cm(15))
        doc.add_paragraph(caption)
    doc.add_paragraph(data["organisation"]).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _opening(data: dict, ctx: dict) -> str:
    totals = data["totals"]
    text = (f"现将{ctx['month_label']}政务公开工作情况通报如下。截至{ctx['as_of_label']}，"
            f"{len(data['units'])}个单位本月到期任务{totals['due']}项，本月完成{totals['done']}项，"
            f"累计完成{totals['done_total']}项，逾期未完成{totals['overdue']}项")
    for plan, cell in zip(data["quota_plans"], totals["quotas"]):
        if cell:
            text += (f"；“{plan['title']}”本期应发布（含结转）{cell['required']}条，已发布{cell['actual']}条，"
                     f"完成率{cell['attainment']:.1f}%")
    return text + "。"


# ---------------------------------------------------------------- the bulletin and its document


def _refuse(message: str):
    raise ValidationError(message)


def _docx_name(data: dict) -> str:
    return f"{data['title']}.docx"


def _attach(doc, data: dict, content: bytes, *, user) -> None:
    """Replace the bulletin's DOCX among the document's attachments (the
    office's own attachments stay)."""
    from gongkai.publishing import services as publishing

    name = _docx_name(data)
    for old in doc.attachments.filter(name=name):
        audit.record("attachment.remove", "document", doc.pk, actor=audit.actor_name(user),
                     before=audit.state_of(old), detail={"name": old.name, "bulletin": True})
        old.file.delete(save=False)
        old.delete()
    publishing.add_attachment(doc, ContentFile(content, name=name), user=user, name=name, system=user is None)


def _write_document(bulletin: Bulletin, data: dict, *, user):
    """Create the bulletin's draft document, or refresh it while it is a draft."""
    from gongkai.catalog import services as catalog
    from gongkai.catalog.models import Document, Genre
    from gongkai.publishing import services as publishing

    body = render_html(data)
    doc = None
    if bulletin.document_id:
        doc = Document.objects.select_for_update(**ROW_LOCK).filter(pk=bulletin.document_id).first()
    if doc is not None and doc.status != Document.Status.DRAFT:
        _refuse(f"《{doc.title}》已{doc.get_status_display()}，不能重新生成通报；如需修改，请由审核人退回后在文件中修改。")
    organisation = bulletin.organisation
    if doc is None:
        fields = {"title": data["title"], "body_html": body, "written_date": timezone.localdate(),
                  "genre": Genre.objects.filter(name=BULLETIN_GENRE).first()}
        if user is not None:
            doc = publishing.save_draft(None, user=user, organisation=organisation, **fields)
        else:
            doc = catalog.create_document(organisation=organisation, actor=None, **fields)
    elif user is not None:
        doc = publishing.save_draft(doc, user=user, title=data["title"], body_html=body)
    else:
        doc = catalog.update_document(doc, title=data["title"], body_html=body, actor=None)
    _attach(doc, data, render_docx(data), user=user)
    return doc


@transaction.atomic
def generate(organisation: Organisation, month: dt.date, *, user=None, today: dt.date | None = None) -> Bulletin:
    """Compute the month's bulletin of `organisation` and create (or, while
    its document is a draft, refresh) the Bulletin and its draft document.
    `user` None is the worker (audited as the system). A month that has not
    ended yet (as of `today`) is refused: its figures are not final, and the
    worker would not replace them."""
    if user is not None and not permissions.can(user, permissions.WORKPLAN_MANAGE, organisation):
        raise PermissionDenied(f"您没有在“{organisation.name}”管理工作要点督办的权限，不能生成通报。")
    m0, m1 = month_bounds(month)
    if m1 >= (today or timezone.localdate()):
        _refuse(f"{m0.year}年{m0.month}月尚未结束，月初通报在次月生成。")
    bulletin = Bulletin.objects.filter(organisation=organisation, month=m0).first()
    if bulletin is not None and bulletin.document_id:
        from gongkai.catalog.models import Document

        status = Document.objects.filter(pk=bulletin.document_id).values_list("status", flat=True).first()
        if status not in (None, Document.Status.DRAFT):
            _refuse(f"{title_of(m0)}已进入审核或发布流程，不能重新生成。")
    data = compute(organisation, m0)
    if not data["units"]:
        _refuse(f"“{organisation.name}”{m0.year}年没有已确认的工作要点任务（已对应到机构）或信息发布任务数，无法生成通报。")
    bulletin, created = Bulletin.objects.get_or_create(organisation=organisation, month=m0, defaults={"data": data})
    bulletin = Bulletin.objects.select_for_update(**ROW_LOCK).select_related("organisation").get(pk=bulletin.pk)
    before = None if created else audit.state_of(bulletin, exclude=("data",))
    doc = _write_document(bulletin, data, user=user)
    bulletin.data, bulletin.document = data, doc
    bulletin.save(update_fields=["data", "document"])
    audit.record("workplan.bulletin.generate" if created else "workplan.bulletin.refresh", "workplan.bulletin",
                 bulletin.pk, actor=audit.actor_name(user), before=before,
                 after=audit.state_of(bulletin, exclude=("data",)),
                 detail={"month": m0.isoformat(), "document": doc.pk, "units": len(data["units"])})
    return bulletin


def offices_due(month: dt.date):
    """Offices with a confirmed plan or a quota plan for `month`'s year and no bulletin for that month."""
    m0 = month.replace(day=1)
    ids = set(Plan.objects.filter(year=m0.year, state=Plan.State.CONFIRMED).values_list("organisation_id", flat=True))
    ids |= set(QuotaPlan.objects.filter(year=m0.year).values_list("organisation_id", flat=True))
    ids -= set(Bulletin.objects.filter(month=m0).values_list("organisation_id", flat=True))
    return Organisation.objects.filter(pk__in=ids).order_by("sort_order", "name", "id")


def due(today: dt.date | None = None) -> list[Bulletin]:
    """From the month's first working day on, draft the previous month's
    bulletin of every office that has none yet (a worker that was down on
    that day catches up later in the month; none is drafted twice)."""
    today = today or timezone.localdate()
    if today < first_workday(today.year, today.month):
        return []
    month = previous_month(today)
    made = []
    for office in offices_due(month):
        try:
            made.append(generate(office, month, today=today))
        except ValidationError as exc:
            logger.info("no bulletin for %s %s: %s", office.name, month.isoformat(), "; ".join(exc.messages))
        except Exception:  # one office's failure must not stop the others' bulletins
            logger.exception("bulletin of %s for %s failed", office.name, month.isoformat())
    return made
