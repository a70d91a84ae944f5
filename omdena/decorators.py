"""View decorators built on the named predicates of omdena/permissions.py."""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied


def requires(predicate):
    """Anonymous visitors go to the sign-in page; signed-in people for whom `predicate(user)` is false get a 403."""

    def decorator(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if not predicate(request.user):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return login_required(wrapper)

    return decorator
