"""Readers that turn registry records into :class:`trialfinder.model.Trial`."""
