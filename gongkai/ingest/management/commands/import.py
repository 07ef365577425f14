"""`gongkai import PATH... [--org ORG | --create-orgs [--parent ORG]] [--json]`: import saved government pages.

Every page goes through the privacy scan and the tamper checks: a page with
findings is imported but held for review (status "held"), not published.
A page that cites more documents than one page may create relations for
(services.MAX_RELATIONS_PER_PAGE) is imported with a warning naming how many
were left out ("warnings" in --json).
"""

import json
import sys

from django.core.management.base import BaseCommand, CommandError

from gongkai.ingest import services


# Progress lines on stderr from this many files on.
PROGRESS_FROM = 3


class Command(BaseCommand):
    help = "Import government pages saved as HTML or text (files or folders; UTF-8, GB18030/GBK)."

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", metavar="PATH", help="page files or folders of them")
        parser.add_argument("--org", help="the issuing organisation: id, index prefix, issuer code, name or short name")
        parser.add_argument("--create-orgs", action="store_true",
                            help="create the issuer of a page that no organisation in the catalog matches "
                                 "(from its 发布机构/发文机关; index prefix from its 索引号)")
        parser.add_argument("--parent", help="with --create-orgs: the parent of the organisations created "
                                             "(id, name or short name)")
        parser.add_argument("--json", action="store_true", help="print the extracted fields of every page as JSON")

    def handle(self, *args, paths, org=None, json=False, create_orgs=False, parent=None, **options):
        organisation = None
        if org and create_orgs:
            raise CommandError("--org and --create-orgs do not go together: --org names the issuer of every page",
                               returncode=2)
        if parent is not None and not create_orgs:
            raise CommandError("--parent goes with --create-orgs", returncode=2)
        parent_org = None
        if create_orgs and parent is not None:
            try:
                parent_org = services.find_parent(parent)
            except services.ImportError_ as exc:
                raise CommandError(str(exc), returncode=2) from exc
        if org:
            try:
                organisation = services.find_organisation(org)
            except services.ImportError_ as exc:
                raise CommandError(str(exc), returncode=2) from exc
            if organisation is None:
                raise CommandError(f"no organisation '{org}': give its id, index prefix, issuer code, name or short name", returncode=2)

        verbosity = options.get("verbosity", 1)
        on_terminal = self.stderr.isatty()

        def progress(done, total, path):
            # One line per file only when there are more than a few of them.
            if verbosity > 0 and (total > PROGRESS_FROM or verbosity > 1):
                self.stderr.write(f"[{done}/{total}] {path}", ending="\r" if on_terminal else "\n")

        report = services.import_paths(paths, organisation=organisation, create_orgs=create_orgs, parent=parent_org,
                                       progress=progress)
        if on_terminal and verbosity > 0 and len(report.results) > PROGRESS_FROM:
            self.stderr.write("")
        if json:
            self.stdout.write(_json_dumps([r.as_dict() for r in report.results]))
        else:
            for result in report.results:
                if result.created_organisation:
                    self.stdout.write(_organisation_line(result.created_organisation))
                self.stdout.write(_line(result))
                for warning in result.warnings:
                    self.stdout.write(f"warning    {result.path}: {warning}")
        self.stderr.write(report.summary())
        if report.failed:
            sys.exit(1)


def _json_dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2)


def _line(result) -> str:
    if result.status == services.FAILED:
        return f"failed     {result.path}: {result.error}"
    if result.status == services.UNCHANGED:
        return f"unchanged  {result.path}: already in the catalog as {result.index_number or result.document_id}"
    missing = f" (not found on the page: {', '.join(result.page.missing)})" if result.page.missing else ""
    if result.status == services.HELD:
        found = "; ".join(f"{f.kind} in the {f.place}: {f.text}" for f in result.findings)
        number = result.index_number or f"document {result.document_id}"
        return f"held       {result.path}: {number} held for review, not public ({found}){missing}"
    return f"created    {result.path}: {result.index_number}{missing}"


PREFIX_SOURCES = {
    "credit_code": "the unified social credit code of the page's 索引号",
    "index_number": "the page's 索引号 prefix (not a unified social credit code)",
    "made_up": "made up: the page has no 索引号; set the real one in the admin",
}


def _organisation_line(org: dict) -> str:
    parent = f", under {org['parent']}" if org["parent"] else ""
    return (f"organisation created: {org['name']} (id {org['id']}, {org['level']}{parent}; "
            f"index prefix {org['index_prefix']}: {PREFIX_SOURCES[org['index_prefix_from']]})")
