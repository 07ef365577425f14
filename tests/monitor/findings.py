"""A finding as a crawl reports it (what monitor.services.record_run reads),
made by hand for the tests."""

from dataclasses import dataclass


@dataclass
class F:
    kind: str
    severity: str
    evidence: str
    context: str
    url: str
