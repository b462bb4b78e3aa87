"""The main window's parts: the dock registry, the menus and their actions, the project file commands.

`studio.main_window.MainWindow` is the frame that puts them together; each module here holds one of its ideas.
"""
