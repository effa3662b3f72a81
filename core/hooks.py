"""How a lower layer causes an effect in a higher one without importing it (docs/architecture.md).

The layer contract (.importlinter) lets an app import only from the layers below it. When something in a
low layer must make something above it happen (a job that ends releases its part requests; an SLA breach
notifies people; intake offers the slots that dispatch computes), the low layer declares a ``Hook`` or a
``Provider`` in its own module, and the high layer registers into it from its ``hooks.py``, which
``core.apps.CoreConfig.ready`` imports for every installed app at start-up (as the admin finds
``admin.py``).

- ``Hook``: zero or more receivers, called in the order they registered, synchronously and inside the
  caller's transaction, with keyword arguments only; a receiver's exception propagates to the caller, so
  an effect that must not be lost is never swallowed. For effects that may happen later, the receiver
  enqueues a task (``transaction.on_commit``) itself.
- ``Provider``: exactly one implementation of a function the low layer needs (``offer_slots``, say);
  calling it before anything registered raises ``ImproperlyConfigured`` naming the hook, not an
  ``AttributeError`` deep inside.

Model signals (``post_save``) never drive business effects; they stay for forgetting per-process copies.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.core.exceptions import ImproperlyConfigured

F = TypeVar("F", bound=Callable[..., Any])


class Hook:
    """A named point that receivers registered by higher layers are called at: ``hook.send(order=...)``."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._receivers: list[Callable[..., Any]] = []

    def __repr__(self) -> str:
        return f"<Hook {self.name} ({len(self._receivers)} receivers)>"

    def connect(self, receiver: F) -> F:
        """Register ``receiver`` (usable as a decorator); registering the same function twice is a no-op."""
        if receiver not in self._receivers:
            self._receivers.append(receiver)
        return receiver

    def disconnect(self, receiver: Callable[..., Any]) -> None:
        if receiver in self._receivers:
            self._receivers.remove(receiver)

    @property
    def receivers(self) -> tuple[Callable[..., Any], ...]:
        return tuple(self._receivers)

    def send(self, **kwargs: Any) -> list[Any]:
        """Call every receiver with ``kwargs``, in registration order; return their results in that order."""
        return [receiver(**kwargs) for receiver in self._receivers]


class Provider(Generic[F]):
    """The one implementation of ``name`` that a higher layer supplies: ``provider.register(fn)``, then call."""

    def __init__(self, name: str) -> None:
        self.name = name
        self._implementation: F | None = None

    def __repr__(self) -> str:
        state = "registered" if self._implementation is not None else "not registered"
        return f"<Provider {self.name} ({state})>"

    def register(self, implementation: F) -> F:
        """Supply the implementation (usable as a decorator). A second, different one is a start-up error."""
        if self._implementation is not None and self._implementation is not implementation:
            raise ImproperlyConfigured(
                f"{self.name} is provided twice: {self._implementation.__module__} and {implementation.__module__}")
        self._implementation = implementation
        return implementation

    @property
    def registered(self) -> bool:
        return self._implementation is not None

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        if self._implementation is None:
            raise ImproperlyConfigured(
                f"Nothing provides {self.name}: the app that implements it is not installed, or its hooks.py "
                "did not register it.")
        return self._implementation(*args, **kwargs)
