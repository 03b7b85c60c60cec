"""Forms of the comment pages: they check the shape of the input; comments.services checks the rules."""

from django import forms
from django.utils.translation import gettext_lazy as _

from comments.models import BODY_MAX_LENGTH
from okrs.forms import TextAreaField


class CommentForm(forms.Form):
    body = TextAreaField(
        label=_("Comment"),
        max_length=BODY_MAX_LENGTH,
        help_text=_("Type @ and a name to mention a member; they are told."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    key_result = forms.TypedChoiceField(label=_("About"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args, key_results=None, mentions_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.update({"data-mentions-url": mentions_url, "autocomplete": "off"})
        if key_results is None:
            del self.fields["key_result"]
        else:
            self.fields["key_result"].choices = [("", _("The objective"))] + [
                (kr.pk, _("Key result: %(title)s") % {"title": kr.title}) for kr in key_results
            ]


class CommentEditForm(forms.Form):
    body = TextAreaField(
        label=_("Comment"), max_length=BODY_MAX_LENGTH, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args, mentions_url="", **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["body"].widget.attrs.update({"data-mentions-url": mentions_url, "autocomplete": "off"})
