"""Could my child join? A trial's eligibility criteria as a checklist.

``split`` cuts the registry's text into inclusion and exclusion items as written;
``recognise`` finds the facts a family can answer in an item; ``answers`` reads
the family's answers from a link; ``verdicts`` says, per item, "meets", "does not
meet" or "ask the trial team"; ``glossary`` explains the words in place.
"""
