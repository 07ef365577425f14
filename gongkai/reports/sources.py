"""Where reports to check come from: saved files, addresses on the web, and
the list of units an office above checks.

- `read_file`: a saved page (HTML or text, UTF-8 or GB18030/GBK), at most
  MAX_BYTES; binary files (PDF, images, archives) are refused with a reason.
- `fetch_url`: http(s) only, with a timeout, at most MAX_REDIRECTS redirects
  and MAX_BYTES read; the answer must be a page (text or HTML). With
  `allow_private=False` (the default) addresses on loopback, private,
  link-local or reserved networks are refused, also after a redirect, so
  that a caller passing on addresses from others cannot reach the intranet
  behind the server. The command line passes `allow_private=True`: the
  operator chooses the addresses, and many government sites sit on an
  intranet.
- `read_units`: a list of units, one a line: a name and a file or address
  separated by a tab, a comma or spaces (`# ...` lines are comments).

Every failure is a `SourceError` whose `reason` says in plain words why.
"""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from gongkai.core.decode import DecodeError, decode

MAX_BYTES = 5 * 1024 * 1024
MAX_REDIRECTS = 5
TIMEOUT = 15.0
USER_AGENT = "Gongkai annual report checker (gongkai report check)"


class SourceError(ValueError):
    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def is_url(target: str) -> bool:
    return "://" in target


def _text(data: bytes) -> str:
    try:
        text, _encoding = decode(data)
    except DecodeError as exc:
        raise SourceError(f"{exc.reason} (a report is read from a saved web page, HTML or text)") from None
    if not text.strip():
        raise SourceError("empty file")
    return text


def read_file(path: Path | str, *, max_bytes: int = MAX_BYTES) -> str:
    path = Path(path)
    if not path.is_file():
        raise SourceError("no such file")
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise SourceError(f"the file is larger than {max_bytes // (1024 * 1024)} MB")
        data = path.read_bytes()
    except OSError as exc:
        raise SourceError(f"cannot read the file: {exc.strerror or exc}") from None
    return _text(data)


def _refuse_private(url: str) -> None:
    host = urlsplit(url).hostname or ""
    try:
        infos = socket.getaddrinfo(host, None)
    except (socket.gaierror, UnicodeError):
        raise SourceError(f"cannot resolve the host {host}") from None
    for info in infos:
        address = ipaddress.ip_address(info[4][0].split("%")[0])
        if not address.is_global or address.is_multicast:
            raise SourceError(f"the host {host} is on a private or local network ({address})")


def fetch_url(url: str, *, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES, allow_private: bool = False) -> str:
    import httpx

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise SourceError(f"not an http(s) address: {url}")
    client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=False,
                          headers={"User-Agent": USER_AGENT, "Accept": "text/html,text/plain;q=0.9,*/*;q=0.1"})
    try:
        for _hop in range(MAX_REDIRECTS + 1):
            if not allow_private:
                _refuse_private(url)
            with client.stream("GET", url) as response:
                if response.is_redirect:
                    location = response.headers.get("location", "")
                    url = urljoin(url, location)
                    if urlsplit(url).scheme not in ("http", "https"):
                        raise SourceError(f"redirected to an address that is not http(s): {url}")
                    continue
                if response.status_code != 200:
                    raise SourceError(f"the server answered HTTP {response.status_code}")
                kind = response.headers.get("content-type", "").split(";")[0].strip().lower()
                if kind and not (kind.startswith("text/") or kind in ("application/xhtml+xml", "application/xml")):
                    raise SourceError(f"the address gives {kind}, not a web page")
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > max_bytes:
                    raise SourceError(f"the page is larger than {max_bytes // (1024 * 1024)} MB")
                body = bytearray()
                for chunk in response.iter_bytes():
                    body.extend(chunk)
                    if len(body) > max_bytes:
                        raise SourceError(f"the page is larger than {max_bytes // (1024 * 1024)} MB")
                return _text(bytes(body))
        raise SourceError(f"too many redirects (more than {MAX_REDIRECTS})")
    except httpx.TimeoutException:
        raise SourceError(f"no answer within {timeout:g} seconds") from None
    except httpx.HTTPError as exc:
        raise SourceError(f"cannot fetch the page: {exc.__class__.__name__}") from None
    finally:
        client.close()


def read_source(target: str, *, base: Path | None = None, timeout: float = TIMEOUT, max_bytes: int = MAX_BYTES,
                allow_private: bool = False) -> str:
    """A report's page from a file (relative to `base` when given) or an address."""
    if is_url(target):
        return fetch_url(target, timeout=timeout, max_bytes=max_bytes, allow_private=allow_private)
    path = Path(target).expanduser()
    if base is not None and not path.is_absolute():
        path = base / path
    return read_file(path, max_bytes=max_bytes)


@dataclass
class Unit:
    name: str  # as the list names it ("" when it names none)
    target: str  # a file or an address
    line: int


def parse_units(text: str) -> list[Unit]:
    units = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip().lstrip("\ufeff")
        if not line or line.startswith("#"):
            continue
        if "\t" in line:
            name, _, target = line.partition("\t")
        elif "," in line or "，" in line:
            at = min(i for i in (line.find(","), line.find("，")) if i >= 0)
            name, target = line[:at], line[at + 1:]
        elif " " in line or "\u3000" in line:
            name, target = line.replace("\u3000", " ").rsplit(None, 1)
        else:
            name, target = "", line
        name, target = name.strip(), target.strip()
        if not target:
            raise SourceError(f"line {number}: no file or address after the unit's name")
        units.append(Unit(name, target, number))
    return units


def read_units(path: Path | str) -> list[Unit]:
    units = parse_units(read_file(path, max_bytes=MAX_BYTES))
    if not units:
        raise SourceError("the list names no unit")
    return units
