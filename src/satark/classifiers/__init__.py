"""Learned classifiers: trained by ``satark train``, shipped as arrays in ``satark/models``."""

from .features import FeatureSpec, Featurizer
from .linear import LinearModel, calibrated, platt

__all__ = ["FeatureSpec", "Featurizer", "LinearModel", "calibrated", "platt"]
