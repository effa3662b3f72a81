from django import template

from field.texts import JOB_STATUS

register = template.Library()


@register.filter
def job_status(status: str) -> str:
    return str(JOB_STATUS.get(status, status))
