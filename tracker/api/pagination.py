from rest_framework.pagination import PageNumberPagination


class ApiPagination(PageNumberPagination):
    """`?page=N&page_size=M`. A larger page_size is capped, not refused, so a client
    asking for "everything" still gets a bounded response."""

    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
