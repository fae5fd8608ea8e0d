"""Atom 1.0 documents (RFC 4287) built with ElementTree, so every text is escaped by the XML writer: stable
tag: URIs for ids, RFC 3339 UTC timestamps, absolute links, and HTML content carried as escaped text."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

ATOM_NS = "http://www.w3.org/2005/Atom"
CONTENT_TYPE = "application/atom+xml; charset=utf-8"
# Characters XML 1.0 does not allow at all (user text may carry them); they are dropped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")

ET.register_namespace("", ATOM_NS)


def _q(name: str) -> str:
    return f"{{{ATOM_NS}}}{name}"


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def clean(text: str) -> str:
    return _INVALID_XML.sub("", text or "")


def tag_uri(base_url: str, minted: date, specific: str) -> str:
    """A tag: URI (RFC 4151): the site's host, the date the named thing's workspace was created, and a path,
    so an entry keeps its id even when titles or addresses around it change."""
    host = urlsplit(base_url).hostname or "localhost"
    return f"tag:{host},{minted.isoformat()}:{specific}"


@dataclass
class Entry:
    id: str
    title: str
    link: str
    updated: datetime
    published: datetime | None = None
    content_html: str = ""
    author: str | None = None
    categories: list[str] = field(default_factory=list)


@dataclass
class Feed:
    id: str
    title: str
    subtitle: str
    self_url: str
    page_url: str
    author: str
    updated: datetime
    entries: list[Entry]


def _text(parent: ET.Element, name: str, value: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, _q(name), attrs)
    element.text = clean(value)
    return element


def render(feed: Feed) -> bytes:
    root = ET.Element(_q("feed"))
    _text(root, "id", feed.id)
    _text(root, "title", feed.title)
    if feed.subtitle:
        _text(root, "subtitle", feed.subtitle)
    _text(root, "updated", rfc3339(feed.updated))
    ET.SubElement(root, _q("link"), {"rel": "self", "type": "application/atom+xml", "href": feed.self_url})
    ET.SubElement(root, _q("link"), {"rel": "alternate", "type": "text/html", "href": feed.page_url})
    author = ET.SubElement(root, _q("author"))
    _text(author, "name", feed.author)
    _text(root, "generator", "ideaflow")
    for item in feed.entries:
        entry = ET.SubElement(root, _q("entry"))
        _text(entry, "id", item.id)
        _text(entry, "title", item.title, type="text")
        _text(entry, "updated", rfc3339(item.updated))
        if item.published is not None:
            _text(entry, "published", rfc3339(item.published))
        ET.SubElement(entry, _q("link"), {"rel": "alternate", "type": "text/html", "href": item.link})
        if item.author:
            entry_author = ET.SubElement(entry, _q("author"))
            _text(entry_author, "name", item.author)
        for term in item.categories:
            ET.SubElement(entry, _q("category"), {"term": clean(term)})
        if item.content_html:
            _text(entry, "content", item.content_html, type="html")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
