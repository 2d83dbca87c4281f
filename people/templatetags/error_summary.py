"""The error summary at the top of every form: each problem, as a link to its field.

`{% error_summary form formset ... %}` lists every error of the forms and formsets given, in
page order, each a link to the field it is about (the first box of a group of radios or
checkboxes), with the message beside the field as the form renders it. The summary takes the
focus when the page loads (static/js/error_summary.js), so that a screen reader starts there.
A form or formset can say where its non-field errors point with `error_anchor` (an element
id); a formset names its forms with `entry_label` ("Item 2: ...").
"""

from django import forms, template

register = template.Library()


def _field_href(bound_field):
    if bound_field.is_hidden:
        return None
    widget = bound_field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return f"{bound_field.auto_id}_0" if bound_field.auto_id else None
    return bound_field.id_for_label or None


def form_entries(form, label_prefix=""):
    """(message, text, href, of_a_field) for each error of `form`, non-field errors first."""
    if form is None or not form.is_bound:
        return []
    entries = []
    errors = form.errors
    anchor = getattr(form, "error_anchor", None)
    prefix = f"{label_prefix}: " if label_prefix else ""
    for message in errors.get(forms.forms.NON_FIELD_ERRORS, []):
        entries.append((message, f"{prefix}{message}", anchor, False))
    for name, bound_field in ((name, form[name]) for name in form.fields):
        for message in errors.get(name, []):
            label = bound_field.label or name
            entries.append((message, f"{prefix}{label}: {message}", _field_href(bound_field), True))
    return entries


def formset_entries(formset):
    if not formset.is_bound:
        return []
    entries = [
        (message, message, getattr(formset, "error_anchor", None), False)
        for message in formset.non_form_errors()
    ]
    label = getattr(formset, "entry_label", "Entry")
    for index, form in enumerate(formset.forms, start=1):
        entries += form_entries(form, f"{label} {index}")
    return entries


def summary_entries(*forms_or_formsets):
    """Every error, in the order given. A form-wide message already said of a field (the
    items over the duration: on the duration and on the items) is listed once."""
    entries, seen = [], set()
    for obj in forms_or_formsets:
        if obj is None or obj == "":
            continue
        found = formset_entries(obj) if isinstance(obj, forms.BaseFormSet) else form_entries(obj)
        for message, text, href, of_a_field in found:
            if not of_a_field and message in seen:
                continue
            seen.add(message)
            entries.append({"text": text, "href": href})
    return entries


@register.inclusion_tag("_error_summary.html")
def error_summary(*forms_or_formsets, title="There is a problem", intro=""):
    return {
        "entries": summary_entries(*forms_or_formsets),
        "title": title,
        "intro": intro,
    }
