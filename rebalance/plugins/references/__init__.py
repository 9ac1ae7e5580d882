from .references import register

__all__ = ["register"]
