"""Request parameters of the dual-served product endpoints, for both apps: the same rules and the same messages;
deploy/tests/test_contract.py holds the two apps to that."""

import re
from collections.abc import Mapping
from dataclasses import dataclass

PAGE_MAX = 1_000_000
PAGE_SIZE_DEFAULT = 20
PAGE_SIZE_MAX = 100
ID_MAX = 2**63 - 1

_INTEGER = re.compile(r"-?[0-9]+")
_ID = re.compile(r"[0-9]{1,19}")


class InvalidParameters(Exception):
    def __init__(self, errors: dict[str, list[str]]):
        super().__init__(errors)
        self.errors = errors


@dataclass(frozen=True)
class ProductListParams:
    category: str | None
    in_stock: bool | None
    page: int
    page_size: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def parse_product_list_params(query: Mapping[str, str]) -> ProductListParams:
    """An empty value counts as absent; for a repeated parameter the last value wins."""
    errors: dict[str, list[str]] = {}
    page = _bounded_integer(query, "page", 1, 1, PAGE_MAX, errors)
    page_size = _bounded_integer(query, "page_size", PAGE_SIZE_DEFAULT, 1, PAGE_SIZE_MAX, errors)
    in_stock = None
    match query.get("in_stock") or None:
        case None:
            pass
        case "true":
            in_stock = True
        case "false":
            in_stock = False
        case _:
            errors["in_stock"] = ["Must be true or false."]
    if errors:
        raise InvalidParameters(errors)
    return ProductListParams(query.get("category") or None, in_stock, page, page_size)


def parse_id(raw: str) -> int | None:
    """A positive 64-bit id, or None: anything else cannot name a row and is answered with 404."""
    if not _ID.fullmatch(raw):
        return None
    value = int(raw)
    return value if 1 <= value <= ID_MAX else None


def _bounded_integer(query, name, default, minimum, maximum, errors) -> int:
    raw = query.get(name) or None
    if raw is None:
        return default
    if not _INTEGER.fullmatch(raw):
        errors[name] = ["A valid integer is required."]
        return default
    digits = raw.lstrip("-")
    # Python refuses to convert very long digit strings; anything this long is out of range anyway.
    value = int(raw) if len(digits) <= 12 else (-1 if raw.startswith("-") else maximum + 1)
    if value < minimum:
        errors[name] = [f"Ensure this value is greater than or equal to {minimum}."]
    elif value > maximum:
        errors[name] = [f"Ensure this value is less than or equal to {maximum}."]
    return value
