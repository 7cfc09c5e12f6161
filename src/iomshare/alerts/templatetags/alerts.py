from django import template

from iomshare.alerts.selectors import is_following

register = template.Library()


@register.inclusion_tag("alerts/_follow.html", takes_context=True)
def follow_button(context, person) -> dict:
    """'Follow' or 'Stop following' for a person the viewer may already see (the page checked)."""
    return {**context.flatten(), "person": person, "following": is_following(context["request"].user, person)}
