from .treatments import register

__all__ = ["register"]
