"""The keyboard shortcuts: every page loads static/js/shortcuts.js and links the help page that lists them."""


def test_the_help_page_lists_the_shortcuts_and_every_page_loads_them(client, requester):
    client.force_login(requester)
    page = client.get("/help/shortcuts/").content.decode()
    assert "Go to My approvals" in page and "Select or unselect the row" in page
    home = client.get("/changes/").content.decode()
    assert "js/shortcuts.js" in home and 'href="/help/shortcuts/"' in home


def test_the_help_page_needs_a_role(client, outsider):
    client.force_login(outsider)
    assert client.get("/help/shortcuts/").status_code == 403
