"""Build the POST body of the session page the way the browser sends it."""

import datetime

from django.http import QueryDict


def session_post(
    *,
    format="one_to_one",
    supervisee=None,
    group_type="",
    attendees=(),
    status="held",
    date=None,
    start_time="10:00",
    duration=90,
    mode="in_person",
    version=None,
    items=(),
    actions=(),
    reviews=None,
    initial_items=0,
    initial_actions=0,
):
    """`items`: dicts with title, minutes, functions, stages, stakeholders (+ optional id, DELETE).

    `attendees`: (person, "present" | "absent") pairs for a group.
    `actions`: dicts with description, owner ("supervisor", "supervisee", "person:<id>",
    "other"), owner_name, due_date, status.
    """
    data = {
        "format": format,
        "group_type": group_type,
        "supervisee": str(supervisee.pk) if supervisee else "",
        "status": status,
        "date": (date or datetime.date(2026, 1, 15)).isoformat(),
        "start_time": start_time,
        "duration_minutes": str(duration),
        "mode": mode,
        "items-TOTAL_FORMS": str(len(items)),
        "items-INITIAL_FORMS": str(initial_items),
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "actions-TOTAL_FORMS": str(len(actions)),
        "actions-INITIAL_FORMS": str(initial_actions),
        "actions-MIN_NUM_FORMS": "0",
        "actions-MAX_NUM_FORMS": "1000",
        "save": "1",
    }
    if version is not None:
        data["version"] = str(version)
    for person, mark in attendees:
        data[f"attendee_{person.pk}"] = mark
    for i, item in enumerate(items):
        p = f"items-{i}-"
        data[p + "title"] = item.get("title", f"Item {i}")
        data[p + "minutes"] = str(item.get("minutes", 10))
        data[p + "functions"] = list(item.get("functions", ["management"]))
        data[p + "stages"] = list(item.get("stages", []))
        data[p + "stakeholders"] = list(item.get("stakeholders", []))
        data[p + "notes"] = item.get("notes", "")
        data[p + "case_ref"] = item.get("case_ref", "")
        if item.get("id"):
            data[p + "id"] = str(item["id"])
        if item.get("confidential"):
            data[p + "confidential"] = "on"
        if item.get("risk"):
            data[p + "risk"] = "on"
        if item.get("DELETE"):
            data[p + "DELETE"] = "on"
    for i, action in enumerate(actions):
        p = f"actions-{i}-"
        data[p + "description"] = action.get("description", f"Action {i}")
        data[p + "owner"] = action.get("owner", "supervisor")
        data[p + "owner_name"] = action.get("owner_name", "")
        due = action.get("due_date")
        data[p + "due_date"] = due.isoformat() if due else ""
        data[p + "status"] = action.get("status", "open")
        if action.get("id"):
            data[p + "id"] = str(action["id"])
    for action_id, outcome in (reviews or {}).items():
        data[f"review_{action_id}"] = outcome
    return data


def as_post(data):
    """`data` as Django receives a browser's POST: a QueryDict, lists as repeated keys."""
    post = QueryDict(mutable=True)
    for key, value in data.items():
        if isinstance(value, list | tuple):
            post.setlist(key, [str(v) for v in value])
        else:
            post[key] = str(value)
    return post
