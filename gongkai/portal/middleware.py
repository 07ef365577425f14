import base64
import hashlib

# Inline style attributes a page may carry, by their exact text: only the
# rich-text editor's (Jodit sets these two with setAttribute on the drafting
# form; staff.css does the same, but the browser still reports each block).
# CSP's 'unsafe-hashes' with these hashes allows exactly these two strings,
# nothing else inline.
EDITOR_STYLES = (
    "width: 0; height:0; position: absolute; visibility: hidden;",  # its toolbar's focus helper <input>
    "line-height: 0; display: none;",  # its selection markers, when leaving the source view
)


def allow_inline_styles(request, styles=EDITOR_STYLES) -> None:
    """Let this response's page carry exactly these style attributes."""
    request.csp_style_hashes = tuple(base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() for s in styles)


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: the site loads nothing from outside."""

    POLICY = (
        "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
        "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if not request.path.startswith("/admin/"):
            policy = self.POLICY
            hashes = getattr(request, "csp_style_hashes", ())
            if hashes:
                allowed = " ".join(f"'sha256-{h}'" for h in hashes)
                policy = policy.replace("style-src 'self';", f"style-src 'self' 'unsafe-hashes' {allowed};")
            response.headers.setdefault("Content-Security-Policy", policy)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        return response
