"""Staff sign-in for the workspace: every workspace view needs a signed-in,
active user; what they may do is asked of gongkai.core.permissions."""

from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied


def staff_view(view):
    """Signed-in users only; others go to the login page."""

    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not request.user.is_authenticated or not request.user.is_active:
            return redirect_to_login(request.get_full_path())
        return view(request, *args, **kwargs)

    return wrapped


def require(allowed: bool, message: str = "您没有执行此操作的权限。") -> None:
    """Refuse with 403 (rendered by the workspace's 403 page) unless allowed."""
    if not allowed:
        raise PermissionDenied(message)
