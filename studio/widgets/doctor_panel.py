"""`DoctorPanel`: the Doctor dock. One card per problem the training doctor named in the current run.

The doctor runs on the training thread (`TrainingWorker`); its new findings arrive inside the controller's ordered
updates and are kept in `controller.findings`, so a dock opened mid-run shows them all. A card gives the problem
in one sentence, the evidence (the numbers), and one row per cure: the cure itself (one undoable edit) and "Apply
and retrain" (the cure, then a new run from the same initial weights). Clicking a card highlights its marker on
the loss plot. A healthy run says so, with what was checked. Cards clear when a new run starts, the weights are
reset or replaced (Open, New), or the network is edited (other than by a cure from the dock, or its undo).

Cheap by design: per update the panel only counts the update's epochs, unless it carries findings (rare: each
problem is named once); cards are built only when findings arrive, and their cure rows only re-labelled when the
spec changes. The status line's running count of the epochs checked goes through a `RedrawThrottle`: at most once
a second, and never while the dock is hidden (it catches up when shown). Setting it at every update (20 a second)
re-laid out and repainted the word-wrapped label each time: about 23 ms of GUI-thread CPU per second of a fast
run (measured on the digits benchmark, the dock in front), a sixth of the whole window's.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QScrollArea, QSizePolicy, QVBoxLayout, QWidget

from core.spec import Spec, SpecError
from studio.plots.finding_text import CHECKED, TITLES, evidence_text
from studio.plots.redraw_throttle import RedrawThrottle
from studio.widgets.doctor_cures import (
    RETRAIN_RESHAPED_TIP, RETRAIN_TIP, apply_and_retrain, apply_cure, changes_shape, cured_spec, is_applied,
)

if TYPE_CHECKING:
    from core.diagnostics import Cure, Finding
    from studio.document import Document
    from studio.training.controller import TrainingController
    from studio.training.worker import WorkerUpdate

STATUS_PER_SECOND = 1.0  # refreshes of the status line's epoch count while a run goes
CARD_STYLE = ("QFrame#DoctorCard { border: 1px solid palette(mid); border-radius: 4px; }"
              "QFrame#DoctorCard[selected=\"true\"] { border: 2px solid #b0479e; }")


class WrappingButton(QPushButton):
    """A push button whose label wraps to the card's width: a cure's label is a short sentence, and the dock is
    often narrow. `label.text()` is what it says."""

    def __init__(self, text: str):
        super().__init__()
        self.label = QLabel(text)
        self.label.setWordWrap(True)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.label.setAttribute(Qt.WidgetAttribute.WA_TransparentForMouseEvents)
        self.setAccessibleName(text)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label)
        policy = QSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return self.layout().sizeHint()

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt's name
        return QSize(60, self.layout().minimumSize().height())

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt's name
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt's name
        return self.layout().heightForWidth(width)


class DoctorCard(QFrame):
    """One finding: title, sentence, evidence and its cures. Clicking the card selects it."""

    clicked = Signal(str)  # the problem

    def __init__(self, finding: Finding, panel: DoctorPanel):
        super().__init__()
        self.setObjectName("DoctorCard")
        self.setStyleSheet(CARD_STYLE)
        self.finding = finding
        self._panel = panel
        where = f" in {finding.layer}" if finding.layer else ""
        self.title = QLabel(f"<b>{TITLES[finding.problem]}</b>{where} · epoch {finding.epoch}")
        self.message = QLabel(finding.message)
        self.evidence = QLabel(evidence_text(finding.evidence))
        self.evidence.setStyleSheet("color: palette(placeholder-text);")
        for label in (self.title, self.message, self.evidence):
            label.setWordWrap(True)
            label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.cure_buttons: list[WrappingButton] = []
        self.retrain_buttons: list[QPushButton] = []
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(8, 6, 8, 6)
        self._layout.setSpacing(4)
        for label in (self.title, self.message, self.evidence):
            self._layout.addWidget(label)
        for cure in finding.cures:
            self._add_cure_row(cure)
        self.refresh(panel.document.spec)

    def _add_cure_row(self, cure: Cure) -> None:
        """[the cure] [Apply and retrain]."""
        row = QHBoxLayout()
        row.setContentsMargins(0, 0, 0, 0)
        apply = WrappingButton(cure.label)
        apply.clicked.connect(lambda _=False, c=cure: self._panel.apply(c))
        retrain = QPushButton("Apply and retrain")
        retrain.clicked.connect(lambda _=False, c=cure: self._panel.apply_and_retrain(c))
        row.addWidget(apply, 1)
        row.addWidget(retrain)
        self._layout.addLayout(row)
        self.cure_buttons.append(apply)
        self.retrain_buttons.append(retrain)

    def refresh(self, spec: Spec) -> None:
        """Mark the cures the spec already has ("✓", the button disabled: there is nothing left to apply; retraining
        stays possible) and say whether retraining can keep the run's initial weights."""
        for cure, apply, retrain in zip(self.finding.cures, self.cure_buttons, self.retrain_buttons):
            applied = is_applied(spec, cure)
            apply.setEnabled(not applied)
            apply.label.setText(f"✓ {cure.label}" if applied else cure.label)
            changes = ", ".join(f"{path} → {value}" for path, value in cure.changes.items())
            apply.setToolTip(f"Applied: {changes}" if applied else f"One undoable edit: {changes}")
            retrain.setToolTip(RETRAIN_RESHAPED_TIP if changes_shape(spec, cure.changes) else RETRAIN_TIP)

    def set_selected(self, selected: bool) -> None:
        self.setProperty("selected", "true" if selected else "false")
        self.style().unpolish(self)
        self.style().polish(self)

    def mousePressEvent(self, event: Any) -> None:  # noqa: N802 - Qt's name
        self.clicked.emit(self.finding.problem)
        super().mousePressEvent(event)


class DoctorPanel(QWidget):
    """The Doctor dock: the current run's findings as cards, with their cures."""

    def __init__(self, document: Document, controller: TrainingController, parent: QWidget | None = None):
        super().__init__(parent)
        self.setObjectName("DoctorPanel")
        self.document = document
        self.controller = controller
        self.cards: list[DoctorCard] = []
        self.selected: str | None = None
        self._epochs_seen = 0
        # The networks the cards still describe: the run's, and those the dock's own cures made (applying a cure,
        # or undoing it, keeps the cards; any other edit of the network clears them).
        self._networks = {_network_of(document.spec)}
        self.status = QLabel()
        self.status.setWordWrap(True)
        self.notice = QLabel()  # why the last cure was refused
        self.notice.setWordWrap(True)
        self.notice.setStyleSheet("color: #c0392b;")
        self.notice.hide()
        self._cards_box = QWidget()
        self._cards_layout = QVBoxLayout(self._cards_box)
        self._cards_layout.setContentsMargins(0, 0, 0, 0)
        self._cards_layout.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # cards wrap to the width
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setWidget(self._cards_box)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.status)
        layout.addWidget(self.notice)
        layout.addWidget(scroll, 1)
        # The running epoch count: at most once a second, only while shown (findings and states change it at once).
        self.throttle = RedrawThrottle(self, self._update_status, max_per_second=STATUS_PER_SECOND)
        controller.run_started.connect(self._on_run_started)
        controller.weights_reset.connect(self.clear)
        controller.updated.connect(self.add_update)
        controller.state_changed.connect(self._update_status)  # "so far" while it trains, "in this run" after
        document.spec_changed.connect(self._on_spec_changed)
        self._epochs_seen = len(controller.epoch_records)
        self._add_findings(controller.findings)  # opened mid-run or after one: what is known so far
        self._update_status()

    # -- feeding --------------------------------------------------------------------------------------------------
    def clear(self) -> None:
        for card in self.cards:
            self._cards_layout.removeWidget(card)
            card.deleteLater()
        self.cards, self.selected, self._epochs_seen = [], None, 0
        self.notice.hide()
        self._update_status()

    def _on_run_started(self) -> None:
        self._networks = {_network_of(self.document.spec)}
        self.clear()

    def add_update(self, update: WorkerUpdate) -> None:
        """A worker update: new findings become cards at once; new epochs only ask for the status line's count
        (throttled: see the module docstring)."""
        epochs = self._epochs_seen + sum(1 for s in update.epochs if s.kind == "epoch")
        if update.findings:
            self._epochs_seen = epochs
            self._add_findings(update.findings)
        elif epochs != self._epochs_seen:
            self._epochs_seen = epochs
            if not self.cards:  # with cards the line says how many problems: the epochs don't change it
                self.throttle.request()

    def _add_findings(self, findings: list[Finding]) -> None:
        known = {card.finding.problem for card in self.cards}
        for finding in findings:
            if finding.problem in known:
                continue
            card = DoctorCard(finding, self)
            card.clicked.connect(self.select)
            self._cards_layout.insertWidget(self._cards_layout.count() - 1, card)
            self.cards.append(card)
        self._update_status()

    def _update_status(self, *_args: Any) -> None:
        self.throttle.cancel()  # what a pending throttled refresh would show is shown now
        count = len(self.cards)
        if count:
            text = f"{count} problem{'s' if count > 1 else ''} found. Click a card to mark it on the loss plot."
        elif self._epochs_seen or self.controller.is_active:
            when = "so far" if self.controller.is_active else "in this run"
            text = (f"No problems found {when} ({self._epochs_seen} epoch{'' if self._epochs_seen == 1 else 's'} "
                    f"checked for {CHECKED}).")
        else:
            text = f"Train the network: the doctor watches the run for {CHECKED}, and suggests cures."
        if text != self.status.text():  # an unchanged text would still re-lay out the word-wrapped label
            self.status.setText(text)

    # -- the user's actions -----------------------------------------------------------------------------------------
    def select(self, problem: str) -> None:
        """Highlight this finding's card and, on the loss plot, its marker."""
        self.selected = problem
        for card in self.cards:
            card.set_selected(card.finding.problem == problem)
        self.controller.finding_selected.emit(problem)

    def apply(self, cure: Cure) -> None:
        try:  # the network the cure makes still has these problems' cards (until a new run)
            self._networks.add(_network_of(cured_spec(self.document.spec, cure.changes)))
        except SpecError:
            pass  # refused: `_try` says why
        self._try(lambda: apply_cure(self.document, cure))

    def apply_and_retrain(self, cure: Cure) -> None:
        self._try(lambda: apply_and_retrain(self.controller, cure))

    def _try(self, action: Any) -> None:
        try:
            action()
        except SpecError as error:  # e.g. a setting that can't change while training
            self.notice.setText(str(error))
            self.notice.show()
            return
        self.notice.hide()

    def _on_spec_changed(self) -> None:
        network = _network_of(self.document.spec)
        if network not in self._networks:  # the network was edited: its findings no longer describe it
            self._networks = {network}
            self.clear()
            return
        for card in self.cards:  # a cure applied is ticked on its card
            card.refresh(self.document.spec)


def _network_of(spec: Spec) -> tuple:
    """What 'the network was edited' compares: the input size and every layer's settings."""
    return spec.input_size, spec.layers
