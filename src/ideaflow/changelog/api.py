"""Changelog: JSON API."""

from fastapi import APIRouter

router = APIRouter()
