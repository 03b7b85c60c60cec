class ApplicationError(Exception):
    """A business rule refused the operation; the message is shown to the user as is."""

    def __init__(self, message, *, field: str | None = None, extra: dict | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
        self.extra = extra or {}
