"""Atom feeds: new ideas per board, an idea's public history, the roadmap and the changelog."""
