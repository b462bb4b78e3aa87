"""`backprop-studio export PROJECT --format onnx|npz|numpy|safetensors|torch`: export a trained project."""

from __future__ import annotations

import argparse
import re
import textwrap
from pathlib import Path

from core.cli.errors import CliError
from core.cli.project_session import open_project, user_errors


def add_parser(commands: argparse._SubParsersAction) -> None:
    from core.export import FORMATS
    formats = "\n".join(textwrap.fill(f.help, 100, initial_indent=f"  {f.name:<13}", subsequent_indent=" " * 15)
                        for f in FORMATS.values())
    parser = commands.add_parser(
        "export", help="export a trained project's network (ONNX, NumPy, safetensors, PyTorch)",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Export the trained network of PROJECT, with its whole preprocessing (raw CSV columns: "
                    "one-hot categories and gap fills; feature transform; scaling) "
                    f"and class names.\n\nformats:\n{formats}")
    parser.add_argument("project", help="a trained project file (.bps), or an example name")
    parser.add_argument("-f", "--format", required=True, choices=sorted(FORMATS), help="the export format")
    parser.add_argument("-o", "--output", help="the main file to write (default: in the current folder, "
                                               "named after the project, e.g. iris.onnx); companion files go "
                                               "beside it")
    parser.add_argument("--allow-untrained", action="store_true",
                        help="export even when the project has no trained weights (its initial weights)")
    parser.set_defaults(run=run)


def default_output(project_path: Path, fmt: str) -> Path:
    from core.export import FORMATS
    stem = re.sub(r"\W", "_", project_path.stem) or "model"
    if fmt == "torch":
        return Path(f"{stem}_model.py")
    if fmt == "torch-train":  # train.py takes model.py and its data files beside it: a folder of its own
        return Path(f"{stem}_torch_train") / "train.py"
    return Path(f"{stem}{FORMATS[fmt].suffix}")


def run(args: argparse.Namespace) -> int:
    from core.export import export_model, export_model_from_parts
    session = open_project(args.project)
    # torch-train's train.py starts from the initial weights: it needs no trained ones
    if not session.trained and not args.allow_untrained and args.format != "torch-train":
        raise CliError(f"{session.path.name} has no trained weights; train it first (backprop-studio train "
                       f"{args.project}) or pass --allow-untrained to export its initial weights")
    output = Path(args.output) if args.output else default_output(session.path, args.format)
    prepared = session.prepared()
    with user_errors(f"{session.path.name}: "):
        model = export_model_from_parts(session.spec, session.project.data_config, session.project.weights,
                                        prepared)
    with user_errors():
        if args.format == "torch-train" and not args.output:
            output.parent.mkdir(exist_ok=True)
        written = export_model(model, args.format, output)
    for path in written:
        print(path)
    return 0
