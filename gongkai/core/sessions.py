"""Sessions in the database, with a lost connection reported as one.

Django's database session store turns every database error on saving into
`UpdateError`, which its middleware answers with a 400 ("the session was
deleted before the request completed"). When the database restarts or a
transaction is chosen as a deadlock victim, that is wrong: the session is
still there, and the person should get the clean 503 page (portal.views) and
reload. Only a session that really is gone stays a 400.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseSessionStore
from django.contrib.sessions.backends.base import UpdateError
from django.db import InterfaceError, OperationalError


class SessionStore(DatabaseSessionStore):
    def save(self, must_create: bool = False) -> None:
        try:
            super().save(must_create=must_create)
        except UpdateError as exc:
            cause = exc.__context__
            if isinstance(cause, (OperationalError, InterfaceError)):
                raise cause from None
            raise
