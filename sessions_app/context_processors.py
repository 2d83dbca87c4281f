from .roles import roles_of


def roles(request):
    """What the navigation may show: only what the user's roles allow."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"roles": None}
    return {"roles": roles_of(user)}
