"""A work plan's source as the importers read it: a saved page (HTML or text,
UTF-8 or GB18030/GBK) → its body text, title, issuing organisation and year.

Shared by the staff import page (`gongkai.workplan.views`) and the command
line (`gongkai workplan extract`), so that both read a plan the same way:
the page goes through the decoder (core.decode) and page extractor, the plan's own
title (e.g. "2018年重庆市政务公开工作要点") is preferred to the page title (a
task table's header is none), and the year falls back to the page's written date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from gongkai.core.decode import DecodeError, decode
from gongkai.ingest.extract import extract

from .extract import find_plan_title, looks_like_table_header, year_of


@dataclass
class PlanSource:
    text: str  # the body text the tasks are read from
    title: str  # the plan's title, or the page's when the plan names none
    organisation: str  # the issuing organisation as the page names it
    year: int | None  # from the title, else the page's written date


def plan_source(content: str) -> PlanSource:
    """The plan inside a page's text (HTML or plain text)."""
    page = extract(content)
    body = page.body_text or content
    title = find_plan_title(body) or page.title
    if looks_like_table_header(title):  # a bare task list: its first line is the table's header, not a title
        title = ""
    year = year_of(title)
    if not year and page.written_date:
        year = page.written_date.year
    return PlanSource(text=body, title=title, organisation=page.organisation, year=year)


def read_file(path: Path) -> PlanSource:
    """A saved page on disk; gongkai.ingest.services.ImportError_ says why it cannot be read."""
    from gongkai.ingest import services as ingest  # the catalog's models: imported when needed

    return plan_source(ingest.read_page(Path(path)))


def decode_bytes(data: bytes) -> str:
    """An uploaded page's bytes as text; DecodeError (its `reason` in English) when it is not a page."""
    text, _encoding = decode(data)
    if not text.strip():
        raise DecodeError("the file holds no text")
    return text


__all__ = ["DecodeError", "PlanSource", "decode_bytes", "plan_source", "read_file"]
