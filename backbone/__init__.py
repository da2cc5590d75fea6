"""Backbone: a governed analytics warehouse for multi-entity wholesale distributors."""

__version__ = "0.1.0"
