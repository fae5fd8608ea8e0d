"""The product backlog: the staff's ranked view, exports, and two-way sync with issue trackers."""
