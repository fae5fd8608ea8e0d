"""Outbox: the admins' page of dead-lettered events."""

from fastapi import APIRouter

router = APIRouter()
