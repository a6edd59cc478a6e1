"""Markup the Python row tags write exactly as Django's template tags would (so a page rendered by a row
tag is byte for byte the template it replaced)."""
from html import escape


def csrf_field(token) -> str:
    """What `{% csrf_token %}` renders for the context's token: nothing without one or for NOTPROVIDED."""
    if not token or token == "NOTPROVIDED":
        return ""
    return f'<input type="hidden" name="csrfmiddlewaretoken" value="{escape(str(token))}">'
