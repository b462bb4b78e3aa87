"""Backprop Studio's engine: networks, losses, optimizers, schedules, training and data, in NumPy + Numba.

Nothing in this package imports Qt; the studio and the command line both drive it.
"""

__version__ = "0.1.0"
