"""Test-wide settings: Qt runs offscreen (CI has no screen)."""

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
