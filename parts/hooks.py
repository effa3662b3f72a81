"""What parts does when the layers below it say so (core/hooks.py)."""

from parts.services import release_for_order
from workorders.workflow import job_ended_without_parts

job_ended_without_parts.connect(release_for_order)
