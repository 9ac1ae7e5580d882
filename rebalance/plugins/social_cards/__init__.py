from .social_cards import register

__all__ = ["register"]
