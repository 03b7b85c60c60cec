"""Signals of the OKR domain, for cross-cutting reactions (notifications, history) above okrs."""

from django.dispatch import Signal

# Sent by every refresh of a cycle's figures (a write or the periodic safety net), inside its
# transaction, with `cycle`, `objectives` (each with its key results prefetched, figures as stored) and
# `now`. Receivers that send anything must do so after the commit (transaction.on_commit).
figures_evaluated = Signal()
