"""Markdown is rendered with raw HTML off and sanitised: what people write shows, nothing runs."""

from __future__ import annotations

from ideaflow.kit.markdown import render


def test_formatting_links_and_lists_render():
    html = render("**Bold** and [docs](https://example.com/docs)\n\n- one\n- two")
    assert "<strong>Bold</strong>" in html
    assert '<a href="https://example.com/docs" rel="nofollow noopener noreferrer ugc">docs</a>' in html
    assert "<li>one</li>" in html


def test_raw_html_is_shown_as_text_not_run():
    html = render('<script>alert(1)</script><img src=x onerror="alert(2)"><b style="x" hx-get="/a">b</b>')
    assert "<script" not in html and "<img" not in html and "<b " not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_do_not_become_links():
    for source in (
        "[x](javascript:alert(1))",
        "[x](JAVASCRIPT:alert(1))",
        "[x](  javascript:alert(1))",
        "<javascript:alert(1)>",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ):
        assert "href=" not in render(source), source
