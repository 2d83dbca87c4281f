"""Form widgets written in Python where Django's templates would be slow for their size."""

from django import forms

from .markup import format_html, format_html_join


def _attributes(attrs) -> str:
    """HTML attributes as Django's widgets write them (`django/forms/widgets/attrs.html`):
    in their order, a False value left out, a True one written bare. Not `flatatt`, which sorts
    them and drops None: the HTML would differ from the other widgets'."""
    return format_html_join(
        "",
        "{}",
        (
            (format_html(" {}", name) if value is True else format_html(' {}="{}"', name, value),)
            for name, value in attrs.items()
            if value is not False
        ),
    )


class ManyOptionsSelect(forms.Select):
    """A `Select` whose options are written in one pass, not one included template each: the
    same HTML as Django's own (`select.html`, `select_option.html`), for a list that may hold
    thousands (a national body's teams: 35 microseconds an option through the templates), and
    from the choices as they are rather than from the dictionary Django makes of each option
    (an administrator's 126 teams on every team page). Option groups and multiple choice are
    left to Django's templates."""

    def render(self, name, value, attrs=None, renderer=None):
        choices = [
            ("" if option_value is None else option_value, label)
            for option_value, label in self.choices
        ]
        if self.allow_multiple_selected or any(
            isinstance(label, list | tuple) for _value, label in choices
        ):
            return super().render(name, value, attrs, renderer)
        # What `Select.get_context` gives but its options (`optgroups`: a dictionary each).
        widget = forms.Widget.get_context(self, name, value, attrs)["widget"]
        values = widget["value"]
        rows = []
        selected = False
        for option_value, label in choices:
            text = str(option_value)
            # The first option whose value is the field's is selected, as Django's `optgroups`.
            chosen = not selected and text in values
            selected |= chosen
            rows.append((text, " selected" if chosen else "", label))
        # The line breaks of Django's templates.
        options = format_html_join("", '\n  <option value="{}"{}>{}</option>\n', rows)
        return format_html(
            '<select name="{}"{}>{}\n</select>',
            widget["name"],
            _attributes(widget["attrs"]),
            options,
        )


class PlainDateInput(forms.DateInput):
    """A `DateInput` written in one line of Python: the same HTML as Django's templates
    (`date.html`, `input.html`, `attrs.html`, three templates for one element), on every audit
    page's filters twice."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        value = widget["value"]
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            format_html(' value="{}"', str(value)) if value is not None else "",
            _attributes(widget["attrs"]),
        )
