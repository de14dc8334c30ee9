"""The form renderer: Django's, except that a choice widget's options are written here, in Python.

Django renders every `<option>` of a `<select>` (and every checkbox or radio button of a list of them) through
its own template include: a select of 200 partners was 600 template renders, most of a form page's time. The
widgets named below are written by the functions in this module instead, as one string join, to the byte the
HTML that Django's templates give (`tests/partnerhub/test_form_renderer.py` compares the two). Their context
is Django's own (`Widget.get_context`), so the selected value, the required and aria-invalid attributes, the
ids the labels point at and the escaping are the widget's as before. Every other template (the form, a
field, a text input) is rendered by Django's templates as usual. Set as `FORM_RENDERER` in the settings, so
every form gets it, a model form's generated partner select included.
"""

import html
from collections.abc import Callable
from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in django-stubs


def _text(value: Any) -> str:
    """`{{ value }}` in a template: localized (numbers, dates) and escaped unless already safe."""
    if type(value) is str:  # most labels and names: Django's escape() is this, without its lazy wrapper
        return html.escape(value)
    return conditional_escape(localize(template_localtime(value)))


def _string(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: str() of the value, escaped unless it was safe."""
    if isinstance(value, SafeData):
        return conditional_escape(value)
    return html.escape(str(value))


def _attrs(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: True is a bare attribute, False leaves the attribute out."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {_text(name)}" if value is True else f' {_text(name)}="{_string(value)}"')
    return "".join(parts)


def _select_option(option: dict[str, Any]) -> str:
    value, attrs, label = _string(option["value"]), _attrs(option["attrs"]), _text(option["label"])
    return f'<option value="{value}"{attrs}>{label}</option>'


def _input(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html (its line break included)."""
    value = "" if widget["value"] is None else f' value="{_string(widget["value"])}"'
    type_, name, attrs = _text(widget["type"]), _text(widget["name"]), _attrs(widget["attrs"])
    return f'<input type="{type_}" name="{name}"{value}{attrs}>\n'


def _input_option(option: dict[str, Any]) -> str:
    """django/forms/widgets/checkbox_option.html and radio_option.html: a checkbox or radio button in its
    label (with the line breaks of the two templates they include)."""
    if not option["wrap_label"]:
        return f"{_input(option)}\n\n"
    id_ = option["attrs"].get("id")
    label_for = f' for="{_text(id_)}"' if id_ else ""
    return f"<label{label_for}>{_input(option)} {_text(option['label'])}</label>\n\n"


def select(context: dict[str, Any]) -> str:
    """django/forms/widgets/select.html (a select of one or of several)."""
    widget = context["widget"]
    parts = [f'<select name="{_text(widget["name"])}"{_attrs(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{_text(group_name)}">')
        parts.extend(f"\n  {_select_option(choice)}\n" for choice in group_choices)
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")
    return "".join(parts)


def multiple_input(context: dict[str, Any]) -> str:
    """django/forms/widgets/multiple_input.html: a list of checkboxes or radio buttons."""
    widget = context["widget"]
    attrs = widget["attrs"]
    id_ = f' id="{_text(attrs["id"])}"' if attrs.get("id") else ""
    class_ = f' class="{_text(attrs["class"])}"' if attrs.get("class") else ""
    parts = [f"<div{id_}{class_}>"]
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            parts.append(f"\n  <div><label>{_text(group_name)}</label>")
        parts.extend(f"<div>\n    {_input_option(choice)}</div>" for choice in group_choices)
        if group_name:
            parts.append("\n  </div>")
    parts.append("\n</div>")
    return "".join(parts)


# Each widget template written here, with the option templates its writer stands in for.
WRITERS: dict[str, tuple[Callable[[dict[str, Any]], str], set[str]]] = {
    "django/forms/widgets/select.html": (select, {"django/forms/widgets/select_option.html"}),
    "django/forms/widgets/checkbox_select.html": (
        multiple_input,
        {"django/forms/widgets/checkbox_option.html", "django/forms/widgets/radio_option.html"},
    ),
    "django/forms/widgets/radio.html": (
        multiple_input,
        {"django/forms/widgets/checkbox_option.html", "django/forms/widgets/radio_option.html"},
    ),
}


def _writer(template_name: str, context: dict[str, Any]) -> Callable[[dict[str, Any]], str] | None:
    """The writer of a widget template, unless a widget of its own names another option template."""
    writer, option_templates = WRITERS.get(template_name, (None, set()))
    if writer is None:
        return None
    for _group, options, _index in context["widget"]["optgroups"]:
        if any(option["template_name"] not in option_templates for option in options):
            return None
    return writer


class FormRenderer(DjangoTemplates):
    def render(self, template_name: str, context: dict[str, Any], request: HttpRequest | None = None) -> str:
        writer = _writer(template_name, context)
        if writer is None:
            return super().render(template_name, context, request=request)
        return mark_safe(writer(context).strip())  # noqa: S308 - every value is escaped by _text or _string
