"""The architecture's hard rules, checked by import-linter (pyproject.toml, [tool.importlinter]): `core` never
imports Qt, pyqtgraph or `studio`; core and the studio are layered; nothing in core imports `core.cli`; no two
packages or modules import each other."""

import shutil
import subprocess
import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10: import-linter brings tomli there
    import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
LINT = "from importlinter.cli import lint_imports_command; lint_imports_command()"


def contracts() -> dict[str, dict]:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return {contract["id"]: contract for contract in config["tool"]["importlinter"]["contracts"]}


def lint(root: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", LINT, *arguments], cwd=root, capture_output=True, text=True,
                          env={"PATH": "", "PYTHONPATH": str(root)})


def layer_of(layers: list[str], module: str) -> int:
    """The layer holding `module`, counted from the top (0)."""
    return next(i for i, layer in enumerate(layers) if module in layer.replace(":", "|").split(" | "))


def test_import_linter_contracts_hold():
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{len(contracts())} kept, 0 broken" in result.stdout


def test_the_contracts_say_what_the_architecture_says():
    found = contracts()
    assert {"core-without-qt", "core-layers", "cli-on-top", "studio-layers", "no-cycles"} <= set(found)
    core = found["core-layers"]["layers"]
    assert found["core-layers"]["exhaustive"] is True  # every module of core has its place
    order = [layer_of(core, name) for name in ("cli", "export", "training", "network", "kernels")]
    assert order == sorted(order) and len(set(order)) == 5, core
    assert layer_of(core, "warmup") < layer_of(core, "training")  # the warm-up lives above what it warms
    assert layer_of(core, "spec") > layer_of(core, "network")  # a network is built from a spec
    assert layer_of(core, "data") == layer_of(core, "kernels")  # data stands beside the stack, needing none of it
    studio = found["studio-layers"]["layers"]
    assert layer_of(studio, "plots") < layer_of(studio, "training")  # a plot shows a run; a run knows no plot
    assert found["cli-on-top"]["protected_modules"] == ["core.cli"]
    assert set(found["no-cycles"]["ancestors"]) == {"core", "studio"}


def test_a_planted_violation_of_each_contract_is_caught(tmp_path):
    for package in ("core", "studio"):
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    assert lint(tmp_path, "--no-cache").returncode == 0
    plants = {
        "core/kernels/planted.py": "import core.training\n",  # a kernel driving the engine: layers and a cycle
        "core/spec/planted.py": "from core.cli import main\n",  # core reaching up to its command line
        "core/data/planted.py": "import PySide6\n",  # core reaching for Qt
        "studio/training/planted.py": "import studio.plots\n",  # the run knowing its plots
    }
    for path, source in plants.items():
        (tmp_path / path).write_text(source, encoding="utf-8")
    result = lint(tmp_path, "--no-cache")
    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{len(contracts())} broken" in result.stdout, result.stdout
    for importer, imported in [("core.kernels.planted", "core.training"), ("core.spec.planted", "core.cli"),
                               ("core.data.planted", "PySide6"), ("studio.training.planted", "studio.plots")]:
        assert f"{importer} -> {imported}" in result.stdout, result.stdout


def test_importing_core_loads_no_qt():
    code = "import sys, core; print(any(m.startswith(('PySide6', 'pyqtgraph', 'studio')) for m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
