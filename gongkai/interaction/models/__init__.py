"""Models of 政民互动: mailbox/hotline tickets (tickets.py), consultations
on drafts (consultations.py) and online interviews (interviews.py)."""

from .consultations import *  # noqa: F401,F403
from .interviews import *  # noqa: F401,F403
from .tickets import *  # noqa: F401,F403
