"""信息处理费 (Art. 42; 《政府信息公开信息处理费管理办法》, 国办函〔2020〕109号):
the tiers as data, and the amount for a quantity. Pure: no Django.

Per item (按件计收), counted over one applicant's applications in a calendar
month: the first 10 are free; items 11–30 cost 100 yuan each; from item 31,
every further 10 items form a tier costing 100 yuan more per item than the
one before. Per page (按量计收): 30 pages free; pages 31–100 cost 10 yuan,
101–200 cost 20 yuan, from 201 on 40 yuan each. One basis per application.
"""

from __future__ import annotations

from decimal import Decimal

ITEM_FREE = 10
ITEM_FIRST_TIER = (11, 30, 100)   # items 11..30 at 100 yuan
ITEM_TIER_SIZE = 10               # from 31: tiers of 10 items, +100 yuan each
PAGE_TIERS = [                    # (first page, last page or None, yuan per page)
    (1, 30, 0),
    (31, 100, 10),
    (101, 200, 20),
    (201, None, 40),
]


def per_item(items: int, already_this_month: int = 0) -> Decimal:
    """The fee for `items` more items after `already_this_month` items."""
    total = 0
    for n in range(already_this_month + 1, already_this_month + items + 1):
        total += _item_price(n)
    return Decimal(total)


def _item_price(n: int) -> int:
    if n <= ITEM_FREE:
        return 0
    first, last, price = ITEM_FIRST_TIER
    if n <= last:
        return price
    return price + 100 * ((n - last - 1) // ITEM_TIER_SIZE + 1)


def per_page(pages: int) -> Decimal:
    total = 0
    for first, last, price in PAGE_TIERS:
        top = pages if last is None else min(pages, last)
        if top >= first:
            total += (top - first + 1) * price
    return Decimal(total)


def _segments(numbers: range, price_of) -> list[tuple[int, int, int]]:
    """Consecutive numbers at the same price: (first, last, price)."""
    found: list[list[int]] = []
    for n in numbers:
        price = price_of(n)
        if found and found[-1][2] == price and found[-1][1] == n - 1:
            found[-1][1] = n
        else:
            found.append([n, n, price])
    return [tuple(segment) for segment in found]


def _page_price(n: int) -> int:
    for first, last, price in PAGE_TIERS:
        if n >= first and (last is None or n <= last):
            return price
    return 0


def _describe(segments, unit: str, counted: str) -> str:
    parts = []
    for first, last, price in segments:
        span = f"第{first}{unit}" if first == last else f"第{first}至{last}{unit}"
        parts.append(f"{counted}{span}{'免费' if price == 0 else f'每{unit}{price}元'}")
    return "；".join(parts)


def per_item_tiers(items: int, already_this_month: int = 0) -> str:
    """The tiers an item fee runs through, in words: 本月累计第9至10件免费；本月累计第11至12件每件100元."""
    numbers = range(already_this_month + 1, already_this_month + items + 1)
    return _describe(_segments(numbers, _item_price), "件", "本月累计")


def per_page_tiers(pages: int) -> str:
    """The tiers a page fee runs through, in words: 第1至30页免费；第31至100页每页10元 ..."""
    return _describe(_segments(range(1, pages + 1), _page_price), "页", "")
