"""Diagnostics: the gradient check (backprop against finite differences) and the training doctor's detectors."""

from core.diagnostics.gradient_check import LayerGradientCheck, check_gradients

__all__ = ["LayerGradientCheck", "check_gradients"]
