"""The optimiser's own error: plain Python, so the package stays free of Django.

The product side maps `InvalidProblem` to its domain error (code + HTTP status) once.
"""

from __future__ import annotations


class InvalidProblem(ValueError):
    """The problem cannot be solved as given (a caller's mistake, not an unlucky day)."""

    def __init__(self, code: str, message: str, **detail: object) -> None:
        self.code = code
        self.message = message
        self.detail = detail
        super().__init__(f"{code}: {message}")
