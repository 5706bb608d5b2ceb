from __future__ import annotations

from django import template
from django.forms import BoundField
from django.utils.safestring import SafeString

register = template.Library()

_WIDGET_CLASSES = {
    "textarea": "nhsuk-textarea",
    "select": "nhsuk-select",
}


@register.simple_tag
def nhsuk_widget(field: BoundField) -> SafeString:
    """Render a form widget with the NHS.UK class names and the hint and error ids a screen
    reader needs to announce them."""
    base_class = _WIDGET_CLASSES.get(field.widget_type, "nhsuk-input")
    classes = [base_class]
    if field.errors:
        classes.append(f"{base_class}--error")
    described_by = []
    if field.help_text:
        described_by.append(f"{field.auto_id}-hint")
    if field.errors:
        described_by.append(f"{field.auto_id}-error")
    attrs: dict[str, str | bool] = {"class": " ".join(classes)}
    if described_by:
        attrs["aria-describedby"] = " ".join(described_by)
    return SafeString(field.as_widget(attrs=attrs))


@register.filter
def get_item(mapping: dict[object, object], key: object) -> object:
    """Look up a key in a dictionary from a template: ``{{ mapping|get_item:key }}``."""
    return mapping.get(key, [])
