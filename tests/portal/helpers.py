"""Reading rendered pages in tests."""

import lxml.html


def parse(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode("utf-8"))


def text_of(element) -> str:
    return " ".join(element.text_content().split())


def form_data(response, form_id: str) -> dict:
    """What the browser would send for the form as the page shows it."""
    form = parse(response).xpath(f"//form[@id='{form_id}']")[0]
    data = {}
    for field in form.xpath(".//input[@name] | .//select[@name] | .//textarea[@name]"):
        name, kind = field.get("name"), field.get("type", "text")
        if field.tag == "select":
            selected = field.xpath(".//option[@selected]/@value")
            data[name] = selected[0] if selected else ""
        elif field.tag == "textarea":
            data[name] = field.text or ""
        elif kind in ("submit", "button", "file", "image"):
            continue
        elif kind in ("checkbox", "radio"):
            if field.get("checked") is not None:
                data[name] = field.get("value", "on")
        else:
            data[name] = field.get("value", "")
    return data
