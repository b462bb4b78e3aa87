"""Diagnostics: the gradient check (backprop against finite differences) and the training doctor's detectors."""

from core.diagnostics.activation_probe import ActivationProbe
from core.diagnostics.doctor import Doctor, diagnose
from core.diagnostics.finding import PROBLEMS, Cure, Finding
from core.diagnostics.gradient_check import LayerGradientCheck, check_gradients

__all__ = ["ActivationProbe", "Cure", "Doctor", "Finding", "LayerGradientCheck", "PROBLEMS", "check_gradients",
           "diagnose"]
