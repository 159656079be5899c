"""Schemathesis hooks for scripts/schemathesis.sh (loaded through SCHEMATHESIS_HOOKS).

A listing has two rules that JSON Schema cannot state and the description says in prose
(`ListingRequest`): its schedule is relative to now and to itself (it ends in the future,
5 minutes to 30 days after it starts), and it offers pickup, shipping or both. A request
the schema calls valid would be refused for them alone, so before a positive (valid)
listing request is sent its times are moved to a valid window and, when it would offer
neither, the other way is offered. Nothing else is changed: every other field is tested as
generated, and negative requests are sent as generated.
"""

from datetime import datetime, timedelta, timezone

import schemathesis

LISTING_BODIES = {("POST", "/api/v1/listings"), ("PATCH", "/api/v1/listings/{id}")}


def _rfc3339(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


@schemathesis.hook
def before_call(context, case, kwargs):
    meta = case.meta
    if meta is None or not meta.generation.mode.is_positive:
        return
    if (case.operation.method.upper(), case.operation.path) not in LISTING_BODIES:
        return
    body = case.body
    if not isinstance(body, dict):
        return
    if "starts_at" in body or "ends_at" in body:
        now = datetime.now(timezone.utc)
        body["starts_at"] = _rfc3339(now + timedelta(hours=1))
        body["ends_at"] = _rfc3339(now + timedelta(days=3))
    pickup, shipping = body.get("pickup"), body.get("shipping")
    offers = lambda way: isinstance(way, dict) and way.get("available") is True  # noqa: E731
    if isinstance(pickup, dict) and not offers(pickup) and not offers(shipping):
        if isinstance(shipping, dict):
            shipping["available"] = True
        else:
            body["shipping"] = {"available": True}
    elif isinstance(shipping, dict) and not offers(shipping) and pickup is None:
        body["pickup"] = {"available": True}
