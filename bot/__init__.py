"""Slate's Discord face, entry point and console."""
