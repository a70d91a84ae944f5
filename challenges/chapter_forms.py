"""The chapter list's search form: shape only; the search itself is `chapter_selectors.chapters_for_list`."""

from django import forms
from django.utils.translation import gettext_lazy as _


class ChapterFilterForm(forms.Form):
    q = forms.CharField(
        label=_("Search"),
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("Name, city or country")}),
    )
    country = forms.ChoiceField(label=_("Country"), required=False)

    def __init__(self, *args, countries: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        # Only countries that have a chapter: an empty choice would only lead to an empty page.
        self.fields["country"].choices = [("", _("Any country")), *countries]
