from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from onboarding.health.services import health_status


@require_GET
def health(request: HttpRequest) -> JsonResponse:
    status = health_status()
    return JsonResponse(status, status=200 if status["ok"] else 503)
