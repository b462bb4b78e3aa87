"""Speed measurements: core against PyTorch and plain NumPy, printed as ratios."""
