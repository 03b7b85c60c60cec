"""Comment text, pure: finding @mentions, and rendering a body as escaped HTML with safe links.

A mention is "@" followed by a username (letters, digits and . @ + - _, as Django allows), not preceded
by a word character, so "ana@example.com" in a sentence is an address rather than a mention, while
"@ana@example.com" mentions the member whose username is that address. Trailing punctuation ("@ana,")
is not part of the name.
"""

import re

from django.utils.html import Urlizer, escape
from django.utils.safestring import SafeString, mark_safe

MENTION = re.compile(r"(?<![\w@.+-])@([\w.@+-]+)")
TRAILING = ".@+-"


def mention_names(body: str) -> list[str]:
    """The usernames a text may mention, lower-cased, in order of appearance, without repeats.

    Each mention gives its token and, when it ends in punctuation, the token without it; the caller
    keeps those that are members' usernames.
    """
    names: list[str] = []
    for match in MENTION.finditer(body or ""):
        token = match.group(1).lower()
        for name in (token, token.rstrip(TRAILING)):
            if name and name not in names:
                names.append(name)
    return names


class _SafeLinks(Urlizer):
    """Django's urlize, with links that open apart from the page and tell the target nothing."""

    url_template = '<a href="{href}" rel="nofollow noopener noreferrer" target="_blank"{attrs}>{url}</a>'


_urlize = _SafeLinks()


def _text(segment: str) -> str:
    # autoescape=True escapes everything that is not a link, and the link text too.
    return _urlize(segment, trim_url_limit=60, nofollow=False, autoescape=True).replace("\n", "<br>")


def render_body(body: str, mentions: dict[str, str]) -> SafeString:
    """The body as HTML: escaped text, links made safe, line breaks kept, and @mentions marked.

    `mentions` maps the lower-cased usernames the comment mentions to the person's name; any other
    "@word" stays plain text.
    """
    parts, position = [], 0
    body = (body or "").replace("\r\n", "\n")
    for match in MENTION.finditer(body):
        token = match.group(1)
        name = token if token.lower() in mentions else token.rstrip(TRAILING)
        if name.lower() not in mentions:
            continue
        parts.append(_text(body[position : match.start()]))
        parts.append(f'<span class="mention" title="{escape(mentions[name.lower()])}">@{escape(name)}</span>')
        position = match.start() + 1 + len(name)
    parts.append(_text(body[position:]))
    return mark_safe("".join(parts))  # every part above is escaped
