"""What the template sandbox accepts, known without importing Jinja: the longest source and the
names of its filters (checked against the sandbox itself by the tests).

`kiosk flows check` reads most templates without Jinja's parser (`kiosk.flow.template_facts`);
with these it need not import Jinja at all when every template has one of the common shapes.
"""

from __future__ import annotations

MAX_SOURCE = 4000
"""Longest template or expression accepted, in characters."""

JINJA_FILTERS = frozenset(
    {
        "abs", "attr", "batch", "capitalize", "center", "count", "d", "default", "dictsort",
        "e", "escape", "filesizeformat", "first", "float", "forceescape", "format", "groupby",
        "indent", "int", "items", "join", "last", "length", "list", "lower", "map", "max", "min",
        "pprint", "random", "reject", "rejectattr", "replace", "reverse", "round", "safe",
        "select", "selectattr", "slice", "sort", "string", "striptags", "sum", "title", "tojson",
        "trim", "truncate", "unique", "upper", "urlencode", "urlize", "wordcount", "wordwrap",
        "xmlattr",
    }
)  # fmt: skip
"""Jinja's own filters (`jinja2.filters.FILTERS`, Jinja 3.1)."""

KIOSK_FILTERS = frozenset(
    {
        "add_days", "add_months", "age", "birth_date", "date_text", "digits", "mask_id",
        "mask_name", "mask_phone", "mask_text", "money",
    }
)  # fmt: skip
"""The filters `kiosk.flow.expressions` adds."""

FILTERS = JINJA_FILTERS | KIOSK_FILTERS
"""Every filter a template may use."""
