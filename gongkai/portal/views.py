"""Placeholder views; the portal is built on top of catalog selectors."""

from django.http import HttpResponse, HttpResponseNotFound, HttpResponseServerError


def home(request):
    return HttpResponse("政务公开平台")


def catalog(request):
    return HttpResponse("目录")


def search(request):
    return HttpResponse("检索")


def document(request, index_number):
    return HttpResponseNotFound("未找到")


def document_by_id(request, pk):
    return HttpResponseNotFound("未找到")


def page_not_found(request, exception=None):
    return HttpResponseNotFound("页面不存在")


def server_error(request):
    return HttpResponseServerError("服务器错误")
