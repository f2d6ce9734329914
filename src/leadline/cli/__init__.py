"""The ``leadline`` command line."""
