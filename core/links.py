"""`{% url %}` as Django's, each address worked out once (built into every template:
settings.TEMPLATES).

Django's `reverse` matches the view's name against the URL patterns every time: about 40
microseconds, which a supervisor's home page of 150 links paid on every request. An address
depends only on the URL patterns (the settings', or a request's own), the script prefix the
site is served under, the namespace asked for and the arguments, so it is kept by them all;
arguments other than numbers and strings (an object, whose text may change) are reversed every
time, as Django does.
"""

from django import template
from django.conf import settings
from django.template.defaulttags import URLNode, url
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils.html import conditional_escape

from .memo import kept

register = template.Library()

# At most this many addresses are kept (a few megabytes); beyond, they are reversed each time.
KEPT_AT_MOST = 20_000
_kept: dict[tuple, str] = {}


def _plain(values) -> bool:
    return all(type(value) in (int, str) for value in values)


def address(view_name, args, kwargs, current_app) -> str:
    """`reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)`, kept."""
    if not (_plain(args) and _plain(kwargs.values())):
        return reverse(view_name, args=args, kwargs=kwargs, current_app=current_app)
    key = (
        settings.ROOT_URLCONF,
        get_urlconf(),
        get_script_prefix(),
        current_app,
        view_name,
        tuple(args),
        tuple(sorted(kwargs.items())),
    )
    return kept(
        _kept,
        key,
        lambda: reverse(view_name, args=args, kwargs=kwargs, current_app=current_app),
        at_most=KEPT_AT_MOST,
    )


class KeptURLNode(URLNode):
    def render(self, context):
        from django.urls import NoReverseMatch

        args = [arg.resolve(context) for arg in self.args]
        kwargs = {k: v.resolve(context) for k, v in self.kwargs.items()}
        view_name = self.view_name.resolve(context)
        try:
            current_app = context.request.current_app
        except AttributeError:
            try:
                current_app = context.request.resolver_match.namespace
            except AttributeError:
                current_app = None
        found = ""
        try:
            found = address(view_name, args, kwargs, current_app)
        except NoReverseMatch:
            if self.asvar is None:
                raise
        if self.asvar:
            context[self.asvar] = found
            return ""
        return conditional_escape(found) if context.autoescape else found


@register.tag("url")
def kept_url(parser, token):
    """Django's `{% url %}`, its address kept (`address`)."""
    node = url(parser, token)
    return KeptURLNode(node.view_name, node.args, node.kwargs, node.asvar)
