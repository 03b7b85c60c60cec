"""Signals of comments, for cross-cutting reactions (notifications) above comments."""

from django.dispatch import Signal

# People were mentioned in a comment: `comment` (with its author and target), `users` the members newly
# mentioned (never the author; on an edit, only those the earlier text did not mention). Sent inside the
# transaction of the write; receivers that deliver anything do so after the commit.
mentioned = Signal()
