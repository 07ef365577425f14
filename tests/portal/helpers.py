"""Reading rendered pages in tests."""

import lxml.html


def parse(response) -> lxml.html.HtmlElement:
    return lxml.html.fromstring(response.content.decode("utf-8"))


def text_of(element) -> str:
    return " ".join(element.text_content().split())
