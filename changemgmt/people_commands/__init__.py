"""Management commands that replace django.contrib.auth's user-writing ones with doors to
changemgmt.people_services. A command of an app listed earlier in INSTALLED_APPS wins, and
django.contrib.auth must stay ahead of changemgmt (whose admin replaces auth's), so these live in
this small app of their own, listed before django.contrib.auth."""
