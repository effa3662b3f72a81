"""China's official holiday calendar as the State Council's notices published it (国务院办公厅关于部分节假日安排的通知).

Seeded by a data migration and then kept in the admin (HolidayYear / HolidayDate): each year's notice
comes out in November of the year before. Each entry: holiday name, days off (first, last), and the
weekend days that are worked instead (调休上班).
"""

from __future__ import annotations

import datetime as dt

D = dt.date

OFFICIAL: dict[int, dict] = {
    2025: {
        "source": "国办发明电〔2024〕12号 https://www.gov.cn/zhengce/content/202411/content_6986382.htm",
        "confirmed": True,
        "holidays": [
            ("元旦", D(2025, 1, 1), D(2025, 1, 1), []),
            ("春节", D(2025, 1, 28), D(2025, 2, 4), [D(2025, 1, 26), D(2025, 2, 8)]),
            ("清明节", D(2025, 4, 4), D(2025, 4, 6), []),
            ("劳动节", D(2025, 5, 1), D(2025, 5, 5), [D(2025, 4, 27)]),
            ("端午节", D(2025, 5, 31), D(2025, 6, 2), []),
            ("国庆节、中秋节", D(2025, 10, 1), D(2025, 10, 8), [D(2025, 9, 28), D(2025, 10, 11)]),
        ],
    },
    2026: {
        "source": "国办发明电〔2025〕7号 https://www.gov.cn/zhengce/content/202511/content_7047090.htm",
        "confirmed": True,
        "holidays": [
            ("元旦", D(2026, 1, 1), D(2026, 1, 3), [D(2026, 1, 4)]),
            ("春节", D(2026, 2, 15), D(2026, 2, 23), [D(2026, 2, 14), D(2026, 2, 28)]),
            ("清明节", D(2026, 4, 4), D(2026, 4, 6), []),
            ("劳动节", D(2026, 5, 1), D(2026, 5, 5), [D(2026, 5, 9)]),
            ("端午节", D(2026, 6, 19), D(2026, 6, 21), []),
            ("中秋节", D(2026, 9, 25), D(2026, 9, 27), []),
            ("国庆节", D(2026, 10, 1), D(2026, 10, 7), [D(2026, 9, 20), D(2026, 10, 10)]),
        ],
    },
    # Provisional: the statutory days of 2027 by the lunar calendar, without the adjusted working weekends,
    # until the notice's exact dates are entered in the admin (HolidayYear 2027, then tick "confirmed").
    2027: {
        "source": "",
        "confirmed": False,
        "holidays": [
            ("元旦", D(2027, 1, 1), D(2027, 1, 1), []),
            ("春节", D(2027, 2, 5), D(2027, 2, 8), []),
            ("清明节", D(2027, 4, 5), D(2027, 4, 5), []),
            ("劳动节", D(2027, 5, 1), D(2027, 5, 2), []),
            ("端午节", D(2027, 6, 9), D(2027, 6, 9), []),
            ("中秋节", D(2027, 9, 15), D(2027, 9, 15), []),
            ("国庆节", D(2027, 10, 1), D(2027, 10, 3), []),
        ],
    },
}


def official_days(year: int) -> list[tuple[dt.date, str, str]]:
    """(date, kind, holiday name) for every date the year's notice moves."""
    days: list[tuple[dt.date, str, str]] = []
    for name, first, last, worked in OFFICIAL[year]["holidays"]:
        day = first
        while day <= last:
            days.append((day, "holiday", name))
            day += dt.timedelta(days=1)
        days.extend((d, "workday", name) for d in worked)
    return sorted(days)
