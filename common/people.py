"""How a person is named on pages, in messages and in mail: one formatter for every app."""


def person_name(user, *, missing: str = "") -> str:
    """The person's full name, else their username; `missing` when there is no person."""
    if user is None:
        return missing
    return user.get_full_name() or user.get_username()
