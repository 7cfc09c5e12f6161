"""The covering letter that goes to the person with their pack, in plain English."""

from __future__ import annotations

from iomshare.subject_access.models import MadeBy
from iomshare.subject_access.selectors import Pack


def covering_letter(pack: Pack) -> list[str]:
    """The letter's paragraphs, from greeting to signature (the web page and the PDF share them)."""
    request, person = pack.request, pack.request.person
    agencies = sorted({entry.item.holding_agency for entry in pack.entries})
    addressee = (
        person.full_name if request.made_by == MadeBy.PERSON else f"the representative of {person.full_name}"
    )
    paragraphs = [
        f"Dear {addressee},",
        f"Subject access request {request.reference}, received on {request.received_on:%-d %B %Y}.",
        "You asked for a copy of the personal information that the agencies of the Integrated Offender "
        "Management partnership hold about "
        + ("you" if request.made_by == MadeBy.PERSON else person.full_name)
        + ". Each agency decided what of its own information to release.",
    ]
    if pack.entries:
        paragraphs.append(
            f"This pack contains {len(pack.entries)} record{'s' if len(pack.entries) != 1 else ''} "
            f"from {', '.join(agencies)}. For each record it says who holds it, what kind of information it "
            "is, when it was recorded, and which agencies it has been shared with."
        )
    else:
        paragraphs.append("No information can be released to you in this pack.")
    if pack.withheld_count or pack.exemptions:
        paragraphs.append(
            "Some information has been withheld or redacted because the law allows it. The exemptions "
            "relied on are: " + "; ".join(pack.exemptions) + "."
        )
    paragraphs += [
        "If you think any of this information is wrong, you can ask the agency that holds it to correct "
        "it. If you are unhappy with how your request was handled, you can complain to the Information "
        "Commissioner's Office: ico.org.uk/make-a-complaint, telephone 0303 123 1113.",
        "Yours sincerely,",
        f"{pack.prepared_by}, information-governance lead, {request.coordinating_agency.name}",
    ]
    return paragraphs
