"""Test helpers: a local stand-in for the ClinicalTrials.gov API, made-up studies,
and a byte-for-byte picture of a data directory."""
