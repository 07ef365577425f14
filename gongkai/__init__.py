"""Gongkai (公开): a platform for government-affairs openness work."""

__version__ = "0.1.0"
