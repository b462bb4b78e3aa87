"""`backprop-studio --install-desktop-entry`: add the app to a Linux desktop's menu (XDG), and take it out again.

Writes ``$XDG_DATA_HOME/applications/backprop-studio.desktop`` (from resources/backprop-studio.desktop, with
`Exec` pointing at this installation's launcher) and the icon into the hicolor theme at every size we ship
(``$XDG_DATA_HOME/icons/hicolor/<n>x<n>/apps/backprop-studio.png`` and ``scalable/apps/…svg``). Menus pick the
entry up by themselves; the desktop database and icon cache are refreshed when their tools exist. No Qt here.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from core.cli.resources import resources_dir

APP_ID = "backprop-studio"
ICON_SIZES = (16, 32, 48, 64, 128, 256)


class DesktopEntryError(Exception):
    """The entry can't be installed here (not an XDG desktop, unwritable folder); the message says why."""


def data_home() -> Path:
    """$XDG_DATA_HOME, or ~/.local/share (the XDG default)."""
    value = os.environ.get("XDG_DATA_HOME", "").strip()
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def launcher_argv() -> list[str]:
    """How the menu starts this installation: the frozen executable, the installed launcher, or python -m."""
    if getattr(sys, "frozen", False):
        return [sys.executable]
    scripts = Path(sys.executable).parent
    for candidate in (scripts / APP_ID, Path(shutil.which(APP_ID) or "")):
        if candidate.name == APP_ID and candidate.is_file() and os.access(candidate, os.X_OK):
            return [str(candidate)]
    return [sys.executable, "-m", "studio"]


def _quote_exec_argument(argument: str) -> str:
    """Quote one Exec argument as the Desktop Entry spec says: double quotes, with " ` $ \\ escaped."""
    if argument and not any(c in argument for c in ' \t\n"\'\\><~|&;$*?#()`='):
        return argument
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in argument)
    return f'"{escaped}"'


def entry_text(argv: list[str]) -> str:
    """The .desktop file starting `argv` (Exec and TryExec filled in)."""
    template = (resources_dir() / f"{APP_ID}.desktop").read_text(encoding="utf-8")
    lines = []
    for line in template.splitlines():
        if line.startswith("Exec="):
            line = "Exec=" + " ".join(_quote_exec_argument(a) for a in argv) + " %f"
        elif line.startswith("TryExec="):
            line = f"TryExec={argv[0]}"
        lines.append(line)
    return "\n".join(lines) + "\n"


def installed_paths(home: Path | None = None) -> list[Path]:
    """Every file the installer writes, entry first."""
    home = home or data_home()
    icons = home / "icons" / "hicolor"
    return ([home / "applications" / f"{APP_ID}.desktop"]
            + [icons / f"{n}x{n}" / "apps" / f"{APP_ID}.png" for n in ICON_SIZES]
            + [icons / "scalable" / "apps" / f"{APP_ID}.svg"])


def install_desktop_entry(home: Path | None = None, argv: list[str] | None = None) -> list[Path]:
    """Write the entry and icons; return the paths written. DesktopEntryError when that isn't possible."""
    if sys.platform in ("win32", "darwin"):
        raise DesktopEntryError("desktop entries are for Linux desktops (XDG); on Windows and macOS pin the "
                                "backprop-studio launcher, or build the app bundle in packaging/")
    paths = installed_paths(home)
    source_icons = resources_dir() / "icons"
    sources = [None] + [source_icons / f"{APP_ID}-{n}.png" for n in ICON_SIZES] + [source_icons / f"{APP_ID}.svg"]
    missing = [str(s) for s in sources[1:] if not s.is_file()]
    if missing:
        raise DesktopEntryError(f"the app's icons are missing from this installation: {', '.join(missing)}")
    text = entry_text(argv or launcher_argv())
    try:
        for target, source in zip(paths, sources):
            target.parent.mkdir(parents=True, exist_ok=True)
            temp = target.with_name(f".{target.name}.tmp")
            if source is None:
                temp.write_text(text, encoding="utf-8")
                temp.chmod(0o755)  # some desktops only trust executable entries
            else:
                shutil.copyfile(source, temp)
            os.replace(temp, target)
    except OSError as error:
        raise DesktopEntryError(f"can't write {error.filename or paths[0].parent}: {error.strerror or error}") \
            from error
    _refresh(paths[0].parent, paths[1].parents[2])
    return paths


def uninstall_desktop_entry(home: Path | None = None) -> list[Path]:
    """Remove what `install_desktop_entry` wrote; return the paths removed (missing ones are skipped)."""
    removed = []
    for path in installed_paths(home):
        try:
            path.unlink()
            removed.append(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise DesktopEntryError(f"can't remove {path}: {error.strerror or error}") from error
    if removed:
        home_paths = installed_paths(home)
        _refresh(home_paths[0].parent, home_paths[1].parents[2])
    return removed


def _refresh(applications: Path, icon_theme: Path) -> None:
    """Ask the desktop to notice the change, where the tools exist; never fail over it."""
    for command in (["update-desktop-database", "-q", str(applications)],
                    ["gtk-update-icon-cache", "-q", "-t", "-f", str(icon_theme)]):
        if shutil.which(command[0]):
            try:
                subprocess.run(command, capture_output=True, timeout=20, check=False)
            except (OSError, subprocess.SubprocessError):
                pass


def run(install: bool) -> int:
    """The command-line flag: print what happened; 0 on success, 1 with a message on stderr otherwise."""
    try:
        paths = install_desktop_entry() if install else uninstall_desktop_entry()
    except DesktopEntryError as error:
        print(f"backprop-studio: error: {error}", file=sys.stderr)
        return 1
    if install:
        print(f"Installed the menu entry {paths[0]} and the icon at {len(paths) - 1} sizes.")
    elif paths:
        print(f"Removed the menu entry and icons ({len(paths)} files).")
    else:
        print("No Backprop Studio menu entry was installed; nothing to remove.")
    return 0
