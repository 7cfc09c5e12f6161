"""URLs for the door benchmark: the product's, plus one endpoint with no sharing decision.

The plain endpoint authenticates the caller, looks the person up and runs the same item query (the person's live items, newest
first, a page of them, with the count) and the same response schema as GET /api/v1/persons/{id}/items, but no access grid,
no record-level rules and no ledger entry: what the read would cost without compliance.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Window
from django.http import Http404, JsonResponse
from django.urls import path

from iomshare.exchange.auth import BearerToken
from iomshare.exchange.schemas import ItemOut
from iomshare.people.models import Person
from iomshare.records.models import InformationItem  # bench only: the baseline bypasses the door
from iomshare.urls import urlpatterns as product_urls


def plain_items(request, person_id):
    limit = int(request.GET.get("limit", 100))
    # Any API authenticates its caller: the same bearer-token check, so only the decision differs.
    header = request.headers.get("Authorization", "")
    if BearerToken().authenticate(request, header.removeprefix("Bearer ")) is None:
        raise PermissionDenied
    if not Person.objects.filter(pk=person_id).exists():  # any API looks the person up
        raise Http404
    # The same page-and-count query as the door's (records.selectors._page_and_count), unfiltered.
    query = InformationItem.objects.live().filter(person_id=person_id)
    page = list(
        query.select_related("holding_agency", "category", "author")
        .annotate(matches=Window(Count("pk")))
        .order_by("-recorded_at", "id")[:limit]
    )
    results = [ItemOut.from_orm(item).model_dump(mode="json") for item in page]
    count = page[0].matches if page else 0
    return JsonResponse({"count": count, "limit": limit, "offset": 0, "results": results})


urlpatterns = [*product_urls, path("bench/plain-items/<uuid:person_id>", plain_items)]
