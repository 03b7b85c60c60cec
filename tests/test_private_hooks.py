"""Rumbo overrides a few underscore methods of Django and drf-spectacular where no public hook does the job.
Each is pinned here: an upgrade that renames, drops or stops calling one fails this test loudly, instead of
silently turning the override off."""

import inspect

import django
import drf_spectacular
from django import forms
from drf_spectacular.openapi import AutoSchema

from accounts.admin_base import ServiceModelForm
from common.schema import AutoSchema as RumboSchema

# common.schema.AutoSchema: error responses and headers documented on every operation, unknown fields
# refused in request bodies, list bodies unwrapped. Each override calls the parent with these arguments.
SPECTACULAR_HOOKS = {
    "_get_response_bodies": ["self", "direction"],
    "_get_response_headers_for_code": ["self", "status_code", "direction"],
    "_map_basic_serializer": ["self", "serializer", "direction"],
    "_unwrap_list_serializer": ["self", "serializer", "direction"],
    "_get_request_body": ["self", "direction"],
}


def test_the_drf_spectacular_hooks_still_exist_with_the_same_arguments():
    assert drf_spectacular.__version__.split(".")[0] == "0", drf_spectacular.__version__
    for name, parameters in SPECTACULAR_HOOKS.items():
        assert hasattr(AutoSchema, name), f"drf-spectacular no longer has AutoSchema.{name}"
        assert list(inspect.signature(getattr(AutoSchema, name)).parameters) == parameters, name
        assert name in RumboSchema.__dict__, f"common.schema.AutoSchema no longer overrides {name}"


def test_django_forms_still_end_validation_with_post_clean():
    # accounts.admin_base.ServiceModelForm saves through the service in _post_clean, the step Django runs
    # after clean() (where ModelForm would build and validate the instance itself).
    assert django.VERSION[:2] == (5, 2), django.VERSION
    full_clean = inspect.getsource(forms.BaseForm.full_clean)
    assert "self._post_clean()" in full_clean
    assert full_clean.index("self._clean_form()") < full_clean.index("self._post_clean()")
    assert "_post_clean" in ServiceModelForm.__dict__
    assert hasattr(forms.ModelForm, "_post_clean")
