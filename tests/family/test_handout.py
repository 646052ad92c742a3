"""The printable handout: what it holds, escaped, and a QR code that decodes to the trial's URL."""

from __future__ import annotations

import base64
import dataclasses
import datetime as dt
import io
import re
from html.parser import HTMLParser

import zxingcpp
from PIL import Image

from trialfinder import geo
from trialfinder.family.handout import build_handout, handout_html
from trialfinder.i18n import using
from trialfinder.model import Arm, Contact, Dates, Design, Eligibility, Site, Trial

TODAY = dt.date(2026, 11, 21)
URL = "https://trials.example.org/trial?id=NCT07527104"

TRIAL = Trial(
    id="NCT07527104",
    brief_title="Autologous BM-MNC for cerebral palsy <script>",
    plain_summary="Doctors want to learn whether a child's own cells help.",
    plain_summary_vi="Các bác sĩ muốn tìm hiểu xem tế bào của chính trẻ có giúp ích không.",
    overall_status="RECRUITING",
    conditions=("cerebral palsy",),
    eligibility=Eligibility(min_age="1 Year", max_age="6 Years", sex="ALL"),
    arms=(
        Arm("Cells plus rehabilitation", "EXPERIMENTAL", "Cells injected into the spine."),
        Arm("Rehabilitation alone", None, "Rehabilitation only."),
    ),
    design=Design(study_type="INTERVENTIONAL", allocation="RANDOMIZED", masking="NONE"),
    dates=Dates(status_verified="2024-01", last_update="2024-01-10"),
    sites=(
        Site(
            facility="Far Hospital", city="Ho Chi Minh City", country="Vietnam", lat=10.8, lon=106.7
        ),
        Site(
            facility="Vietnam National Children's Hospital",
            city="Hanoi",
            country="Vietnam",
            lat=21.02,
            lon=105.83,
            contacts=(Contact(name="Dr Lan", phone="+84 24 0000 0000"),),
        ),
    ),
)


class _Images(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.images: list[dict[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag == "img":
            self.images.append(dict(attrs))

    def handle_data(self, data):
        self.text.append(data)


def _read(html: str) -> _Images:
    parser = _Images()
    parser.feed(html)
    return parser


def test_the_handout_holds_what_a_doctor_needs():
    hanoi = geo.resolve_place("Hanoi")
    handout = build_handout(TRIAL, URL, hanoi, today=TODAY)
    html = handout_html(handout)
    text = " ".join(_read(html).text)
    assert "Doctors want to learn" in text
    assert "1 year to 6 years" in text
    assert "Cells plus rehabilitation" in text and "Rehabilitation only." in text
    # the nearest site to Hanoi and its contact, not the first one listed
    # (issue 19: the phone is a link to tap)
    assert "Vietnam National Children's Hospital" in text and "Dr Lan" in text
    assert "<a href='tel:+842400000000'>+84 24 0000 0000</a>" in html
    assert "Far Hospital" not in text
    assert "Status may be out of date" in text and "Not masked" in text
    assert "Questions to ask the trial team" in text
    assert "Is the trial still taking children now?" in text  # asked because of the flag
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_the_qr_code_decodes_back_to_the_trial_url():
    html = handout_html(build_handout(TRIAL, URL, today=TODAY))
    [image] = _read(html).images
    assert URL in (image["alt"] or "")  # the text alternative says where it leads
    data = re.fullmatch(r"data:image/png;base64,(.+)", image["src"] or "")
    assert data, image["src"][:40]
    picture = Image.open(io.BytesIO(base64.b64decode(data.group(1))))
    decoded = [result.text for result in zxingcpp.read_barcodes(picture)]
    assert decoded == [URL]


def test_the_handout_in_vietnamese_uses_the_vietnamese_summary():
    with using("vi"):
        html = handout_html(build_handout(TRIAL, URL, today=TODAY))
    text = " ".join(_read(html).text)
    assert "Các bác sĩ muốn tìm hiểu" in text
    assert "Doctors want to learn" not in text
    assert "Questions to ask the trial team" not in text
    assert "Câu hỏi" in text or "Ai có thể tham gia" in text


def test_a_record_without_sites_or_summary_says_so():
    bare = Trial(id="X-1", brief_summary=None)
    html = handout_html(build_handout(bare, "http://localhost:8501/trial?id=X-1", today=TODAY))
    text = " ".join(_read(html).text)
    assert "No sites are listed." in text and "No summary is given." in text
    assert "The record raises none of the flags" in text


def test_the_trials_own_contact_comes_first_as_links():
    trial = dataclasses.replace(
        TRIAL,
        contacts=(
            Contact(name="Trial desk", role="CONTACT", email="desk@trial.example"),
            Contact(name="<b>Dr X</b>", phone="javascript:alert(1)"),
        ),
    )
    html = handout_html(build_handout(trial, URL, geo.resolve_place("Hanoi"), today=TODAY))
    text = " ".join(_read(html).text)
    assert text.index("Trial desk") < text.index("Dr Lan")
    assert "contact person" in text  # the role in words
    assert "<a href='mailto:desk@trial.example?subject=About%20the%20trial%20NCT07527104'>" in html
    # A value that is not a number is text, never a link; names are escaped.
    assert "href='javascript" not in html and "javascript:alert(1)" in text
    assert "<b>Dr X</b>" not in html and "&lt;b&gt;Dr X&lt;/b&gt;" in html


def test_without_any_contact_the_handout_says_not_given_and_links_the_registry():
    trial = dataclasses.replace(
        TRIAL,
        sites=(Site(city="Hanoi", country="Vietnam"),),
        source_url="https://clinicaltrials.gov/study/NCT07527104",
    )
    html = handout_html(build_handout(trial, URL, today=TODAY))
    assert "Phone and e-mail: not given in the record." in html
    assert "href='https://clinicaltrials.gov/study/NCT07527104'" in html


def test_the_checklist_prints_inside_the_handout_before_its_closing_note() -> None:
    checklist = "<section class='tf-checklist'>the checklist</section>"
    html = handout_html(build_handout(TRIAL, URL, today=TODAY), checklist=checklist)
    questions = html.index("Questions to ask the trial team")
    assert questions < html.index(checklist) < html.index("It is not medical advice")
    assert html.index(checklist) < html.index("</article>")


def test_the_handout_names_what_is_tested_what_could_go_wrong_the_sponsor_and_the_date() -> None:
    trial = dataclasses.replace(
        TRIAL,
        sponsor="Hanoi <Children's> Hospital",
        active_substance="the child's own bone marrow cells",
        active_substance_vi="tế bào tủy xương của chính trẻ",
        what_could_go_wrong="A needle in the back can hurt.",
        what_could_go_wrong_vi="Kim chọc ở lưng có thể đau.",
        sites=(
            Site(
                facility="Clinic",
                city="Hanoi",
                country="Vietnam",
                note="Place recorded as the sponsor's city",
                note_vi="Nơi ghi là thành phố của nhà tài trợ",
            ),
        ),
    )
    html = handout_html(build_handout(trial, URL, today=TODAY))
    text = re.sub(r"\s+", " ", " ".join(_read(html).text))
    assert "What is tested: the child's own bone marrow cells" in text
    assert "What could go wrong: A needle in the back can hurt." in text
    assert "Sponsor: Hanoi <Children's> Hospital" in text  # text, escaped in the HTML
    assert "&lt;Children&#x27;s&gt;" in html
    assert "Place recorded as the sponsor's city" in text
    assert "Record last updated: January 10, 2024." in text
    with using("vi"):
        text = " ".join(_read(handout_html(build_handout(trial, URL, today=TODAY))).text)
    assert "tế bào tủy xương của chính trẻ" in text and "Kim chọc ở lưng" in text
    assert "Nơi ghi là thành phố của nhà tài trợ" in text
    assert "Hà Nội, Việt Nam" in text
