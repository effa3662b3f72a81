"""The project's own docs stand alone: a clone has no ../shared, so nothing a reader is pointed to lives there."""

from __future__ import annotations

import re
from pathlib import Path

from django.conf import settings

ROOT = Path(settings.BASE_DIR)
LINK = re.compile(r"\]\(([^)#\s]+)")


def test_the_readme_points_only_at_files_in_the_repository():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "../shared" not in readme
    targets = [t for t in LINK.findall(readme) if "://" not in t]
    assert {"docs/product.md", "docs/architecture.md"} <= set(targets)
    missing = [t for t in targets if not (ROOT / t).exists()]
    assert missing == []


def test_the_product_and_architecture_docs_exist_and_link_each_other():
    product = (ROOT / "docs" / "product.md").read_text(encoding="utf-8")
    architecture = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
    assert "(architecture.md)" in product
    assert "../shared" not in product and "../shared" not in architecture
