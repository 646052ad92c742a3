"""The data directory: its layout, the reading rules, publishing a pull's generation,
importing downloaded studies, refreshing from ClinicalTrials.gov, change reports."""
