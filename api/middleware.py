"""Every call to the API is logged: which token (none when missing or bad), path, status, time."""

from .models import ApiCall

API_PREFIX = "/api/"


def log_api_calls(get_response):
    def middleware(request):
        response = get_response(request)
        if request.path.startswith(API_PREFIX):
            path = request.get_full_path()
            ApiCall.objects.create(
                token=getattr(request, "api_token", None),
                method=request.method[:10],
                path=path[:500],
                status=response.status_code,
            )
        return response

    return middleware
