"""Comment text: which @names a body mentions, and how a body is rendered (escaped, safe links)."""

import pytest

from comments.text import mention_names, render_body


@pytest.mark.parametrize(
    "body, names",
    [
        ("@ana can you look?", ["ana"]),
        ("Thanks @Ana, and @bruno.", ["ana", "bruno.", "bruno"]),
        ("ask @ana@example.com please", ["ana@example.com"]),
        ("mail ana@example.com", []),
        ("@ana @ana @ANA", ["ana"]),
        ("email me: x@y.z, or @", []),
        ("(@carla)", ["carla"]),
    ],
)
def test_mention_names(body, names):
    assert mention_names(body) == names


def test_a_script_renders_as_text():
    html = render_body('<script>alert("x")</script>', {})
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html


def test_a_url_becomes_a_safe_link():
    html = render_body("See https://example.com/q?a=1&b=2 now", {})
    assert (
        '<a href="https://example.com/q?a=1&amp;b=2" rel="nofollow noopener noreferrer" target="_blank">'
        "https://example.com/q?a=1&amp;b=2</a>"
    ) in html


@pytest.mark.parametrize(
    "body",
    [
        "javascript:alert(1)",
        '<a href="javascript:alert(1)">x</a>',
        'https://example.com/"onmouseover="alert(1)',
        "<img src=x onerror=alert(1)>",
    ],
)
def test_no_markup_or_script_link_gets_through(body):
    html = render_body(body, {})
    assert "<img" not in html
    assert 'href="javascript' not in html
    assert 'onmouseover="' not in html
    assert "<a " not in html or html.count("<a ") == html.count('rel="nofollow noopener noreferrer"')


def test_mentions_of_members_are_marked_and_others_stay_text():
    html = render_body("Hi @ana, ping @nobody\nbye", {"ana": "Ana <Admin>"})
    assert '<span class="mention" title="Ana &lt;Admin&gt;">@ana</span>,' in html
    assert "@nobody<br>bye" in html


def test_an_email_username_is_a_mention_not_a_mail_link():
    html = render_body("cc @ana@example.com", {"ana@example.com": "Ana"})
    assert '<span class="mention" title="Ana">@ana@example.com</span>' in html
    assert "mailto:" not in html
