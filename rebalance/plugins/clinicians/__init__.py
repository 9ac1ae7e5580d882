from .clinicians import register

__all__ = ["register"]
