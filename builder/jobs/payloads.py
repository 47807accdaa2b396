"""Job data is bounded: a value over the limit is stored as a marked, clipped preview."""

import json
from typing import Any

from django.conf import settings


def bounded(value: Any) -> Any:
    if value is None:
        return None
    text = json.dumps(value, ensure_ascii=False, default=str)
    limit = settings.JOB_DATA_LIMIT
    if len(text) <= limit:
        return value
    return {"_truncated": True, "size": len(text), "preview": text[:limit]}
