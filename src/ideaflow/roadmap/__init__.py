"""The public roadmap: ideas by status category, with the boards and statuses staff choose to show."""
