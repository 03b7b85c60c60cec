from django import template

from comments import text

register = template.Library()


@register.simple_tag
def comment_body(comment):
    """A comment's text as safe HTML: escaped, links made safe, mentions marked (no query: the mentions
    come prefetched by comments.selectors.comment_list)."""
    mentioned = {
        user.username.lower(): user.get_full_name() or user.username for user in comment.mentions.all()
    }
    return text.render_body(comment.body, mentioned)
