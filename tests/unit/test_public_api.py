"""The public API is what ``veracity.__all__`` says, and nothing leaves it unnoticed."""

from __future__ import annotations

import veracity

PUBLIC = [
    "Document",
    "Layer",
    "Pipeline",
    "Provenance",
    "Relation",
    "Report",
    "Span",
    "VeracityError",
    "__version__",
    "analyze",
    "classify_techniques",
    "errors",
    "stance",
]


def test_all_is_pinned() -> None:
    """Adding or removing a public name is a deliberate change: update this list and the README together."""
    assert sorted(veracity.__all__) == sorted(PUBLIC)


def test_every_public_name_exists_and_is_documented() -> None:
    for name in veracity.__all__:
        obj = getattr(veracity, name)
        if callable(obj) and not isinstance(obj, type(veracity)):
            assert (obj.__doc__ or "").strip(), f"veracity.{name} has no docstring"


def test_lower_floors_do_not_import_the_package_face() -> None:
    """Modules take the version from ``veracity._version``, never from the package face (which imports them)."""
    from pathlib import Path

    package = Path(veracity.__file__).parent
    offenders = [
        str(path.relative_to(package))
        for path in package.rglob("*.py")
        if path.name != "__init__.py" or path.parent != package
        if "from veracity import __version__" in path.read_text(encoding="utf-8")
    ]
    assert not offenders
    from veracity._version import __version__

    assert __version__ == veracity.__version__
