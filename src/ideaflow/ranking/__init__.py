"""Ranking: scoring functions (top, trending, confidence, demand, priority) and pairwise voting."""
