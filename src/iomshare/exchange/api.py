"""The machine API at /api/v1/ (django-ninja): one NinjaAPI, each app adds its router."""

from ninja import NinjaAPI

api = NinjaAPI(title="iomshare API", version="1", urls_namespace="api-v1", docs_url=None)
