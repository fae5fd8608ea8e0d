"""Statuses: JSON API."""

from fastapi import APIRouter

router = APIRouter()
