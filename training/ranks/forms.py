"""The rank form of the rank order page."""

from __future__ import annotations

from django import forms


class RankForm(forms.Form):
    name = forms.CharField(max_length=60, help_text="E.g. Deputy, Sergeant, Lieutenant.")
    seniority = forms.IntegerField(
        min_value=0, max_value=32767, help_text="Higher is more senior (e.g. deputy 10, sergeant 20, lieutenant 30)."
    )
