from django.conf import settings


def service(request):
    """Service name for the GOV.UK header on every page."""
    return {"service_name": settings.IOMSHARE_SERVICE_NAME}
