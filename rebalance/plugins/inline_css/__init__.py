from .inline_css import register

__all__ = ["register"]
