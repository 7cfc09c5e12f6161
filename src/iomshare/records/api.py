"""The machine API's item endpoints: reading what the caller may see, and recording new items.

Item content comes only from `records.selectors` (the one door), and every item is recorded by
`records.services.record_item` as held by the caller's own agency.
"""

from __future__ import annotations

import uuid

from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from ninja import Query, Router, Status

from iomshare.errors import InvalidInput, NotFound, NotPermitted
from iomshare.exchange.schemas import (
    PROBLEMS,
    SENSITIVITY_BY_LABEL,
    ItemIn,
    ItemListParams,
    ItemOut,
    ItemPage,
    PurposeOut,
    PurposeParams,
)
from iomshare.kit.api import caller
from iomshare.people.api import person_or_404
from iomshare.protocols.decisions import purposes_for
from iomshare.records import selectors, services
from iomshare.records.models import Category

router = Router(tags=["items"])


@router.get("/purposes", response={200: list[PurposeOut], **PROBLEMS}, url_name="purposes")
def list_purposes(request: HttpRequest):
    """The purposes for which active protocols share other agencies' information with the caller."""
    return purposes_for(caller(request))


@router.get("/persons/{person_id}/items", response={200: ItemPage, **PROBLEMS}, url_name="person-items")
def list_items(request: HttpRequest, person_id: uuid.UUID, params: Query[ItemListParams]):
    """The items about a person that the caller may see for `purpose`, newest first.

    The caller's own agency's live items, and other agencies' items that active protocols share with
    the caller for that purpose (each with the clause relied on), or one-off disclosures approved for
    the caller. The read is one entry on the disclosure ledger.
    """
    viewer = caller(request)
    person = person_or_404(person_id, viewer, with_details=False)
    page = selectors.items_page_for(
        viewer, person, purpose=params.purpose, limit=params.limit, offset=params.offset
    )
    return {"count": page.count, "limit": params.limit, "offset": params.offset, "results": page.items}


@router.get("/items/{item_id}", response={200: ItemOut, **PROBLEMS}, url_name="item")
def get_item(request: HttpRequest, item_id: uuid.UUID, params: Query[PurposeParams]):
    """One item, if the caller may see it for `purpose` (404 otherwise: never whether it exists)."""
    item = selectors.item_for(caller(request), item_id, purpose=params.purpose)
    if item is None:
        raise NotFound(f"There is no item with the id {item_id} that you may see.")
    return item


@router.post("/persons/{person_id}/items", response={201: ItemOut, **PROBLEMS}, url_name="record-item")
def record_item(request: HttpRequest, response: HttpResponse, person_id: uuid.UUID, body: ItemIn):
    """Record an item about a person, held by the caller's own agency."""
    by = caller(request)
    assert by.agency is not None  # the API's tokens act only for members of an agency (authenticate_token)
    if body.holding_agency is not None and body.holding_agency != by.agency.code:
        raise NotPermitted(
            f"You can record information only for your own agency ({by.agency.code}), "
            f"not for {body.holding_agency}."
        )
    person = person_or_404(person_id, by, to_record=True)
    category = Category.objects.filter(code=body.category).first()
    if category is None:
        raise InvalidInput(
            "The item was not recorded: correct the problems listed.",
            field_errors={"category": f"There is no category with the code {body.category!r}"},
        )
    item = services.record_item(
        by=by,
        person=person,
        category=category,
        sensitivity=SENSITIVITY_BY_LABEL[body.sensitivity],
        summary=body.summary,
        details=body.details,
        payload=body.payload,
        valid_from=body.valid_from,
        valid_to=body.valid_to,
        review_by=body.review_by,
    )
    response["Location"] = reverse("api-v1:item", kwargs={"item_id": item.id})
    return Status(201, item)
