"""Tests of leadline.sources: one module per integration."""
