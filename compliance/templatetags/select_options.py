"""``{% select_options options %}``: a select's options written in Python (used by the select widget template).

The same characters as Django's ``select_option.html`` and ``attrs.html`` included once per option (each option on
its own line after two spaces, the value and every attribute escaped, ``True`` attributes bare, ``False`` ones left
out), without two template includes and an attribute loop per option: a select of 50 supervisors cost about a
millisecond that way. An option whose widget names another template (a custom widget's) is rendered by it.
"""

from django import template
from django.template.base import render_value_in_context
from django.template.loader import get_template
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

#: Django's option template, the one this tag writes itself.
OPTION_TEMPLATE = "django/forms/widgets/select_option.html"


def _attributes(attrs: dict) -> str:
    """``attrs.html``: `` name="value"`` for each attribute, `` name`` for True, nothing for False."""
    return "".join(
        f" {conditional_escape(name)}"
        if value is True
        else f' {conditional_escape(name)}="{conditional_escape(str(value))}"'
        for name, value in attrs.items()
        if value is not False
    )


@register.simple_tag(takes_context=True)
def select_options(context, options) -> SafeString:
    """The options of one group of a select widget (``widget.optgroups``' second item), as HTML.

    Args:
        context: the widget template's context (labels are rendered in it, as ``{{ option.label }}`` would be).
        options: the option dicts Django's ``ChoiceWidget.create_option`` makes.

    Returns:
        Safe HTML: for each option a newline, two spaces and the option's element followed by a newline.
    """
    parts = []
    for option in options:
        if option["template_name"] != OPTION_TEMPLATE:
            parts.append("\n  " + get_template(option["template_name"]).render({"widget": option}))
            continue
        parts.append(
            f'\n  <option value="{conditional_escape(str(option["value"]))}"{_attributes(option["attrs"])}>'
            f"{render_value_in_context(option['label'], context)}</option>\n"
        )
    return mark_safe("".join(parts))  # noqa: S308 (every part escaped above)
