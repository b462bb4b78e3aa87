"""`backprop-studio --self-test`: prove an installation works end to end, then exit 0 (1 with the failing step).

Opens the main window offscreen, trains the default playground network for one epoch (Numba kernels and all),
stores the weights in the document, exports ONNX and the NumPy predict.py into a temporary folder and checks
the exported model predicts what the engine predicts. Used by the bundle test and by users after installing.
"""

from __future__ import annotations

import os
import sys
import tempfile
from typing import Sequence


def run_self_test(argv: Sequence[str] = ()) -> int:
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    step = "starting"
    try:
        step = "open the main window"
        from PySide6.QtCore import QCoreApplication
        from PySide6.QtWidgets import QApplication
        QCoreApplication.setOrganizationName("BackpropStudioSelfTest")
        app = QApplication.instance() or QApplication(["backprop-studio"])
        from studio.document import Document
        from studio.main_window import MainWindow
        document = Document()
        window = MainWindow(document)
        window.show()
        app.processEvents()
        window.panels.build_all()  # the docks behind a tab build theirs when first shown: build them all now
        # (a panel that fails to build, e.g. in a bundle that left out its module, raises: this step fails)
        _say(f"window opened ({window.width()}×{window.height()}) with all {len(window.docks)} panels")

        step = "train one epoch"
        import numpy as np

        from core.network import Network
        from core.spec import with_changes
        from core.training import Trainer
        spec = with_changes(document.spec, {"training.epochs": 1})
        prepared = document.prepared()
        network = Network.from_spec(spec)
        trainer = Trainer(network, prepared, report_every=0)
        for snapshot in trainer.run():
            last = snapshot
        if last.diverged or not np.isfinite(last.train_loss):
            raise RuntimeError(f"training diverged: {last.stop_reason}")
        document.set_weights(network.get_state(), trainer.history)
        _say(f"trained 1 epoch: loss {last.train_loss:.4f}")

        step = "export"
        from core.export import ExportModel, export_model
        model = ExportModel.from_network(network, prepared)
        with tempfile.TemporaryDirectory(prefix="bps-self-test-") as folder:
            for fmt, suffix in (("onnx", ".onnx"), ("numpy", ".npz"), ("safetensors", ".safetensors")):
                export_model(model, fmt, os.path.join(folder, f"model{suffix}"))
            import importlib.util
            spec_ = importlib.util.spec_from_file_location("self_test_predict", os.path.join(folder, "predict.py"))
            module = importlib.util.module_from_spec(spec_)
            spec_.loader.exec_module(module)
            x = np.array([[0.0, 0.0], [3.0, -2.0]], np.float32)
            expected = network.predict(prepared.preprocess(x))
            got = module.predict(x, module.load_model())
            if not np.allclose(got, expected, atol=1e-5):
                raise RuntimeError("the exported NumPy model disagrees with the engine")
        _say("exported ONNX, NumPy and safetensors; predictions match")
        window.hide()  # not close(): the window would ask whether to save the trained (dirty) document
        window.controller.shutdown()
        app.processEvents()
    except Exception as error:  # a self-test reports any failure as a failed step
        print(f"backprop-studio: self-test FAILED at '{step}': {type(error).__name__}: {error}", file=sys.stderr)
        return 1
    _say("self-test passed")
    return 0


def _say(text: str) -> None:
    print(f"self-test: {text}", flush=True)
