"""The studio's small dialogs: shortcuts, about, crash restore, errors and the save-changes question."""
