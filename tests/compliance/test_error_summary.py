"""The error summary of long forms (templates/includes/error_summary.html).

Above a form with errors: each field in error as a link to its input (a group of
choices: its first choice), then the errors of hidden fields and of no field, each
once. It takes the focus on load (static/js/error_summary.js; tested in a browser in
tests/browser/test_detainer_form.py).
"""

import re

from django import forms
from django.template.loader import render_to_string
from django.test import SimpleTestCase
from django.urls import reverse

from tests.base import BaseTestCase, sign_in


class SampleForm(forms.Form):
    name = forms.CharField(label="Name")
    days = forms.MultipleChoiceField(
        label="Days", choices=[("mon", "Monday"), ("tue", "Tuesday")], widget=forms.CheckboxSelectMultiple
    )
    token = forms.CharField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("These values do not go together.")


def rendered(form) -> str:
    return render_to_string("includes/error_summary.html", {"form": form}) + render_to_string(
        "includes/form.html", {"form": form, "error_summary": True}
    )


class ErrorSummaryIncludeTests(SimpleTestCase):
    def test_it_links_each_field_in_error_and_lists_the_others_once(self):
        form = SampleForm({"name": ""})
        self.assertFalse(form.is_valid())
        html = rendered(form)
        self.assertEqual(
            re.findall(r'<a href="(#[^"]+)" data-testid="error-link-(\w+)">([^<]+)</a>', html),
            [
                ("#id_name", "name", "Name: This field is required."),
                ("#id_days_0", "days", "Days: This field is required."),
            ],
        )
        self.assertIn('id="id_days_0"', html)  # the first checkbox the link leads to
        self.assertIn("<li>Token: This field is required.</li>", html)
        self.assertEqual(html.count("These values do not go together."), 1)  # not again above the fields

    def test_nothing_is_shown_for_a_form_without_errors(self):
        self.assertNotIn("data-error-summary", render_to_string("includes/error_summary.html", {"form": SampleForm()}))


class LongFormsHaveTheSummaryTests(BaseTestCase):
    def test_the_outreach_incident_and_officer_forms_show_it(self):
        sign_in(self.client, self.admin_a)
        pages = {
            reverse("community:outreach_create"): ({"location": "Library (invented)"}, "title"),
            reverse("incidents:incident_create"): ({"description": "Invented."}, "title"),
            reverse("training:officer_create"): ({"unit": "Jail"}, "last_name"),
        }
        for url, (data, field) in pages.items():
            with self.subTest(url=url):
                response = self.client.post(url, data)
                self.assertContains(response, 'data-testid="error-summary"')
                self.assertContains(response, f'data-testid="error-link-{field}"')
                self.assertContains(response, "<title>Error: ")
