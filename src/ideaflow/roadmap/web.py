"""Roadmap: HTML pages and htmx fragments."""

from fastapi import APIRouter

router = APIRouter()
