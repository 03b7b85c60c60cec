"""Writes of comments: post, edit within 15 minutes, delete (soft), and hide or show (admins).

Every member of the organization, viewers included, may comment. Mentions are resolved against the
organization's active members; the people newly mentioned are told through comments.signals.mentioned.
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import selectors as account_selectors
from comments import selectors, signals, text
from comments.models import BODY_MAX_LENGTH, Comment
from common.exceptions import ApplicationError

EDIT_WINDOW = timedelta(minutes=15)


def _clean_body(body: str) -> str:
    body = (body or "").replace("\r\n", "\n").strip()
    if not body:
        raise ApplicationError(_("Write something first."), field="body")
    if len(body) > BODY_MAX_LENGTH:
        raise ApplicationError(
            _("Keep a comment under %(n)s characters.") % {"n": BODY_MAX_LENGTH}, field="body"
        )
    return body


def _ensure_member(user, organization_id: int) -> None:
    if account_selectors.membership_role(user=user, organization=organization_id) is None:
        raise ApplicationError(_("Only members of the organization can comment."))


def _mention(comment: Comment, *, previously: set[int]) -> None:
    """Resolve the body's mentions; tell the people mentioned for the first time (never the author)."""
    names = text.mention_names(comment.body)
    people = list(selectors.member_usernames(organization=comment.organization_id, names=names))
    comment.mentions.set(people)
    new = [person for person in people if person.pk not in previously and person.pk != comment.author_id]
    if new:
        signals.mentioned.send(sender=Comment, comment=comment, users=new)


@transaction.atomic
def comment_create(*, author, body: str, objective=None, key_result=None, kpi=None) -> Comment:
    """Post a comment on exactly one of: an objective, a key result (its objective's thread), a KPI."""
    if sum(target is not None for target in (objective, key_result, kpi)) != 1:
        raise ApplicationError(_("Comment on one objective, key result or KPI."))
    if key_result is not None:
        objective = key_result.objective
    organization_id = objective.cycle.organization_id if objective is not None else kpi.organization_id
    _ensure_member(author, organization_id)
    comment = Comment(
        organization_id=organization_id,
        objective=objective,
        key_result=key_result,
        kpi=kpi,
        author=author,
        body=_clean_body(body),
    )
    comment.full_clean()
    comment.save()
    _mention(comment, previously=set())
    return comment


def comment_editable_until(comment: Comment):
    return comment.created_at + EDIT_WINDOW


@transaction.atomic
def comment_update(*, comment: Comment, user, body: str) -> Comment:
    """The author changes a comment's text within 15 minutes of posting it."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != user.pk:
        raise ApplicationError(_("Only the author can edit a comment."))
    if comment.is_deleted or comment.is_hidden:
        raise ApplicationError(_("This comment was deleted or hidden; it can no longer be edited."))
    if timezone.now() > comment_editable_until(comment):
        raise ApplicationError(
            _("A comment can be edited for 15 minutes after it is posted; you may still delete it."),
            field="body",
        )
    new_body = _clean_body(body)
    if new_body == comment.body:
        return comment
    previously = set(comment.mentions.values_list("pk", flat=True))
    comment.body = new_body
    comment.edited_at = timezone.now()
    comment.full_clean()
    comment.save(update_fields=["body", "edited_at", "updated_at"])
    _mention(comment, previously=previously)
    return comment


@transaction.atomic
def comment_delete(*, comment: Comment, user) -> Comment:
    """The author deletes a comment, at any time: it stays in the thread as "deleted", without its text."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if comment.author_id != user.pk:
        raise ApplicationError(_("Only the author can delete a comment; an admin may hide it."))
    if comment.deleted_at is None:
        comment.deleted_at = timezone.now()
        comment.save(update_fields=["deleted_at", "updated_at"])
    return comment


@transaction.atomic
def comment_hide(*, comment: Comment, user, hidden: bool = True) -> Comment:
    """An organization admin hides a comment from everyone but admins, or shows it again."""
    comment = Comment.objects.select_for_update().get(pk=comment.pk)
    if not account_selectors.user_is_admin(user=user, organization=comment.organization_id):
        raise ApplicationError(_("Only an organization admin can hide or show a comment."))
    if hidden and comment.hidden_at is None:
        comment.hidden_at, comment.hidden_by = timezone.now(), user
    elif not hidden:
        comment.hidden_at, comment.hidden_by = None, None
    comment.save(update_fields=["hidden_at", "hidden_by", "updated_at"])
    return comment
