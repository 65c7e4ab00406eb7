"""Select widgets render through ``templates/django/forms/widgets/select.html`` and ``{% select_options %}``: the
same HTML as Django's own templates, for every kind of choice (groups, selected and disabled options, text that
must be escaped, several values), only faster (docs/performance.md, "the signed-in floor")."""

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates, get_default_renderer
from django.test import SimpleTestCase

CHOICES = [
    ("", "---------"),
    ("a", 'Alder <County> & "Sons"'),
    ("Group one", [("b", "Birch"), (3, "Three")]),
    ("c", "Cedar"),
]


class DisabledOptionSelect(forms.Select):
    def create_option(self, name, value, *args, **kwargs):
        option = super().create_option(name, value, *args, **kwargs)
        if value == "c":
            option["attrs"]["disabled"] = True
        option["attrs"]["data-x"] = False
        return option


class SelectOptionsTests(SimpleTestCase):
    def assertSameAsDjango(self, widget, value):
        ours = widget.render("field", value, attrs={"class": "usa-select", "id": "id_field"})
        django = widget.render(
            "field", value, attrs={"class": "usa-select", "id": "id_field"}, renderer=DjangoTemplates()
        )
        self.assertEqual(ours, django)
        return ours

    def test_a_plain_select_with_groups_escaping_and_a_choice_is_rendered_as_django_does(self):
        html = self.assertSameAsDjango(forms.Select(choices=CHOICES), "b")
        self.assertIn('<option value="b" selected>Birch</option>', html)
        self.assertIn("Alder &lt;County&gt; &amp; &quot;Sons&quot;", html)

    def test_several_values_disabled_and_false_attributes_and_nothing_chosen_are_rendered_as_django_does(self):
        self.assertSameAsDjango(forms.SelectMultiple(choices=CHOICES), ["a", "3"])
        self.assertSameAsDjango(DisabledOptionSelect(choices=CHOICES), None)
        self.assertSameAsDjango(forms.NullBooleanSelect(), True)

    def test_the_projects_select_template_is_the_one_used(self):
        template = get_default_renderer().get_template("django/forms/widgets/select.html")
        self.assertEqual(template.origin.name, str(settings.BASE_DIR / "templates/django/forms/widgets/select.html"))
