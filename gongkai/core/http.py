"""HTTP helpers shared by the apps."""

from urllib.parse import quote


def attachment_header(filename: str) -> str:
    """Content-Disposition for a download with a Chinese file name (RFC 6266 / 5987)."""
    return f"attachment; filename*=UTF-8''{quote(filename, safe='')}"
