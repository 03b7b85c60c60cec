"""Mail that Rumbo sends: every message has a plain-text and an HTML part, in the recipient's language.

A message `name` has three templates under templates/emails/: `<name>_subject.txt`, `<name>.txt` and
`<name>.html`. Links in mail are absolute, built on settings.SITE_URL (mail is also sent where there is
no request, such as `manage.py create_organization`).
"""

import logging

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import Invitation, Membership, Profile

logger = logging.getLogger(__name__)

INVITATION_SALT = "accounts.invitation"


def absolute_url(path: str) -> str:
    return settings.SITE_URL + path


def language_for_user(user, organization=None) -> str:
    """A person's language: their own preference, else the organization the mail is about (or the one
    they work in: their oldest active membership's)."""
    preference = Profile.objects.filter(user=user).values_list("language", flat=True).first()
    if preference:
        return preference
    if organization is None:
        membership = (
            Membership.objects.filter(user=user, active=True)
            .select_related("organization")
            .order_by("created_at", "pk")
            .first()
        )
        organization = membership.organization if membership else None
    return organization.language if organization else settings.LANGUAGE_CODE


def render_message(name: str, context: dict, *, to: str, language: str) -> EmailMultiAlternatives:
    """The message `name`, rendered in `language`, with its plain-text body and its HTML alternative."""
    context = {**context, "site_url": settings.SITE_URL}
    with translation.override(language):
        subject = " ".join(render_to_string(f"emails/{name}_subject.txt", context).split())
        text = render_to_string(f"emails/{name}.txt", context)
        html = render_to_string(f"emails/{name}.html", {**context, "language": language})
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
    message.attach_alternative(html, "text/html")
    return message


def send(name: str, context: dict, *, to: str, language: str) -> bool:
    """Send one message; a mail server that refuses or does not answer is logged, and False returned."""
    message = render_message(name, context, to=to, language=language)
    try:
        message.send()
    except Exception:
        # The write that asked for this mail has already been committed; an admin can send it again.
        logger.exception("Could not send the %s mail to %s", name, to)
        return False
    return True


def invitation_token(invitation: Invitation) -> str:
    return signing.dumps([invitation.pk, invitation.key], salt=INVITATION_SALT)


def invitation_token_read(token: str) -> tuple[int, str] | None:
    """The invitation id and key a link carries, or None when the link was not signed by this server."""
    try:
        pk, key = signing.loads(token, salt=INVITATION_SALT)
    except (signing.BadSignature, TypeError, ValueError):
        return None
    if not isinstance(pk, int) or not isinstance(key, str):
        return None
    return pk, key


def invitation_url(invitation: Invitation) -> str:
    return absolute_url(reverse("accounts:invitation-accept", args=[invitation_token(invitation)]))


def invitation_send(invitation: Invitation) -> bool:
    """The invitation mail, in the organization's language, with the link to accept it."""
    context = {
        "invitation": invitation,
        "organization": invitation.organization,
        "inviter": invitation.invited_by,
        "url": invitation_url(invitation),
    }
    return send("invitation", context, to=invitation.email, language=invitation.organization.language)


def password_set_url(user) -> str:
    """A one-time link where `user` chooses a password (valid for settings.PASSWORD_RESET_TIMEOUT)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return absolute_url(reverse("accounts:password-set", args=[uid, token]))


def welcome_send(*, user, organization, url: str) -> bool:
    """The first admin's welcome to a new organization, with the link to choose a password."""
    context = {"user": user, "organization": organization, "url": url}
    return send("welcome", context, to=user.email, language=organization.language)
