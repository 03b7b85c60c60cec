"""Signals of the OKR domain, for cross-cutting reactions (notifications, history) above okrs."""

from django.dispatch import Signal

# Sent by every refresh of a cycle's figures (a write or the periodic safety net), inside its
# transaction, with `cycle`, `objectives` (each with its key results prefetched, figures as stored) and
# `now`. Receivers that send anything must do so after the commit (transaction.on_commit).
figures_evaluated = Signal()

# Stakeholder review (okrs.services.reviews), sent inside the transaction of the write; receivers that
# deliver anything do so after the commit (transaction.on_commit).
# `objective` was submitted for review (by hand, or sent back because its key results changed after
# approval); `reviewers` are the users asked to decide (active members, required or optional).
review_requested = Signal()
# A reviewer decided: `decision` is the ReviewDecision (its reviewer, decision, comment and version);
# `objective` is in the state that decision left it in (active once all approved, draft after changes
# were requested).
review_decided = Signal()

# Events for integrations (webhooks), sent inside the write's transaction; receivers that deliver
# anything record it there (an outbox row) and send it after the commit.
# A key result's status moved: `key_result`, `previous_status`, `organization_id`.
key_result_status_changed = Signal()
# An objective's state moved: `objective` (its new state set), `previous_state`.
objective_state_changed = Signal()
# A check-in was recorded: `check_in`, `organization_id`.
check_in_created = Signal()
