"""The tiles on a school's home page; each product area adds its own."""

from dataclasses import dataclass

from flask import url_for

from rok.accounts.access import Permission


@dataclass(frozen=True)
class MenuItem:
    endpoint: str
    title: object  # lazy string
    description: object
    permission: Permission
    order: int = 50


SCHOOL_MENU: list[MenuItem] = []


def register(item: MenuItem) -> None:
    if all(existing.endpoint != item.endpoint for existing in SCHOOL_MENU):
        SCHOOL_MENU.append(item)
        SCHOOL_MENU.sort(key=lambda i: i.order)


def school_menu(school, permissions) -> list[dict]:
    return [
        {"url": url_for(i.endpoint, school_id=school.id), "title": i.title,
         "description": i.description}
        for i in SCHOOL_MENU
        if i.permission in permissions
    ]
