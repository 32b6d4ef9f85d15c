"""Multilingual publishing pipeline for printable patient leaflets."""
