"""`gongkai search QUERY [--json]`: print the hits of a catalog search.

The words are the search box's syntax, so a word starting with a minus
excludes it, also as the first word (`gongkai search -通知 政务公开`): only a
minus and one Latin letter (`-v`, `-h`) is read as an option; `--` ends the
options (`gongkai search -- -v`). An argument that is not valid UTF-8 (Python
hands such bytes over as surrogate escapes) is refused with a plain message
and exit status 2, like any other usage error."""

import json
import re
import sys

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Q
from django.utils.html import strip_tags

from gongkai.catalog.models import Document, Genre, Topic
from gongkai.core.models import Organisation, descendant_ids
from gongkai.search.backends import Filters
from gongkai.search.services import ORDERS, search

VALIDITY_BY_LABEL = {label: value for value, label in Document.Validity.choices if value}

# What argparse may keep as an option: a minus and one Latin letter (-v 2, -v2, -h).
_SHORT_OPTION = re.compile(r"-[A-Za-z]\d*")
# The bytes that were not UTF-8, as Python's surrogateescape hands them over.
_UNDECODABLE = re.compile("[\udc80-\udcff]")

EPILOG = ("A word starting with - excludes documents holding it (-通知), also as the first word. "
          "Only a minus and one Latin letter (-v, -h) is read as an option: put such a word after --, "
          "which ends the options (gongkai search 公开 -- -v). "
          "Exit status: 0 with the hits (none found is not an error); 1 when a filter names nothing that exists "
          "or, without --json, the query has nothing to search; 2 for a usage error, including arguments that "
          "are not valid UTF-8.")


def _shown(arg: str) -> str:
    """`arg` printable: the bytes that were not UTF-8 as \\xNN."""
    return arg.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace")


class _QueryParser(CommandParser):
    """Refuses arguments that are not UTF-8, and keeps the search syntax's
    exclusions (-word) out of argparse's hands: they join the query words."""

    def parse_args(self, args=None, namespace=None):
        args = list(sys.argv[2:] if args is None else args)
        for arg in args:
            if isinstance(arg, str) and _UNDECODABLE.search(arg):
                self.error(f"argument '{_shown(arg)}' is not valid UTF-8 text; "
                           "pass the words in UTF-8 (check the terminal's or the script's encoding)")
        options, exclusions = [], []
        for n, arg in enumerate(args):
            if arg == "--":
                options += args[n:]
                break
            if isinstance(arg, str) and arg.startswith("-") and not arg.startswith("--") and len(arg) > 1 \
                    and not _SHORT_OPTION.fullmatch(arg):
                exclusions.append(arg)
            else:
                options.append(arg)
        namespace = super().parse_args(options, namespace)
        namespace.query = [*namespace.query, *exclusions]
        if not namespace.query:
            self.error("the following arguments are required: query")
        return namespace


def _one(model, value: str, what: str):
    query = Q(name=value)
    if hasattr(model, "short_name"):
        query |= Q(short_name=value)
    if value.isdigit():
        query |= Q(pk=int(value))
    found = list(model.objects.filter(query)[:2])
    if len(found) != 1:
        raise CommandError(f"{what} '{value}' {'is ambiguous' if found else 'was not found'}.")
    return found[0]


class Command(BaseCommand):
    help = "Search the public catalog and print the hits."

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = super().create_parser(prog_name, subcommand, epilog=EPILOG, **kwargs)
        parser.__class__ = _QueryParser  # Django builds the parser; only parse_args changes
        return parser

    def add_arguments(self, parser):
        parser.add_argument("query", nargs="*", metavar="QUERY",
                            help="words and \"quoted phrases\"; -word excludes (see below)")
        parser.add_argument("--org", help="organisation (name, short name or id), with its children")
        parser.add_argument("--org-only", action="store_true", help="the organisation itself, without its children")
        parser.add_argument("--topic", help="topic name (its sub-topics included)")
        parser.add_argument("--genre", help="genre name")
        parser.add_argument("--from", dest="year_from", type=int, help="first year")
        parser.add_argument("--to", dest="year_to", type=int, help="last year")
        parser.add_argument("--validity", help="有效 / 失效 / 废止 / 已修订")
        parser.add_argument("--sort", choices=sorted(ORDERS), default="relevance")
        parser.add_argument("--page", type=int, default=1)
        parser.add_argument("--limit", type=int, default=20)
        parser.add_argument("--json", action="store_true", help="machine-readable output")

    def handle(self, *args, **opts):
        filters = Filters(year_from=opts["year_from"], year_to=opts["year_to"])
        if opts["org"]:
            org = _one(Organisation, opts["org"], "Organisation")
            filters.organisation_ids = {org.pk} if opts["org_only"] else descendant_ids([org.pk])
        if opts["topic"]:
            topic = _one(Topic, opts["topic"], "Topic")
            filters.topic_ids = {topic.pk, *topic.children.values_list("pk", flat=True)}
        if opts["genre"]:
            filters.genre_ids = {_one(Genre, opts["genre"], "Genre").pk}
        if opts["validity"]:
            if opts["validity"] not in VALIDITY_BY_LABEL:
                raise CommandError(f"Validity must be one of: {', '.join(VALIDITY_BY_LABEL)}.")
            filters.validity = VALIDITY_BY_LABEL[opts["validity"]]
        result = search(" ".join(opts["query"]), filters, order=opts["sort"], page=opts["page"], per_page=opts["limit"])
        if opts["json"]:
            self.stdout.write(json.dumps(self.as_json(result), ensure_ascii=False, indent=2))
            return
        if result.message:
            raise CommandError(result.message)
        self.stdout.write(f"{result.total} hits (page {result.page} of {result.pages})")
        for n, hit in enumerate(result.hits, start=(result.page - 1) * result.per_page + 1):
            doc = hit.document
            self.stdout.write(f"{n:>4}. {doc.title}")
            meta = "  ".join(filter(None, [doc.index_number, doc.document_number, doc.organisation.name, str(doc.published_date or "")]))
            self.stdout.write(f"      {meta}")
            self.stdout.write(f"      {strip_tags(hit.snippet_html)}")

    @staticmethod
    def as_json(result) -> dict:
        return {
            "query": result.query.raw,
            "message": result.message,
            "total": result.total,
            "page": result.page,
            "pages": result.pages,
            "hits": [
                {
                    "index_number": hit.document.index_number,
                    "title": hit.document.title,
                    "document_number": hit.document.document_number,
                    "organisation": hit.document.organisation.name,
                    "published_date": hit.document.published_date.isoformat() if hit.document.published_date else None,
                    "score": round(hit.score, 6),
                    "snippet": strip_tags(hit.snippet_html),
                    "url": hit.document.get_absolute_url(),
                }
                for hit in result.hits
            ],
        }
