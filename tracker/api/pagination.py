"""Page-number pagination that stays fast on million-row tables.

`?page=N&page_size=M` (M up to 500; larger is capped, not refused). The page is fetched
with one extra row to know whether there is a next page (on the last page that also
gives the total, so no COUNT runs), and `count` is exact up to COUNT_LIMIT rows and null
beyond: an exact COUNT(*) over a million progress entries costs
more than the page itself (~130 ms on PostgreSQL), and a client syncing a large table
follows `next` or filters with `updated_since` rather than reading a total.
"""

from __future__ import annotations

from collections import OrderedDict

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from rest_framework.exceptions import NotFound
from rest_framework.pagination import BasePagination, _positive_int
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param

COUNT_LIMIT = 10_000
MAX_OFFSET = 2**63 - 1


class ApiPagination(BasePagination):
    page_size = 50
    max_page_size = 500
    page_query_param = "page"
    page_size_query_param = "page_size"

    def get_page_size(self, request: Request) -> int:
        try:
            return _positive_int(request.query_params[self.page_size_query_param], strict=True,
                                 cutoff=self.max_page_size)
        except (KeyError, ValueError):
            return self.page_size

    def paginate_queryset(self, queryset: QuerySet, request: Request, view=None) -> list:
        self.request = request
        self.size = self.get_page_size(request)
        try:
            self.number = _positive_int(request.query_params.get(self.page_query_param, 1),
                                        strict=True)
        except ValueError:
            raise NotFound(_("页码无效。")) from None
        offset = (self.number - 1) * self.size
        if offset + self.size + 1 > MAX_OFFSET:
            # Beyond any table, and beyond the 64-bit OFFSET the database takes (a 500).
            raise NotFound(_("页码超出范围。"))
        # One row more than the page, to know whether a next page exists without a count.
        rows = list(queryset[offset:offset + self.size + 1])
        self.has_next = len(rows) > self.size
        rows = rows[:self.size]
        if self.number > 1 and not rows:
            raise NotFound(_("页码超出范围。"))
        if not self.has_next:
            # The last page: the total is known without asking.
            counted = offset + len(rows)
        else:
            # COUNT over at most COUNT_LIMIT + 1 rows: cheap at any table size.
            counted = queryset.order_by().values("pk")[:COUNT_LIMIT + 1].count()
        self.count = counted if counted <= COUNT_LIMIT else None
        return rows

    def _link(self, number: int | None) -> str | None:
        if number is None:
            return None
        url = self.request.build_absolute_uri()
        if number == 1:
            return remove_query_param(url, self.page_query_param)
        return replace_query_param(url, self.page_query_param, number)

    def get_paginated_response(self, data) -> Response:
        return Response(OrderedDict([
            ("count", self.count),
            ("next", self._link(self.number + 1 if self.has_next else None)),
            ("previous", self._link(self.number - 1 if self.number > 1 else None)),
            ("results", data),
        ]))

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "next", "previous", "results"],
            "properties": {
                "count": {"type": "integer", "nullable": True,
                          "description": f"Exact up to {COUNT_LIMIT}; null above."},
                "next": {"type": "string", "nullable": True, "format": "uri"},
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {"name": self.page_query_param, "required": False, "in": "query",
             "description": "Page number, from 1.", "schema": {"type": "integer"}},
            {"name": self.page_size_query_param, "required": False, "in": "query",
             "description": f"Rows per page (default {self.page_size}, "
                            f"at most {self.max_page_size}).",
             "schema": {"type": "integer"}},
        ]
