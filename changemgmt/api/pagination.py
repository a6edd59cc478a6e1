"""The API's page-number pagination, counting with changemgmt.web.paging.BoundedPaginator: `count` is
exact up to EXACT_COUNT_LIMIT rows; past it, the table's estimate (unfiltered) or the limit + 1."""
from rest_framework.pagination import PageNumberPagination

from changemgmt.web.paging import BoundedPaginator


class BoundedPageNumberPagination(PageNumberPagination):
    django_paginator_class = BoundedPaginator
