from .booking_link import register

__all__ = ["register"]
