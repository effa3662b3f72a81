"""Demo self-help articles: ``seed_articles(brand)`` (called by the demo command; safe to run twice).

Real first steps a service desk would tell a caller, for the symptoms of demo/pricing.py. Categories
or symptoms the brand lacks are skipped, so it also runs on a small test world.
"""

from __future__ import annotations

from django.db import transaction

from accounts.models import Organisation
from catalog.models import ProductCategory, Symptom
from knowledge.models import Article

# category, symptom codes, title, English title, text, English text
ARTICLES = [
    ("purifier", ("no-water", "slow-flow"), "净水器不出水或出水很慢？先检查这三处",
     "No water or only a trickle? Check these three things first",
     "1. 看进水阀：净水器下方的进水球阀手柄应与水管平行（打开）。装修或检修后常被关上。\n\n"
     "2. 看自来水：打开厨房普通水龙头，如果自来水也停了或水压很低，请等供水恢复。\n\n"
     "3. 看滤芯提示：面板上滤芯灯变红或闪烁，说明滤芯堵塞，需要更换滤芯（滤芯为耗材，不在保修范围内）。\n\n"
     "以上都正常仍不出水，多半是增压泵或进水电磁阀故障，请预约上门。",
     "1. The inlet valve: the handle of the ball valve under the purifier should be in line with the pipe "
     "(open). It is often closed after renovation or plumbing work.\n\n"
     "2. The mains: open an ordinary tap. If the tap water is off or weak too, wait for the supply to come back.\n\n"
     "3. The filter light: a red or blinking filter light means a clogged cartridge that needs replacing "
     "(cartridges are consumables and not covered by the warranty).\n\n"
     "If all three are fine and there is still no water, the booster pump or the inlet valve has most likely "
     "failed: book a visit."),
    ("purifier", ("leak",), "净水器漏水：先关阀断电，再看漏点",
     "Purifier leaking: close the valve, unplug, then find the leak",
     "请先关闭进水阀并拔掉电源插头，用毛巾擦干机器和地面。\n\n"
     "如果是滤芯接口处渗水，可能是刚换过滤芯没有拧紧：顺时针拧到底即可。\n\n"
     "如果水从机身内部或管路接头流出，请不要自行拆机（自行拆修会影响保修），直接预约上门。",
     "Close the inlet valve and unplug the unit first, then dry the unit and the floor.\n\n"
     "If water seeps from a cartridge joint, a freshly changed cartridge may not be fully tightened: turn it "
     "clockwise until it stops.\n\n"
     "If water comes from inside the unit or a pipe joint, do not open it yourself (a repair by anyone else "
     "voids the warranty): book a visit."),
    ("purifier", ("bad-taste", "filter-due"), "水有异味或 TDS 偏高：多半是滤芯该换了",
     "Odd taste or a high TDS reading: usually a cartridge is due",
     "RO 膜一般 24 个月、活性炭滤芯 6-12 个月需要更换，用水量大时更早。\n\n"
     "长时间（3 天以上）没用水，请先放水 2-3 分钟再饮用。\n\n"
     "换滤芯可以预约上门（滤芯按价目表收费，人工按保养服务收费）。",
     "An RO membrane lasts about 24 months and a carbon cartridge 6-12 months, less with heavy use.\n\n"
     "After three days or more without use, let the water run for 2-3 minutes before drinking.\n\n"
     "Book a visit to have cartridges replaced (cartridges at list price, labour as a maintenance visit)."),
    ("purifier", ("error-code", "never-stops"), "面板报故障代码或一直制水：先重启一次",
     "An error code, or it never stops filtering: restart it once",
     "拔掉电源等待 1 分钟再插上，很多偶发报警会消失。\n\n"
     "如果仍然报 E1/E2（缺水或低压），请检查进水阀是否打开；报 E3 以上或一直制水不停机，"
     "可能是高压开关或电磁阀故障，请拍下面板照片并预约上门，师傅会带对配件。",
     "Unplug it, wait one minute and plug it in again: many one-off alarms go away.\n\n"
     "If E1/E2 (no water or low pressure) remains, check that the inlet valve is open. For E3 and up, or if it "
     "never stops filtering, the pressure switch or a valve may have failed: take a photo of the panel and book "
     "a visit, so the technician brings the right part."),
    ("appliance", ("no-heat",), "热水器不加热：检查电源、温度设置和漏电保护插头",
     "Water heater not heating: power, temperature setting and the safety plug",
     "1. 看显示屏是否亮：不亮请检查插座和漏电保护插头，按一下插头上的“复位”键。\n\n"
     "2. 看温度设置：是否被调到了最低档或开启了“节能/夜电”模式。\n\n"
     "3. 燃气热水器请确认燃气阀已打开、燃气表有余额。\n\n"
     "仍不加热可能是加热管或温控器故障，请预约上门。",
     "1. Is the display on? If not, check the socket and the safety plug, and press its RESET button.\n\n"
     "2. The temperature setting: it may be on the lowest step or in an eco / night-tariff mode.\n\n"
     "3. Gas heaters: make sure the gas valve is open and the gas meter has credit.\n\n"
     "If it still does not heat, the element or the thermostat may have failed: book a visit."),
    ("appliance", ("no-ignition",), "燃气热水器打不着火", "Gas water heater does not ignite",
     "先确认燃气阀门已打开，灶具能正常点火（说明有气）。\n\n"
     "电池供电的机型请更换 1 号电池。冬季请确认水压足够：热水龙头开大一些再试。\n\n"
     "闻到燃气味请立即关阀、开窗，不要开关电器，并拨打燃气公司电话。",
     "Make sure the gas valve is open and the hob lights (so there is gas).\n\n"
     "Battery models: replace the D-size batteries. In winter make sure the water pressure is enough: open the "
     "hot tap further and try again.\n\n"
     "If you smell gas, close the valve, open the windows, do not touch any switch, and call the gas company."),
    ("appliance", ("trips-breaker",), "一开机就跳闸：请先停止使用", "It trips the breaker: stop using it",
     "跳闸说明可能有漏电，请拔掉插头，不要反复合闸试机。\n\n"
     "如果同一插座上其它电器也跳闸，可能是家里线路问题；只有这台电器跳闸，请预约上门检修。",
     "A trip may mean current is leaking: unplug the unit and do not keep switching it back on.\n\n"
     "If other appliances on the same socket trip too, the house wiring may be at fault; if only this one does, "
     "book a visit."),
    ("appliance", ("poor-clean",), "洗碗机洗不干净", "Dishwasher does not wash clean",
     "清洗底部过滤网（逆时针拧出，用清水冲洗），检查喷淋臂的小孔是否被残渣堵住。\n\n"
     "使用洗碗机专用洗涤剂和软水盐，不要用普通洗洁精。碗碟不要叠放遮挡喷淋臂。",
     "Clean the filter at the bottom (turn it anticlockwise to lift it out and rinse it) and check that the "
     "spray arms' holes are not blocked.\n\n"
     "Use dishwasher detergent and salt, never washing-up liquid. Do not stack dishes so that they block the arms."),
    ("hvac", ("no-cooling", "no-heating"), "空调不制冷或不制热：先看模式、温度和滤网",
     "Air-conditioning not cooling or heating: mode, temperature and filters",
     "1. 遥控器模式是否正确（制冷 ❄ / 制热 ☀），设定温度是否合理（制冷低于室温 2 度以上）。\n\n"
     "2. 多联机的室内机模式要一致：一台制冷、一台制热会互相冲突，外机只会按先开的那台运行。\n\n"
     "3. 滤网积灰会严重影响效果：取下滤网用清水冲洗晾干再装回（建议每 2-4 周一次）。\n\n"
     "刚开机制热时要等 3-5 分钟预热才出暖风。仍不正常请预约上门。",
     "1. The remote's mode (cool ❄ / heat ☀) and a sensible set temperature (at least 2 degrees below the "
     "room for cooling).\n\n"
     "2. On a multi-split system every indoor unit must be in the same mode: one cooling and one heating "
     "conflict, and the outdoor unit follows the one switched on first.\n\n"
     "3. Dusty filters cut the output badly: take them out, rinse with water, let them dry and put them back "
     "(every 2-4 weeks).\n\n"
     "When heating starts it takes 3-5 minutes before warm air comes. Still wrong? Book a visit."),
    ("hvac", ("indoor-leak",), "室内机滴水：多半是排水不畅", "Indoor unit dripping: usually the drain",
     "先关机，在室内机下方放接水盆。\n\n"
     "检查冷凝水排水管是否被压扁、弯折，室外出口是否被堵住。滤网太脏也会导致结露滴水。\n\n"
     "带排水泵的风管机滴水，往往是排水泵故障，请预约上门。",
     "Switch the unit off and put a bowl under it.\n\n"
     "Check that the condensate drain hose is not squashed or kinked and its outside end not blocked. Very "
     "dirty filters also make water drip.\n\n"
     "A ducted unit with a drain pump that drips usually has a failed pump: book a visit."),
    ("hvac", ("controller-error",), "线控器或遥控器没反应", "Wall controller or remote does not respond",
     "更换遥控器电池；线控器黑屏请检查空调总电源（空气开关）是否合上。\n\n"
     "停电恢复后，多联机需要外机通电预热约 10 分钟才能开机。线控器报错请拍照后预约上门。",
     "Replace the remote's batteries. If the wall controller is dark, check that the air-conditioning's "
     "breaker is on.\n\n"
     "After a power cut a multi-split system needs about 10 minutes with the outdoor unit powered before it "
     "starts. If the controller shows an error code, take a photo and book a visit."),
    ("hvac", ("odour",), "出风有异味", "The air smells",
     "异味多来自积灰和潮湿的蒸发器：清洗滤网，开机后用“送风”模式运行 30 分钟吹干内部。\n\n"
     "长期使用的中央空调建议每年做一次专业清洗消毒（保养服务）。",
     "Smells usually come from dust and a damp evaporator: clean the filters and run the unit in FAN mode for "
     "30 minutes to dry it.\n\n"
     "A central system in daily use should have a professional clean once a year (a maintenance visit)."),
]


@transaction.atomic
def seed_articles(brand: Organisation) -> int:
    """Publish the demo articles for the brand's categories; returns how many the brand has."""
    categories = {c.code: c for c in ProductCategory.objects.filter(brand=brand)}
    for order, (category_code, symptom_codes, title, title_en, body, body_en) in enumerate(ARTICLES):
        category = categories.get(category_code)
        if category is None:
            continue
        article, created = Article.objects.get_or_create(brand=brand, title=title, defaults=dict(
            title_en=title_en, body=body, body_en=body_en, is_published=True, sort_order=order * 10))
        if created:
            article.categories.add(category)
            article.symptoms.add(*Symptom.objects.filter(category=category, code__in=symptom_codes))
    return Article.objects.filter(brand=brand).count()
