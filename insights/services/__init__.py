"""Writes of initiatives and business reviews. Each service owns its transaction and validates first."""

from insights.services.initiatives import (
    impacts_refresh,
    initiative_create,
    initiative_delete,
    initiative_update,
)
from insights.services.reviews import (
    action_item_create,
    action_item_update,
    review_close,
    review_create,
    review_prepare,
    review_update,
)

__all__ = [
    "action_item_create",
    "action_item_update",
    "impacts_refresh",
    "initiative_create",
    "initiative_delete",
    "initiative_update",
    "review_close",
    "review_create",
    "review_prepare",
    "review_update",
]
