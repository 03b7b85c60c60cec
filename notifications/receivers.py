"""Receivers of the domain signals that notifications react to, connected by NotificationsConfig.ready.

Signals are sent inside the writes' transactions: each receiver runs in a savepoint and logs its own
failure, so that a notification problem never refuses a check-in or a review. What they record is
delivered after the commit (notifications.services.inbox).
"""

import importlib
import logging

from django.db import transaction
from django.utils import timezone

from notifications import services

logger = logging.getLogger(__name__)


def _safely(name: str, func, **kwargs) -> None:
    try:
        with transaction.atomic():
            func(**kwargs)
    except Exception:
        logger.exception("Notifications for %s failed; the write itself went through.", name)


def on_figures_evaluated(sender, *, cycle, objectives, now, **kwargs):
    # observations_record keeps its own savepoint.
    services.figures_evaluated(cycle=cycle, objectives=objectives, now=now)


def on_kpi_statuses_evaluated(sender, *, organization, kpis, **kwargs):
    # Sent after the run's transaction; observations_record keeps its own savepoint for its writes.
    try:
        services.kpi_statuses_evaluated(organization=organization, kpis=kpis, now=timezone.now())
    except Exception:
        logger.exception("Notifications for KPI statuses failed; the recomputation itself went through.")


def on_review_requested(sender, *, objective, reviewers, **kwargs):
    rounds = getattr(objective, "review_requests", None)
    round_id = rounds.order_by("-pk").values_list("pk", flat=True).first() if rounds is not None else None
    _safely(
        "a review request",
        services.review_requested,
        objective=objective,
        reviewers=list(reviewers),
        round_id=round_id,
    )


def on_review_decided(sender, *, objective, decision, **kwargs):
    _safely("a review decision", services.review_decided, objective=objective, decision=decision)


def on_mentioned(sender, *, comment, users, **kwargs):
    _safely("a mention", services.mentioned, comment=comment, users=list(users))


def on_quality_dropped(sender, *, organization, drops, **kwargs):
    _safely(
        "a data-quality drop",
        services.quality_dropped,
        organization=organization,
        drops=drops,
        now=timezone.now(),
    )


def on_guardrail_breached(sender, *, organization, guardrails, **kwargs):
    _safely(
        "a guardrail breach", services.guardrail_breached, organization=organization, guardrails=guardrails
    )


RECEIVERS = [
    ("okrs.signals", "figures_evaluated", on_figures_evaluated),
    ("okrs.signals", "review_requested", on_review_requested),
    ("okrs.signals", "review_decided", on_review_decided),
    ("comments.signals", "mentioned", on_mentioned),
    ("kpis.signals", "kpi_statuses_evaluated", on_kpi_statuses_evaluated),
    ("kpis.signals", "quality_dropped", on_quality_dropped),
    ("kpis.signals", "guardrail_breached", on_guardrail_breached),
]


def connect() -> list[str]:
    """Connect every receiver whose signal exists in this installation; the names connected."""
    connected = []
    for module_name, signal_name, receiver in RECEIVERS:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        signal = getattr(module, signal_name, None)
        if signal is None:
            continue
        signal.connect(receiver, dispatch_uid=f"notifications.{signal_name}")
        connected.append(f"{module_name}.{signal_name}")
    return connected
