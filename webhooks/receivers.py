"""Webhook events follow the OKR domain's signals (okrs.signals), inside the writes' transactions."""

from webhooks import events


def on_key_result_status_changed(sender, *, key_result, previous_status, organization_id, **kwargs):
    events.key_result_status_changed(
        key_result, previous_status=previous_status, organization_id=organization_id
    )


def on_objective_state_changed(sender, *, objective, previous_state, **kwargs):
    events.objective_state_changed(objective, previous_state=previous_state)


def on_check_in_created(sender, *, check_in, organization_id, **kwargs):
    events.check_in_created(check_in, organization_id=organization_id)


def connect() -> None:
    from okrs import signals

    signals.key_result_status_changed.connect(on_key_result_status_changed, dispatch_uid="webhooks.kr_status")
    signals.objective_state_changed.connect(
        on_objective_state_changed, dispatch_uid="webhooks.objective_state"
    )
    signals.check_in_created.connect(on_check_in_created, dispatch_uid="webhooks.check_in")
