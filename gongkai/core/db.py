"""Database patterns shared by the apps."""


def ensure_row(model, **fields) -> None:
    """Insert the row unless one with the same unique key exists, without
    racing a concurrent insert (INSERT .. ON CONFLICT DO NOTHING)."""
    model.objects.bulk_create([model(**fields)], ignore_conflicts=True)


def locked_row(model, key: dict, defaults: dict | None = None):
    """The row with `key`, created with `defaults` if missing, locked until
    the transaction ends: concurrent writers queue on it."""
    ensure_row(model, **key, **(defaults or {}))
    return model.objects.select_for_update().get(**key)
