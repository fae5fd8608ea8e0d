"""ideaflow: self-hostable idea management and innovation voting."""

__version__ = "0.1.0"
