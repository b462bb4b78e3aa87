"""What an undo step swaps, and the face of the document the undo commands act on.

`DocumentState` is everything one edit can change; `EditableDocument` is the little the commands need from the
document (its current state, turning a new spec into a before/after pair, restoring a state). The commands are
typed to this Protocol, not to `studio.document.Document`, so the document may import its commands without the
two modules importing each other (the import-linter contract `no-cycles` holds with no exception).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from core.spec import Spec


class _Unchanged:
    def __repr__(self) -> str:
        return "UNCHANGED"


UNCHANGED: Any = _Unchanged()


@dataclass(frozen=True)
class DocumentState:
    """Everything an undo step can change. Immutable (the spec is an immutable Spec): edits build a new state."""

    spec: Spec
    data_config: dict[str, Any]
    dataset: Any  # core.data.Dataset | None, shared between states, never copied
    data_error: str | None
    weights: Any = UNCHANGED  # dict[str, np.ndarray] | None | UNCHANGED
    history: Any = UNCHANGED  # list[dict] | UNCHANGED

    def same_content(self, other: DocumentState) -> bool:
        return self.spec == other.spec and self.data_config == other.data_config


class EditableDocument(Protocol):
    """The document as its undo commands see it (`studio.document.Document` is the one implementation)."""

    @property
    def spec(self) -> Spec: ...

    @property
    def data_config(self) -> dict[str, Any]: ...

    @property
    def dataset(self) -> Any: ...

    @property
    def data_error(self) -> str | None: ...

    @property
    def weights(self) -> dict[str, Any] | None: ...

    @property
    def history(self) -> list[dict[str, Any]]: ...

    @property
    def is_training(self) -> bool: ...

    def _edit_states(self, spec: Spec, data: tuple[dict, Any, str | None] | None = None
                     ) -> tuple[DocumentState, DocumentState] | None: ...

    def _restore_state(self, state: DocumentState) -> None: ...
