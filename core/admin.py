"""What every Fourfold admin screen shares: hostile list parameters get Django's usual answer.

Django's admin turns most wrong list parameters into its "incorrect lookup" answer (a redirect
to the list with `?e=1`, where the filters are dropped), but not all of them, and these end
in a 500:
- a date hierarchy year, month or day outside what a date can hold
  (`?date__year=2147483648`, `?date__year=9999`: the end of year 9999 is no date);
- on PostgreSQL, a NUL character (`%00`) in a filter value or a search term: its text can
  hold no NUL, and the driver refuses the query when the list is read.
The mixin sits in front of any ModelAdmin (`class UserAdmin(FourfoldAdminMixin, BaseUserAdmin)`);
`guard_admin(Model)` puts it in front of a screen another app registered (Django's groups,
allauth's email addresses, the task queue's results).
"""

from datetime import date, timedelta

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG
from django.http import HttpResponseRedirect

NUL = "\x00"


def _has_nul(query):
    return any(NUL in key or any(NUL in v for v in values) for key, values in query.lists())


def _date_hierarchy_is_a_date(query, field):
    """Whether the `field__year/month/day` parameters name a period that dates can hold.

    The same steps as Django's ChangeList: the period's first day, and the first day after it.
    """
    year = query.get(f"{field}__year")
    if year is None:
        return True
    month = query.get(f"{field}__month")
    day = query.get(f"{field}__day")
    try:
        start = date(int(year), int(month or 1), int(day or 1))
        if day:
            start + timedelta(days=1)
        elif month:
            (start + timedelta(days=32)).replace(day=1)
        else:
            start.replace(year=start.year + 1)
    except (ValueError, OverflowError):
        return False
    return True


class FourfoldAdminMixin:
    """Bad list parameters answer as Django's admin answers any bad lookup: never a 500."""

    def changelist_view(self, request, extra_context=None):
        bad = _has_nul(request.GET) or (
            self.date_hierarchy and not _date_hierarchy_is_a_date(request.GET, self.date_hierarchy)
        )
        if bad:
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except OverflowError as exc:
            # A number too large for the lookup's type: a wrong lookup like any other.
            raise IncorrectLookupParameters(exc) from exc

    def get_search_results(self, request, queryset, search_term):
        # Stored text holds no NUL (forms refuse it), so a term with one matches nothing; the
        # autocomplete of related fields searches here too.
        if NUL in search_term:
            return queryset.none(), False
        return super().get_search_results(request, queryset, search_term)


class FourfoldModelAdmin(FourfoldAdminMixin, admin.ModelAdmin):
    """The base of a Fourfold admin screen that needs no other base."""


def guard_admin(model, site=admin.site):
    """Register `model`'s screen again, as it was, with FourfoldAdminMixin in front of it."""
    current = type(site.get_model_admin(model))
    if issubclass(current, FourfoldAdminMixin):
        return
    site.unregister(model)
    site.register(model, type(current.__name__, (FourfoldAdminMixin, current), {}))
