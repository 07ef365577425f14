"""/data/: the public catalog's bulk files (gongkai.catalog.export), listed
from the current manifest and served from the site's storage. Only files the
manifest lists are served; the listing says when the files were made and how
to read them, and points at the API and the feeds."""

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_safe

from gongkai.catalog import export

from .views import Crumb

CONTENT_TYPES = {"jsonl": "application/x-ndjson; charset=utf-8", "csv": "text/csv; charset=utf-8"}


@require_safe
def data_index(request):
    manifest = export.current_manifest()
    return render(request, "portal/opendata.html", {
        "manifest": manifest,
        "crumbs": [Crumb("首页", reverse("portal:home")), Crumb("开放数据")],
    })


@require_safe
def data_manifest(request):
    manifest = export.current_manifest()
    if manifest is None:
        raise Http404("开放数据文件尚未生成")
    return JsonResponse(manifest, json_dumps_params={"ensure_ascii": False, "indent": 1})


@require_safe
def data_file(request, path: str):
    manifest = export.current_manifest()
    entry = export.published_path(manifest or {}, path)
    if entry is None or not default_storage.exists(path):
        raise Http404("没有这个开放数据文件")
    response = FileResponse(default_storage.open(path, "rb"), content_type=CONTENT_TYPES[entry["format"]],
                            as_attachment=True, filename=path.rsplit("/", 2)[-2] + "-" + path.rsplit("/", 1)[-1])
    response["Content-Length"] = str(entry["bytes"])
    response["Digest"] = f"sha-256={entry['sha256']}"
    return response
