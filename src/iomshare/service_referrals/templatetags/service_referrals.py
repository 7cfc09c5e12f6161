"""The person page's part of referrals to services: their state, and the two buttons."""

from django import template

from iomshare.people.visibility import is_volunteer
from iomshare.service_referrals.selectors import referrals_about

register = template.Library()


@register.inclusion_tag("service_referrals/_person.html", takes_context=True)
def person_service_referrals(context, person):
    """Referrals to services about `person` that the viewer's agency sent or received."""
    viewer = context["user"]
    return {
        "person": person,
        "referrals": referrals_about(viewer, person),
        "may_refer": not is_volunteer(viewer),
    }
