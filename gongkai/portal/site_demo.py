"""The demo region's site identity (issue 18): the province's portal, with
the marks a real government site carries in its footer and meta tags. The
organisations below inherit it (core.models.resolve_site_identity). Made-up
numbers in the shape of real ones (网站标识码: 10 characters; ICP/公安 备案号)."""

from gongkai.core.models import SiteIdentity


def create_site_identity(region) -> SiteIdentity:
    province = region.province
    identity, _created = SiteIdentity.objects.update_or_create(organisation=province, defaults={
        "site_name": f"{province.short_name or province.name}政务公开（演示）",
        "sponsor": f"{province.name}办公厅",
        "operator": f"{province.name}办公厅政务公开办公室",
        "address": "成都市青羊区示例路1号",
        "phone": "028-12345678",
        "domain": "www.example.gov.cn",
        "site_code": "5100000001",
        "icp_number": "蜀ICP备00000001号",
        "police_number": "川公网安备 51000000000001号",
    })
    return identity
