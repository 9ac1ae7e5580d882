from .headings import HeadingAnchors, register

__all__ = ["HeadingAnchors", "register"]
