"""trialfinder: find clinical trials by condition, a child's age, status and place."""

__version__ = "0.1.0"
