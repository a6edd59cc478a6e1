"""API routes of the inbox (included at /api/)."""
from rest_framework.routers import SimpleRouter

from changemgmt.notifications.api import views

router = SimpleRouter()
router.register("inbox/preferences", views.EmailPreferenceViewSet, basename="api-inbox-preference")
router.register("inbox", views.InboxViewSet, basename="api-inbox")
urlpatterns = router.urls
