import re
import unicodedata

MAX_LENGTH = 60


def slugify(title: str) -> str:
    """Turn a post title into a URL slug."""
    text = unicodedata.normalize("NFKD", title)
    text = text.encode("ascii", "ignore").decode("ascii").lower()
    text = re.sub(r"[^a-z0-9]+", "-", text)
    return text.strip("-")[:MAX_LENGTH].rstrip("-")


def unique_slug(title: str, taken: set[str]) -> str:
    base = slugify(title)
    candidate = base
    number = 2
    while candidate in taken:
        candidate = f"{base}-{number}"
        number += 1
    return candidate


def test_slugify() -> None:
    assert slugify("Hello, World!") == "hello-world"
    assert slugify("  spaces  ") == "spaces"
