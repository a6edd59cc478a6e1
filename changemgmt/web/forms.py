"""Bridging service errors and page forms: the services validate (with the same form classes the
pages render), the pages show the service's field-named errors next to each field."""
from django import forms
from django.core.exceptions import ValidationError


def post_data(post, form_class) -> dict:
    """A plain dict of a form's fields from a POST. Multi-value fields become lists — empty when
    every box is unticked, so unticking clears — and keys the form does not know are dropped."""
    data = {}
    for name, field in form_class.base_fields.items():
        if isinstance(field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
            data[name] = post.getlist(name)
        elif name in post:
            data[name] = post[name]
    return data


def bind_errors(form: forms.BaseForm, error: ValidationError) -> forms.BaseForm:
    """Put the service's errors on the bound `form` (skipping ones the form found itself)."""
    form.is_valid()
    found = form.errors.get_json_data()
    by_field = error.message_dict if hasattr(error, "error_dict") else {None: error.messages}
    for name, messages in by_field.items():
        target = name if name in form.fields else None
        known = {item["message"] for item in found.get(target or "__all__", [])}
        for message in messages:
            if message not in known:
                form.add_error(target, f"{name}: {message}" if name and target is None else message)
    return form
