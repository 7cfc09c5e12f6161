"""Domain errors: each carries a message a person can act on.

Views turn them into GOV.UK error summaries; the API turns them into RFC 9457 problem details.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base for errors that explain themselves to the person who caused them."""

    status = 400
    title = "The request cannot be carried out"

    def __init__(self, message: str, *, field_errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field_errors = field_errors or {}


class InvalidInput(DomainError):
    status = 422
    title = "Some of the information given is not valid"


class NotPermitted(DomainError):
    status = 403
    title = "You are not permitted to do this"


class NotFound(DomainError):
    status = 404
    title = "Not found"
