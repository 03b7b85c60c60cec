"""Admin scoped to an organization: its admins see and change only their organization's rows.

Writes go through the same services as the pages and the API. A service is called while the form is
validated (ServiceModelForm), so that its refusal shows on the form like any validation error; the
request's transaction is rolled back whenever the page comes back with errors, so a form that fails
after an earlier one of the same page succeeded (an inline row, say) leaves nothing behind.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as django_delete_selected
from django.contrib.admin.filters import AllValuesFieldListFilter, RelatedOnlyFieldListFilter
from django.contrib.admin.utils import get_fields_from_path
from django.core.exceptions import ValidationError
from django.db import models, router, transaction
from django.forms.models import BaseInlineFormSet
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import membership_for_request
from common.exceptions import ApplicationError
from common.form_errors import add_service_errors

SERVICE_ERRORS = (ApplicationError, ValidationError)


class OrganizationScopedAdmin(admin.ModelAdmin):
    """`organization_path` is the lookup from the model to its Organization ("" for Organization itself)."""

    organization_path = "organization"

    def _organization(self, request):
        if not hasattr(request, "_admin_membership"):
            request._admin_membership = membership_for_request(request)
        membership = request._admin_membership
        return membership.organization if membership and membership.is_admin else None

    def _allowed(self, request) -> bool:
        return (
            request.user.is_active
            and request.user.is_staff
            and (request.user.is_superuser or self._organization(request) is not None)
        )

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        if request.user.is_superuser:
            return queryset
        organization = self._organization(request)
        if organization is None:
            return queryset.none()
        return queryset.filter(**{self.organization_path or "pk": organization.pk})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_scoped(self, db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **_scoped(self, db_field, request, kwargs))

    def get_list_filter(self, request):
        """A filter offers only values found in the admin's own rows (a superuser's offer every row's)."""
        list_filter = super().get_list_filter(request)
        if request.user.is_superuser:
            return list_filter
        return [_scoped_filter(self.model, item) for item in list_filter]

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)

    def get_changeform_initial_data(self, request):
        initial = super().get_changeform_initial_data(request)
        organization = self._organization(request)
        if organization is not None and self.organization_path == "organization":
            initial.setdefault("organization", organization.pk)
        return initial


def service_error_text(error: ApplicationError | ValidationError) -> str:
    return error.message if isinstance(error, ApplicationError) else " ".join(error.messages)


class ServiceModelForm(forms.ModelForm):
    """An admin form saved by a service instead of `Model.save()`.

    The service runs at the end of validation, so a refusal is a form error (the page answers 200 with
    the form and the reason, nothing is stored) rather than a 500 or a false "added successfully".
    The service validates the model itself; the form checks only the shape of the input. `save()`
    then just hands the stored row to the admin. `service_admin` and `service_request` are set by
    the admin (ServiceAdmin.get_form, ServiceInline.get_formset).
    """

    service_admin = None
    service_request = None
    # What the service did: "created", "changed", "deleted" or None (nothing to do); or why it refused.
    service_outcome = None
    service_error = None

    def _post_clean(self):
        try:
            if self.cleaned_data.get("DELETE"):
                self._delete()  # an inline row marked for deletion: its other fields do not matter
            elif not self._errors and (self.instance.pk is None or self.has_changed()):
                self._save()
        except SERVICE_ERRORS as error:
            self.service_error = error
            add_service_errors(self, error)

    def _delete(self):
        pk = self.instance.pk
        if pk is not None:
            self.service_admin.service_delete(self.service_request, self.instance)
            self.service_outcome = "deleted"
            # Django clears a deleted row's pk; the formset and the admin's log still name the row by it.
            self.instance.pk = pk

    def _save(self):
        names = [name for name in self._meta.fields or () if name in self.cleaned_data]
        fields = {name: self.cleaned_data[name] for name in names}
        if self.instance.pk is None:
            saved = self.service_admin.service_create(self.service_request, self, fields)
            self.service_outcome = "created"
        else:
            saved = self.service_admin.service_update(self.service_request, self.instance, fields)
            self.service_outcome = "changed"
        _adopt(self.instance, saved)

    def save(self, commit=True):
        if self.errors:
            raise ValueError("A form with errors cannot be saved.")
        self.save_m2m = lambda: None  # the service set the relations
        return self.instance


def _adopt(instance, saved) -> None:
    """Give the form's instance the stored row's values, so that the admin logs and links the right row."""
    if saved is None or saved is instance:
        return
    for field in saved._meta.concrete_fields:
        setattr(instance, field.attname, getattr(saved, field.attname))
    instance._state.adding = False
    instance._state.db = saved._state.db


def _bind(form_class, admin_object, request):
    return type(
        form_class.__name__, (form_class,), {"service_admin": admin_object, "service_request": request}
    )


class ServiceAdmin(OrganizationScopedAdmin):
    """Add, change and delete through services: subclasses implement service_create/update/delete."""

    form = ServiceModelForm

    def service_create(self, request, form, fields: dict):
        raise NotImplementedError

    def service_update(self, request, obj, fields: dict):
        raise NotImplementedError

    def service_delete(self, request, obj) -> None:
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        return _bind(super().get_form(request, obj, change, **kwargs), self, request)

    def save_model(self, request, obj, form, change):
        """Saved already, by the service the form called when it was validated."""

    def save_formset(self, request, form, formset, change):
        if isinstance(formset, ServiceInlineFormSet):
            formset.save()  # reports what the services did; they already wrote
        else:
            super().save_formset(request, form, formset, change)

    def delete_model(self, request, obj):
        self.service_delete(request, obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.service_delete(request, obj)

    def _changeform_view(self, request, object_id, form_url, extra_context):
        response = super()._changeform_view(request, object_id, form_url, extra_context)
        if request.method == "POST" and _shows_errors(response):
            transaction.set_rollback(True, using=router.db_for_write(self.model))
        return response

    def get_deleted_objects(self, objs, request):
        # What a delete takes with it (check-ins, snapshots…) is the service's business, not a matter
        # of the admin's permissions on those rows, several of which nobody may delete by hand.
        to_delete, model_count, _perms_needed, protected = super().get_deleted_objects(objs, request)
        return to_delete, model_count, set(), protected

    def delete_view(self, request, object_id, extra_context=None):
        try:
            return super().delete_view(request, object_id, extra_context)
        except SERVICE_ERRORS as error:
            self.message_user(request, service_error_text(error), messages.ERROR)
            info = (self.opts.app_label, self.opts.model_name)
            return HttpResponseRedirect(reverse("admin:{}_{}_change".format(*info), args=[object_id]))

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _function, name, description = actions["delete_selected"]
            actions["delete_selected"] = (delete_selected, name, description)
        return actions


@admin.action(permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s"))
def delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, through the services: all the selected rows go, or none and the reason shows."""
    try:
        with transaction.atomic(using=router.db_for_write(modeladmin.model)):
            return django_delete_selected(modeladmin, request, queryset)
    except SERVICE_ERRORS as error:
        modeladmin.message_user(
            request,
            _("Nothing was deleted: %(reason)s") % {"reason": service_error_text(error)},
            messages.ERROR,
        )
        return None


def _shows_errors(response) -> bool:
    context = getattr(response, "context_data", None) or {}
    return bool(context.get("errors"))


class ServiceInlineFormSet(BaseInlineFormSet):
    """Inline rows saved by services while they were validated; save() only reports what happened."""

    def clean(self):
        super().clean()
        # A formset ignores the errors of rows marked for deletion; a refused deletion must still show.
        refused = [
            service_error_text(form.service_error)
            for form in self.forms
            if form.service_error is not None and self._should_delete_form(form)
        ]
        if refused:
            raise ValidationError(refused)

    def save(self, commit=True):
        forms_ = [form for form in self.forms if getattr(form, "service_outcome", None)]
        self.new_objects = [form.instance for form in forms_ if form.service_outcome == "created"]
        self.changed_objects = [
            (form.instance, form.changed_data) for form in forms_ if form.service_outcome == "changed"
        ]
        self.deleted_objects = [form.instance for form in forms_ if form.service_outcome == "deleted"]
        return self.new_objects + [obj for obj, _changed in self.changed_objects]


class ServiceInline(admin.StackedInline):
    """An inline whose rows are created, changed and deleted by services (see ServiceModelForm).

    The parent must exist first: its add page shows no inline rows.
    """

    form = ServiceModelForm
    formset = ServiceInlineFormSet
    extra = 0

    def service_create(self, request, form, fields: dict):
        raise NotImplementedError

    def service_update(self, request, obj, fields: dict):
        raise NotImplementedError

    def service_delete(self, request, obj) -> None:
        raise NotImplementedError

    def get_formset(self, request, obj=None, **kwargs):
        kwargs["form"] = _bind(self.form, self, request)
        return super().get_formset(request, obj, **kwargs)

    # The parent's admin decides who may work here, and which rows a foreign key may choose from.
    def _parent_admin(self) -> OrganizationScopedAdmin:
        return self.admin_site._registry[self.parent_model]

    def _organization(self, request):
        return self._parent_admin()._organization(request)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **_scoped(self, db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **_scoped(self, db_field, request, kwargs))

    def has_view_permission(self, request, obj=None):
        return self._parent_admin()._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._parent_admin()._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._parent_admin()._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._parent_admin()._allowed(request)


def _scoped(model_admin, db_field, request, kwargs: dict) -> dict:
    """Limit a relation's choices to the admin's organization (a superuser sees every row).

    The choices are also what a posted id is checked against, so another organization's row is refused.
    """
    organization = None if request.user.is_superuser else model_admin._organization(request)
    related = db_field.related_model
    scope = _scope_for(related, model_admin.admin_site)
    if organization is not None and scope is not None:
        queryset = kwargs["queryset"] if "queryset" in kwargs else related._default_manager.all()
        kwargs["queryset"] = queryset.filter(**{scope: organization.pk}).distinct()
    return kwargs


def _scope_for(model, admin_site) -> str | None:
    """How to reach the organization from a related model, when it belongs to one."""
    from django.contrib.auth import get_user_model

    registered = admin_site._registry.get(model)
    if isinstance(registered, OrganizationScopedAdmin):
        return registered.organization_path or "pk"
    if model is get_user_model():
        return "memberships__organization"
    if model._meta.label == "accounts.Organization":
        return "pk"
    for path in ("organization", "cycle__organization", "objective__cycle__organization"):
        try:
            model._meta.get_field(path.split("__")[0])
        except Exception:  # noqa: BLE001 - FieldDoesNotExist, tried in order
            continue
        return path
    return None


class ScopedAllValuesFieldListFilter(AllValuesFieldListFilter):
    """Django's "all values" filter reads a related model's every row; this one reads the admin's rows."""

    def __init__(self, field, request, params, model, model_admin, field_path):
        super().__init__(field, request, params, model, model_admin, field_path)
        self.lookup_choices = (
            model_admin.get_queryset(request)
            .distinct()
            .order_by(field_path)
            .values_list(field_path, flat=True)
        )


def _scoped_filter(model, item):
    """A list filter naming a relation, or a field across one, offers only values of the admin's rows."""
    if not isinstance(item, str):
        return item
    field = get_fields_from_path(model, item)[-1]
    if field.is_relation:
        return (item, RelatedOnlyFieldListFilter)
    if "__" in item and not field.choices and not isinstance(field, (models.DateField, models.BooleanField)):
        return (item, ScopedAllValuesFieldListFilter)
    return item
