"""A small converter from ideaflow's Markdown (what people type, plus the summary we write) to Atlassian
Document Format, which Jira Cloud requires for descriptions: paragraphs, headings, bullet and ordered lists,
block quotes, fenced code, rules, and inline strong / em / code / links (bare URLs become links too)."""

from __future__ import annotations

import re
from typing import Any

Node = dict[str, Any]

_INLINE = re.compile(
    r"\[(?P<label>[^\]\n]+)\]\((?P<href>https?://[^)\s]+)\)"
    r"|(?P<url>https?://[^\s<>()]+[^\s<>().,;:!?'\"])"
    r"|\*\*(?P<strong>[^*\n]+)\*\*"
    r"|`(?P<code>[^`\n]+)`"
    r"|(?<![\w*])\*(?P<em>[^*\n]+)\*(?![\w*])"
    r"|(?<!\w)_(?P<em2>[^_\n]+)_(?!\w)"
)
_BULLET = re.compile(r"^\s*[-*+]\s+(.*)$")
_ORDERED = re.compile(r"^\s*(\d{1,9})[.)]\s+(.*)$")
_HEADING = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_RULE = re.compile(r"^\s*(?:-{3,}|\*{3,}|_{3,})\s*$")
_COMMENT = re.compile(r"<!--.*?-->", re.DOTALL)


def _text(text: str, marks: list[Node] | None = None) -> Node:
    node: Node = {"type": "text", "text": text}
    if marks:
        node["marks"] = marks
    return node


def _marked(nodes: list[Node], mark: Node) -> list[Node]:
    """Strong or em around inner nodes (which may carry a link or the other emphasis); never on code."""
    for node in nodes:
        marks = node.setdefault("marks", [])
        if not any(m["type"] == "code" for m in marks):
            marks.insert(0, mark)
    return nodes


def inline(text: str) -> list[Node]:
    """Inline Markdown to ADF text nodes with marks; empty text yields no nodes (ADF text needs length >= 1)."""
    nodes: list[Node] = []
    pos = 0
    for match in _INLINE.finditer(text):
        if match.start() > pos:
            nodes.append(_text(text[pos : match.start()]))
        if match.group("label"):
            nodes.append(_text(match.group("label"), [{"type": "link", "attrs": {"href": match.group("href")}}]))
        elif match.group("url"):
            url = match.group("url")
            nodes.append(_text(url, [{"type": "link", "attrs": {"href": url}}]))
        elif match.group("strong"):
            nodes.extend(_marked(inline(match.group("strong")), {"type": "strong"}))
        elif match.group("code"):
            nodes.append(_text(match.group("code"), [{"type": "code"}]))
        else:
            nodes.extend(_marked(inline(match.group("em") or match.group("em2")), {"type": "em"}))
        pos = match.end()
    if pos < len(text):
        nodes.append(_text(text[pos:]))
    return [n for n in nodes if n["text"]]


def _paragraph(text: str) -> Node:
    content = inline(text)
    return {"type": "paragraph", "content": content} if content else {"type": "paragraph"}


def _list_item(text: str) -> Node:
    return {"type": "listItem", "content": [_paragraph(text)]}


def to_adf(markdown: str) -> Node:
    """A whole document: `{"type": "doc", "version": 1, "content": [...]}`."""
    lines = _COMMENT.sub("", markdown.replace("\r\n", "\n")).split("\n")
    blocks: list[Node] = []
    paragraph: list[str] = []
    i = 0

    def flush() -> None:
        if paragraph:
            blocks.append(_paragraph(" ".join(line.strip() for line in paragraph)))
            paragraph.clear()

    while i < len(lines):
        line = lines[i]
        if not line.strip():
            flush()
            i += 1
        elif line.lstrip().startswith("```"):
            flush()
            language = line.strip()[3:].strip()
            code: list[str] = []
            i += 1
            while i < len(lines) and not lines[i].lstrip().startswith("```"):
                code.append(lines[i])
                i += 1
            i += 1
            node: Node = {"type": "codeBlock"}
            if language:
                node["attrs"] = {"language": language[:40]}
            if "\n".join(code):
                node["content"] = [_text("\n".join(code))]
            blocks.append(node)
        elif _RULE.match(line):
            flush()
            blocks.append({"type": "rule"})
            i += 1
        elif heading := _HEADING.match(line):
            flush()
            content = inline(heading.group(2))
            node = {"type": "heading", "attrs": {"level": len(heading.group(1))}}
            if content:
                node["content"] = content
            blocks.append(node)
            i += 1
        elif _BULLET.match(line) or _ORDERED.match(line):
            flush()
            ordered = bool(_ORDERED.match(line)) and not _BULLET.match(line)
            pattern = _ORDERED if ordered else _BULLET
            items: list[Node] = []
            start = int(_ORDERED.match(line).group(1)) if ordered else 1
            while i < len(lines) and (found := pattern.match(lines[i])):
                items.append(_list_item(found.group(found.lastindex or 1)))
                i += 1
            node = {"type": "orderedList" if ordered else "bulletList", "content": items}
            if ordered:
                node["attrs"] = {"order": start}
            blocks.append(node)
        elif line.lstrip().startswith(">"):
            flush()
            quoted: list[str] = []
            while i < len(lines) and lines[i].lstrip().startswith(">"):
                quoted.append(lines[i].lstrip()[1:].strip())
                i += 1
            inner = [_paragraph(" ".join(quoted))]
            blocks.append({"type": "blockquote", "content": inner})
        else:
            paragraph.append(line)
            i += 1
    flush()
    return {"type": "doc", "version": 1, "content": blocks}
