"""Signals of the accounts domain, for apps above it to react to without accounts importing them."""

from django.dispatch import Signal

# Sent with `organization` after its status rules (margins, check-in cadence) changed: statuses that
# depend on them must be recomputed at once.
organization_rules_changed = Signal()
