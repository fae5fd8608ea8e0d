"""The Markdown to Atlassian Document Format converter: every document it builds satisfies Atlassian's ADF schema,
and the structure people wrote (paragraphs, lists, headings, links, emphasis, code) survives."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ideaflow.backlog.adf import inline, to_adf
from tests.backlog.official import adf_errors


def test_paragraphs_lists_headings_and_code_become_adf_nodes():
    doc = to_adf(
        "## Why\nTeams **need** this, see [the spec](https://example.com/spec).\n\n"
        "- one\n- two\n\n3. third\n4. fourth\n\n> a quote\n\n```sql\nselect 1;\n```\n\n---\nend <!-- marker -->"
    )
    assert adf_errors(doc) == []
    types = [node["type"] for node in doc["content"]]
    assert types == [
        "heading",
        "paragraph",
        "bulletList",
        "orderedList",
        "blockquote",
        "codeBlock",
        "rule",
        "paragraph",
    ]
    assert doc["content"][0]["attrs"] == {"level": 2}
    paragraph = doc["content"][1]["content"]
    assert {"type": "text", "text": "need", "marks": [{"type": "strong"}]} in paragraph
    assert {
        "type": "text",
        "text": "the spec",
        "marks": [{"type": "link", "attrs": {"href": "https://example.com/spec"}}],
    } in paragraph
    assert doc["content"][3]["attrs"] == {"order": 3}
    assert doc["content"][5] == {
        "type": "codeBlock",
        "attrs": {"language": "sql"},
        "content": [{"type": "text", "text": "select 1;"}],
    }
    assert "marker" not in str(doc)


def test_bold_links_keep_both_marks_and_bare_urls_become_links():
    nodes = inline("**[Idea #4](https://ideas.example/acme/ideas/4)** and https://example.com/a.")
    assert nodes[0]["marks"] == [
        {"type": "strong"},
        {"type": "link", "attrs": {"href": "https://ideas.example/acme/ideas/4"}},
    ]
    assert nodes[-2] == {
        "type": "text",
        "text": "https://example.com/a",
        "marks": [{"type": "link", "attrs": {"href": "https://example.com/a"}}],
    }
    assert nodes[-1]["text"] == "."


def test_empty_text_is_an_empty_document():
    assert to_adf("") == {"type": "doc", "version": 1, "content": []}
    assert adf_errors(to_adf("\n\n  \n")) == []


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab *_`#->[]()\n1.:/ https")), max_size=200))
def test_any_text_converts_to_a_valid_adf_document(text):
    assert adf_errors(to_adf(text)) == []
