"""Curated trial records for the dashboard tests, written into a temporary data dir.

Shared by ``tests/ui`` (AppTest) and ``tests/e2e`` (a real server and browser).
The records are written the way a staff member writes them (see
``data/trials/README.md``); the two shipped seed records are copied beside them.

What the fixture holds, and what the tests rely on:

- eight cerebral palsy trials: six of ours (Hanoi, Hai Phong, Ho Chi Minh City,
  Boston) with different statuses, ages and update dates, plus the two seeds;
- TF-CP-002 states its criteria in the registry's style (the eligibility checklist);
  TF-CP-002 has a contact for the whole trial and one at its site;
- one trial whose title, summary, criteria, arms and site are Markdown and HTML,
  to prove that trial text is shown literally;
- 65 generated autism trials, to prove the finder draws a page of cards at a time.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parents[2]
DASHBOARD = REPO / "dashboard.py"
SEED_IDS = ("NCT07527104", "VINMEC-CP-BMMNC")

#: The text that must never become markup, wherever a trial shows it.
MARKUP_TITLE = "<b>bold</b> [link](http://x.test) *stars*"
MARKUP_ID = "TF-ESC-001"
MARKUP_FACILITY = "<b>Clinic</b> *one*"
#: An arm whose words are HTML, a script, an image from outside and Markdown:
#: if it ever became markup, the image would be a request beyond this machine.
MARKUP_ARM_LABEL = "<i>Group</i> [A](http://x.test)"
MARKUP_ARM_DESCRIPTION = (
    "<script>alert(2)</script><img src=http://evil.test/x.png> **loud** [click](http://x.test)"
)

HANOI = (21.0245, 105.84117)  # where the offline gazetteer puts Hanoi

CEREBRAL_PALSY_TRIALS: list[dict] = [
    {
        "id": "TF-CP-001",
        "title": "Home exercise for young children with cerebral palsy in Hanoi",
        "status": "recruiting",
        "conditions": ["Cerebral palsy"],
        "study_type": "interventional",
        "phases": "NA",
        "allocation": "randomized",
        "intervention_model": "parallel",
        "masking": "single",
        "min_age": "1 Year",
        "max_age": "6 Years",
        "sex": "all",
        "sites": [
            {
                "facility": "Hanoi Rehabilitation Hospital",
                "city": "Hanoi",
                "country": "Vietnam",
                "status": "recruiting",
                "lat": 21.10,  # about 8 km north of the centre
                "lon": 105.84117,
                "contacts": [
                    {
                        "name": "Dr Tran Thi Lan",
                        "role": "Study coordinator",
                        "phone": "+84 24 3825 0000",
                        "email": "cp.study@example.test",
                    }
                ],
            }
        ],
        "sponsor": "Hanoi Rehabilitation Hospital",
        "last_update": "2026-03-01",
    },
    {
        "id": "TF-CP-002",
        "title": "Robot-assisted walking training for children with cerebral palsy",
        "status": "not yet recruiting",
        "conditions": ["Cerebral palsy"],
        "study_type": "interventional",
        "phases": "phase2",
        "min_age": "4 Years",
        "max_age": "12 Years",
        # Written in the registry's style for the eligibility checklist's tests.
        "criteria": (
            "Inclusion Criteria:\n\n"
            "* Children aged 4 to 12 years with spastic cerebral palsy\n"
            "* Gross Motor Function Classification System (GMFCS) level I to III\n"
            "* Parent able to give written informed consent\n\n"
            "Exclusion Criteria:\n\n"
            "* Botulinum toxin injection within the last 6 months\n"
            "* Orthopaedic surgery within the previous 12 months\n"
            "* Uncontrolled seizures\n"
            "* Platelet count below 100,000/mm3\n"
        ),
        "sites": [
            {
                "facility": "Bach Mai Hospital",
                "city": "Hanoi",
                "country": "Vietnam",
                "lat": 21.05,  # about 3 km from the centre
                "lon": 105.84117,
                "contacts": [{"name": "Nurse Hoa", "role": "CONTACT", "phone": "024 3869 0000"}],
            }
        ],
        # The trial's own contact, with an invisible word joiner in the address
        # as registry text sometimes has: families must get a working address.
        "contacts": [
            {
                "name": "Trial office",
                "role": "STUDY_DIRECTOR",
                "phone": "+84 24 3869 3731",
                "phone_ext": "12",
                "email": "robot@\u2060walk.example",
            }
        ],
        "last_update": "2026-01-15",
    },
    {
        "id": "TF-CP-003",
        "title": "Botulinum toxin for calf stiffness in cerebral palsy",
        "status": "completed",
        "conditions": ["Cerebral palsy", "Muscle spasticity"],
        "study_type": "interventional",
        "phases": "phase3",
        "min_age": "2 Years",
        "max_age": "17 Years",
        "sites": [
            {
                "facility": "Saint Paul Hospital",
                "city": "Hanoi",
                "country": "Vietnam",
                "lat": 21.033,  # about 1 km from the centre
                "lon": 105.84117,
            }
        ],
        "last_update": "2026-06-01",
    },
    {
        "id": "TF-CP-004",
        "title": "Constraint-induced movement therapy for toddlers with cerebral palsy",
        "status": "recruiting",
        "conditions": ["Cerebral palsy", "Hemiplegia"],
        "study_type": "interventional",
        "min_age": "6 Months",
        "max_age": "5 Years",
        "sites": [
            {"facility": "Hai Phong Children's Hospital", "city": "Haiphong", "country": "Vietnam"}
        ],
        "last_update": "2026-05-10",
    },
    {
        "id": "TF-CP-005",
        "title": "Hip checks for children with cerebral palsy",
        "status": "recruiting",
        "conditions": ["Cerebral palsy"],
        "study_type": "observational",
        "min_age": "1 Year",
        "max_age": "18 Years",
        "sites": [
            {"facility": "Children's Hospital 1", "city": "Ho Chi Minh City", "country": "Vietnam"}
        ],
        "last_update": "2025-11-01",
    },
    {
        "id": "TF-CP-006",
        "title": "Cord blood cells for older children with cerebral palsy",
        "status": "recruiting",
        "conditions": ["Cerebral palsy"],
        "study_type": "interventional",
        "phases": ["phase1", "phase2"],
        "min_age": "5 Years",
        "max_age": "17 Years",
        "sites": [
            {"facility": "Boston Children's Hospital", "city": "Boston", "country": "United States"}
        ],
        "last_update": "2026-06-15",
    },
]

MARKUP_TRIAL: dict = {
    "id": MARKUP_ID,
    "title": MARKUP_TITLE,
    "status": "recruiting",
    "conditions": ["Rett syndrome"],
    "study_type": "interventional",
    "min_age": "2 Years",
    "max_age": "10 Years",
    "plain_summary": "Summary with <i>tags</i>, :red[colour] and `code`.",
    "criteria": "Children with <script>alert(1)</script> and [a link](http://x.test).",
    "arms": [
        {
            "label": MARKUP_ARM_LABEL,
            "type": "experimental",
            "description": MARKUP_ARM_DESCRIPTION,
            "interventions": ["Drug: <u>x</u>"],
        },
        {"label": "Usual care", "type": "no intervention"},
    ],
    "sites": [{"facility": MARKUP_FACILITY, "city": "Hanoi", "country": "Vietnam"}],
    "last_update": "2026-02-02",
}

GENERATED_COUNT = 65
GENERATED_CONDITION = "Autism spectrum disorder"


def generated_id(number: int) -> str:
    return f"TF-GEN-{number:03d}"


def generated_trials() -> list[dict]:
    """Open autism trials; a higher number was updated later (so it comes first)."""
    return [
        {
            "id": generated_id(n),
            "title": f"Play-based therapy study number {n}",
            "status": "recruiting",
            "conditions": [GENERATED_CONDITION],
            "study_type": "interventional",
            "min_age": "2 Years",
            "max_age": "8 Years",
            "sites": [{"city": "Da Nang", "country": "Vietnam"}],
            "last_update": f"2025-{1 + (n - 1) // 28:02d}-{1 + (n - 1) % 28:02d}",
        }
        for n in range(1, GENERATED_COUNT + 1)
    ]


#: Expected results, in the finder's order (open first, then nearest, then newest).
CP_ALL = [
    "NCT07527104",  # recruiting, updated 2026-06-27
    "TF-CP-006",  # recruiting, 2026-06-15
    "TF-CP-004",  # recruiting, 2026-05-10
    "TF-CP-001",  # recruiting, 2026-03-01
    "TF-CP-002",  # not yet recruiting (open), 2026-01-15
    "TF-CP-005",  # recruiting, 2025-11-01
    "TF-CP-003",  # completed, 2026-06-01
    "VINMEC-CP-BMMNC",  # no status, no date
]
#: cond=cerebral palsy, a child of 4, within 50 km of Hanoi.
CP_AGE4_HANOI = ["NCT07527104", "TF-CP-002", "TF-CP-001", "VINMEC-CP-BMMNC", "TF-CP-003"]
#: ... and recruiting only.
CP_AGE4_HANOI_RECRUITING = ["NCT07527104", "TF-CP-001"]
#: cond=cerebral palsy, a child of 10, within 50 km of Hanoi.
CP_AGE10_HANOI = ["TF-CP-002", "VINMEC-CP-BMMNC", "TF-CP-003"]
#: cond=cerebral palsy, a child of 4 (no place).
CP_AGE4 = [
    "NCT07527104",
    "TF-CP-004",
    "TF-CP-001",
    "TF-CP-002",
    "TF-CP-005",
    "TF-CP-003",
    "VINMEC-CP-BMMNC",
]
TOTAL_TRIALS = len(CEREBRAL_PALSY_TRIALS) + len(SEED_IDS) + 1 + GENERATED_COUNT


def write_record(trials_dir: Path, record: dict) -> Path:
    path = trials_dir / f"{record['id']}.yaml"
    path.write_text(yaml.safe_dump(record, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def build_data_dir(root: Path) -> Path:
    """A data dir with every record above; returns it."""
    trials_dir = root / "trials"
    trials_dir.mkdir(parents=True)
    for seed in SEED_IDS:
        shutil.copy(REPO / "data" / "trials" / f"{seed}.yaml", trials_dir)
    for record in [*CEREBRAL_PALSY_TRIALS, MARKUP_TRIAL, *generated_trials()]:
        write_record(trials_dir, record)
    return root


BROKEN_FILES = {
    # a misspelt key and a misspelt status: refused, named by file and field
    "TF-BAD-001.yaml": "id: TF-BAD-001\ntitel: A misspelt key\nstatus: recruting\n",
    # not YAML at all
    "TF-BAD-002.yaml": "id: TF-BAD-002\ntitle: [unclosed\n",
}


def build_broken_data_dir(root: Path) -> Path:
    """One good trial and two broken files."""
    trials_dir = root / "trials"
    trials_dir.mkdir(parents=True)
    write_record(trials_dir, CEREBRAL_PALSY_TRIALS[0])
    for name, text in BROKEN_FILES.items():
        (trials_dir / name).write_text(text, "utf-8")
    return root
