"""`--install-desktop-entry` / `--uninstall-desktop-entry`: the XDG menu entry and icons, in a temp data home."""

from __future__ import annotations

import configparser
import struct
import sys
from pathlib import Path

import pytest

from studio import desktop_entry
from studio.cli_entry import dispatch

pytestmark = pytest.mark.skipif(sys.platform in ("win32", "darwin"), reason="XDG desktop entries are Linux-only")

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture()
def data_home(tmp_path, monkeypatch) -> Path:
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    monkeypatch.setattr(desktop_entry, "_refresh", lambda *paths: None)  # leave the real desktop alone
    return home


def read_entry(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive
    parser.read_string(path.read_text(encoding="utf-8"))
    return parser["Desktop Entry"]


def png_size(path: Path) -> tuple[int, int]:
    header = path.read_bytes()[:24]
    assert header[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", header[16:24])


def test_the_shipped_entry_is_a_valid_application_entry():
    entry = read_entry(REPO / "resources" / "backprop-studio.desktop")
    assert entry["Type"] == "Application" and entry["Name"] == "Backprop Studio"
    assert entry["Icon"] == "backprop-studio" and entry["Exec"].startswith("backprop-studio")
    assert entry["Categories"].endswith(";") and "Education" in entry["Categories"]


@pytest.mark.parametrize("size", desktop_entry.ICON_SIZES)
def test_icons_exist_at_every_size(size):
    assert png_size(REPO / "resources" / "icons" / f"backprop-studio-{size}.png") == (size, size)


def test_svg_icon_is_an_svg():
    text = (REPO / "resources" / "icons" / "backprop-studio.svg").read_text(encoding="utf-8")
    assert text.startswith("<svg") and 'viewBox="0 0 256 256"' in text and text.rstrip().endswith("</svg>")


def test_install_writes_entry_and_icons_into_the_data_home(data_home, capsys):
    assert dispatch(["--install-desktop-entry"]) == 0
    entry_path = data_home / "applications" / "backprop-studio.desktop"
    entry = read_entry(entry_path)
    assert entry["Name"] == "Backprop Studio" and entry["Icon"] == "backprop-studio"
    assert entry["Exec"].endswith(" %f")
    assert "Installed the menu entry" in capsys.readouterr().out
    for size in desktop_entry.ICON_SIZES:
        assert png_size(data_home / "icons" / "hicolor" / f"{size}x{size}" / "apps" / "backprop-studio.png") == \
            (size, size)
    assert (data_home / "icons" / "hicolor" / "scalable" / "apps" / "backprop-studio.svg").is_file()


def test_exec_points_at_this_installation_quoted_as_the_spec_says(tmp_path):
    entry = read_entry_from_text(desktop_entry.entry_text(["/opt/my apps/backprop-studio"]), tmp_path)
    assert entry["Exec"] == '"/opt/my apps/backprop-studio" %f'
    assert entry["TryExec"] == "/opt/my apps/backprop-studio"
    entry = read_entry_from_text(desktop_entry.entry_text(["/usr/bin/python3", "-m", "studio"]), tmp_path)
    assert entry["Exec"] == "/usr/bin/python3 -m studio %f"
    assert desktop_entry._quote_exec_argument('a"$b') == '"a\\"\\$b"'


def read_entry_from_text(text: str, folder: Path) -> configparser.SectionProxy:
    path = folder / "x.desktop"
    path.write_text(text, encoding="utf-8")
    return read_entry(path)


def test_launcher_runs_this_python_when_no_launcher_is_installed(monkeypatch):
    monkeypatch.setattr(desktop_entry.shutil, "which", lambda name: None)
    monkeypatch.setattr(desktop_entry.sys, "executable", "/nonexistent/python3")
    assert desktop_entry.launcher_argv() == ["/nonexistent/python3", "-m", "studio"]


def test_frozen_app_launches_itself(monkeypatch):
    monkeypatch.setattr(desktop_entry.sys, "frozen", True, raising=False)
    monkeypatch.setattr(desktop_entry.sys, "executable", "/opt/bps/backprop-studio")
    assert desktop_entry.launcher_argv() == ["/opt/bps/backprop-studio"]


def test_uninstall_removes_everything_and_is_harmless_twice(data_home, capsys):
    assert dispatch(["--install-desktop-entry"]) == 0
    assert dispatch(["--uninstall-desktop-entry"]) == 0
    assert not any(p.is_file() for p in data_home.rglob("*"))
    assert "Removed the menu entry" in capsys.readouterr().out
    assert dispatch(["--uninstall-desktop-entry"]) == 0
    assert "nothing to remove" in capsys.readouterr().out


def test_an_unwritable_data_home_is_a_clear_error(data_home, capsys):
    data_home.parent.mkdir(parents=True, exist_ok=True)
    data_home.write_text("a file where the folder should be")
    assert dispatch(["--install-desktop-entry"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("backprop-studio: error: can't write") and "Traceback" not in err
