"""Demo imports (issue 16): ``seed_imports(brand, now=...)`` (called by the demo command; safe to run twice).

A dealer's export of 40 units, four of them wrong (a short phone, a model the brand does not make, installed
before it was bought, a serial twice), uploaded by the brand's dispatcher and checked, waiting for the go-ahead:
the walk opens 保有量导入 and sees the four explained beside their rows before importing the other 36. The same
rows are docs/samples/installed-base-sample.csv (``python -m demo.imports`` writes it again).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import sys

from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.choices import Role
from accounts.models import Membership
from accounts.principal import principal_of
from exchange import runner, services
from exchange.models import ImportJob
from exchange.sheets import template_header

FILE_NAME = "经销商导出-保有量-2026Q3.csv"
MODELS = ["RO-400G", "RO-600G", "UF-200", "GW-16"]
REGIONS = [("杭州", "西湖区文三路"), ("上海", "徐汇区漕溪北路"), ("南京", "鼓楼区中山路"), ("宁波", "鄞州区天童南路")]
SURNAMES = "王李张刘陈杨黄赵吴周"
GIVEN = ["晓雯", "建国", "丽娟", "志强", "海燕", "俊杰", "秀英", "明辉"]


def sample_rows() -> list[list[str]]:
    """40 rows in the import's columns; rows 5, 12, 21 and 33 of the sheet are wrong, one fault each."""
    rows = []
    for i in range(40):
        model = MODELS[i % len(MODELS)]
        city, street = REGIONS[i % len(REGIONS)]
        bought = dt.date(2025, 1, 6) + dt.timedelta(days=7 * i)
        rows.append([SURNAMES[i % 10] + GIVEN[i % 8], f"1390571{i:04d}", f"{city}市{street} {100 + i} 号", city, model,
                     "AQ" + model.replace("-", "") + f"99{i:09d}", bought.isoformat(),
                     (bought + dt.timedelta(days=3)).isoformat(), ["value", "premium", "cost_saving"][i % 3], ""])
    rows[3][1] = "1390571"  # sheet row 5: a phone cut short
    rows[10][4] = "RO-999X"  # row 12: a model the brand does not make
    rows[19][7] = (dt.date.fromisoformat(rows[19][6]) - dt.timedelta(days=10)).isoformat()  # row 21: before bought
    rows[31][4:6] = rows[30][4:6]  # row 33: the unit of row 32 again (same model and serial)
    return rows


def sample_csv() -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(template_header())
    writer.writerows(sample_rows())
    return out.getvalue().encode("utf-8-sig")


def seed_imports(brand, *, now: dt.datetime) -> dict[str, int]:
    if ImportJob.objects.filter(brand=brand).exists():
        return {"imports": ImportJob.objects.filter(brand=brand).count()}
    seat = Membership.objects.filter(organisation=brand, role=Role.DISPATCHER, is_active=True).first()
    if seat is None:
        return {"imports": 0}
    job = services.create_job(actor=principal_of(seat.user), kind="installed_base",
                              upload=SimpleUploadedFile(FILE_NAME, sample_csv()))
    runner.run_preview(job.pk)  # checked now, so the walk finds it waiting; the queued check then does nothing
    ImportJob.objects.filter(pk=job.pk).update(created_at=now - dt.timedelta(minutes=25))
    return {"imports": 1}


if __name__ == "__main__":  # python -m demo.imports > docs/samples/installed-base-sample.csv
    sys.stdout.buffer.write(sample_csv())
