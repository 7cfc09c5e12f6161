"""URLs for the door benchmark: the product's, plus one endpoint with no sharing decision.

The plain endpoint runs the same item query (the person's live items, newest first, a page of them,
with the count) and the same response schema as GET /api/v1/persons/{id}/items, but no access grid,
no record-level rules and no ledger entry: what the read would cost without compliance.
"""

from django.http import JsonResponse
from django.urls import path

from iomshare.exchange.schemas import ItemOut
from iomshare.records.models import InformationItem  # bench only: the baseline bypasses the door
from iomshare.urls import urlpatterns as product_urls


def plain_items(request, person_id):
    limit = int(request.GET.get("limit", 100))
    query = InformationItem.objects.live().filter(person_id=person_id)
    page = query.select_related("holding_agency", "category", "author").order_by("-recorded_at", "id")[:limit]
    results = [ItemOut.from_orm(item).model_dump(mode="json") for item in page]
    return JsonResponse({"count": query.count(), "limit": limit, "offset": 0, "results": results})


urlpatterns = [*product_urls, path("bench/plain-items/<uuid:person_id>", plain_items)]
