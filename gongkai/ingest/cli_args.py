"""Arguments every command that names an organisation reads the same way."""

from django.core.management.base import CommandError

from .services import ImportError_, find_organisation

BAD_INPUT = 2  # the exit status of a command given bad input


def resolve_organisation(text: str):
    """The organisation ORG names (its id, index prefix, issuer code, name or
    short name), or a CommandError in plain words with exit status 2."""
    try:
        organisation = find_organisation(text)
    except ImportError_ as exc:
        raise CommandError(str(exc), returncode=BAD_INPUT) from exc
    if organisation is None:
        raise CommandError(f"no organisation '{text}': give its id, index prefix, issuer code, name or short name",
                           returncode=BAD_INPUT)
    return organisation
