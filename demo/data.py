"""Reference data for the demo brand: cities, outlets, catalogue, names. Plain data, no ORM."""

from __future__ import annotations

from decimal import Decimal

BRAND_CODE = "aqualife"
BRAND_NAME = "沁泉 Aqualife"
PASSWORD = "demo1234"

# code, name, province, latitude, longitude, districts (for addresses)
REGIONS: list[tuple[str, str, str, str, str, tuple[str, ...]]] = [
    ("hangzhou", "杭州", "浙江", "30.274084", "120.155070", ("西湖区", "拱墅区", "上城区", "滨江区", "余杭区")),
    ("shanghai", "上海", "上海", "31.230416", "121.473701", ("浦东新区", "徐汇区", "静安区", "闵行区", "长宁区")),
    ("beijing", "北京", "北京", "39.904200", "116.407396", ("朝阳区", "海淀区", "东城区", "丰台区", "通州区")),
    ("guangzhou", "广州", "广东", "23.129110", "113.264385", ("天河区", "越秀区", "海珠区", "番禺区")),
    ("shenzhen", "深圳", "广东", "22.543096", "114.057865", ("南山区", "福田区", "宝安区", "龙岗区")),
    ("nanjing", "南京", "江苏", "32.060255", "118.796877", ("鼓楼区", "玄武区", "建邺区", "江宁区")),
    ("suzhou", "苏州", "江苏", "31.298979", "120.585316", ("姑苏区", "工业园区", "吴中区", "相城区")),
    ("ningbo", "宁波", "浙江", "29.868336", "121.543990", ("海曙区", "鄞州区", "江北区", "北仑区")),
    ("chengdu", "成都", "四川", "30.572815", "104.066801", ("锦江区", "武侯区", "高新区", "青羊区")),
    ("wuhan", "武汉", "湖北", "30.592850", "114.305539", ("江汉区", "武昌区", "洪山区", "汉阳区")),
    ("xian", "西安", "陕西", "34.341568", "108.939840", ("雁塔区", "碑林区", "未央区", "长安区")),
    ("chongqing", "重庆", "重庆", "29.563010", "106.551557", ("渝中区", "江北区", "南岸区", "渝北区")),
    ("tianjin", "天津", "天津", "39.084158", "117.200983", ("和平区", "南开区", "河西区", "滨海新区")),
    ("changsha", "长沙", "湖南", "28.228209", "112.938814", ("岳麓区", "芙蓉区", "天心区", "开福区")),
    ("zhengzhou", "郑州", "河南", "34.746611", "113.625368", ("金水区", "中原区", "二七区", "郑东新区")),
]
# Where customers live: the big cities weigh more.
REGION_WEIGHTS = [14, 14, 11, 8, 8, 6, 6, 6, 6, 5, 4, 4, 3, 3, 2]

# code, name, outlet type, home region, latitude, longitude, regions served, categories, technicians
OUTLETS: list[tuple[str, str, str, str, str, str, tuple[str, ...], tuple[str, ...], int]] = [
    ("hz-own", "沁泉杭州直营服务中心", "own", "hangzhou", "30.281250", "120.125480",
     ("hangzhou", "ningbo"), ("purifier", "appliance", "hvac"), 8),
    ("sh-own", "沁泉上海直营服务中心", "own", "shanghai", "31.221850", "121.445360",
     ("shanghai", "suzhou"), ("purifier", "appliance", "hvac"), 7),
    ("bj-own", "沁泉北京直营服务中心", "own", "beijing", "39.915630", "116.454120",
     ("beijing", "tianjin"), ("purifier", "appliance", "hvac"), 6),
    ("gz-agent", "广州粤泉家电服务有限公司", "agent", "guangzhou", "23.135470", "113.327610",
     ("guangzhou", "shenzhen"), ("purifier", "appliance", "hvac"), 5),
    ("sz-franchise", "深圳南山沁泉加盟店", "franchise", "shenzhen", "22.533210", "113.930480",
     ("shenzhen",), ("purifier", "appliance"), 3),
    ("nj-agent", "南京金陵暖通服务有限公司", "agent", "nanjing", "32.041580", "118.784030",
     ("nanjing", "suzhou"), ("purifier", "appliance", "hvac"), 5),
    ("nb-franchise", "宁波鄞州沁泉加盟店", "franchise", "ningbo", "29.816710", "121.547390",
     ("ningbo",), ("purifier", "appliance"), 3),
    ("cd-agent", "成都蓉城家电服务有限公司", "agent", "chengdu", "30.586140", "104.071850",
     ("chengdu", "chongqing"), ("purifier", "appliance", "hvac"), 5),
    ("wh-partner", "武汉快修师傅服务平台", "partner", "wuhan", "30.578920", "114.326510",
     ("wuhan", "changsha", "zhengzhou"), ("purifier", "appliance", "hvac"), 5),
    ("xa-partner", "西安万家帮到家服务", "partner", "xian", "34.233420", "108.948710",
     ("xian", "zhengzhou"), ("purifier", "appliance", "hvac"), 4),
    ("cq-franchise", "重庆解放碑沁泉加盟店", "franchise", "chongqing", "29.557910", "106.577120",
     ("chongqing",), ("purifier", "appliance"), 3),
    ("tj-partner", "天津津门暖通工程有限公司", "partner", "tianjin", "39.125870", "117.190220",
     ("tianjin", "beijing"), ("purifier", "hvac"), 3),
    ("cs-agent", "长沙湘江家电服务有限公司", "agent", "changsha", "28.194520", "112.976710",
     ("changsha",), ("purifier", "appliance", "hvac"), 3),
]
FEATURED_OUTLET = "hz-own"

# code, name, mail-in allowed
CATEGORIES = [
    ("purifier", "净水器", True),
    ("appliance", "家电", True),
    ("hvac", "中央空调", False),
]

# code, name
SKILLS = [
    ("ro", "净水设备安装维修"),
    ("appliance", "家电维修"),
    ("gas", "燃气具安装维修"),
    ("electric", "低压电工"),
    ("refrigerant", "制冷与空调作业"),
    ("hvac_install", "中央空调安装调试"),
    ("height", "高处作业"),
    ("ventilation", "新风系统"),
]
# Skills that need a state certificate (资质) with an expiry.
CERTIFIED_SKILLS = {
    "gas": "燃气具安装维修资质",
    "electric": "低压电工作业证",
    "refrigerant": "制冷与空调作业证",
    "height": "高处作业证",
}
# The skills a technician of each category typically has.
CATEGORY_SKILLS = {
    "purifier": ("ro", "electric"),
    "appliance": ("appliance", "electric", "gas"),
    "hvac": ("refrigerant", "hvac_install", "height", "ventilation", "electric"),
}

# category, code, name, warranty months, list price, main skill
PRODUCT_MODELS: list[tuple[str, str, str, int, str, str]] = [
    ("purifier", "RO-400G", "沁泉RO反渗透净水器 400G", 24, "2999.00", "ro"),
    ("purifier", "RO-600G", "沁泉RO反渗透净水器 600G", 24, "3999.00", "ro"),
    ("purifier", "RO-800P", "沁泉RO净水器 800G Pro 鲜享版", 36, "5499.00", "ro"),
    ("purifier", "UF-200", "沁泉超滤净水器 UF-200", 12, "899.00", "ro"),
    ("purifier", "PF-10", "沁泉中央前置过滤器 PF-10", 24, "1299.00", "ro"),
    ("purifier", "WD-5", "沁泉即热管线机 WD-5", 12, "1599.00", "ro"),
    ("appliance", "DW-8", "沁泉嵌入式洗碗机 8套", 12, "3299.00", "appliance"),
    ("appliance", "GW-16", "沁泉燃气热水器 16L 零冷水", 36, "2699.00", "gas"),
    ("appliance", "EW-60", "沁泉电热水器 60L", 24, "1899.00", "appliance"),
    ("appliance", "AP-300", "沁泉空气净化器 AP-300", 12, "1999.00", "appliance"),
    ("appliance", "SW-3", "沁泉全屋软水机 SW-3", 36, "6999.00", "appliance"),
    ("hvac", "VRF-5", "沁泉家用多联机 5匹 一拖四", 72, "32800.00", "refrigerant"),
    ("hvac", "VRF-8", "沁泉商用多联机 8匹 一拖六", 72, "48600.00", "refrigerant"),
    ("hvac", "HP-12", "沁泉空气能热泵 12kW", 60, "26800.00", "refrigerant"),
    ("hvac", "FA-250", "沁泉全热交换新风系统 250m³/h", 36, "12800.00", "ventilation"),
]
PRODUCT_PRICES = {code: Decimal(price) for _cat, code, _n, _w, price, _s in PRODUCT_MODELS}

# Service types offered per category, and the labour minutes of each (for a mid-size model).
CATEGORY_SERVICES = {
    "purifier": {"install": 60, "repair": 60, "maintenance": 40, "inspection": 30, "mail_in": 60},
    "appliance": {"install": 90, "repair": 75, "maintenance": 45, "inspection": 30, "mail_in": 120},
    "hvac": {"site_survey": 90, "install": 480, "repair": 150, "maintenance": 120, "inspection": 90},
}
# The skill a service type needs when it is not the model's main skill.
SERVICE_SKILL_OVERRIDE = {("hvac", "install"): "hvac_install", ("hvac", "site_survey"): "hvac_install"}
# How often each order type is opened, per category. No mail-in repair: those are the repair centre's, opened and
# moved through the real services (demo/mail_in.py), as their lifecycle is the courier's and the bench's.
ORDER_TYPE_WEIGHTS = {
    "purifier": {"install": 25, "repair": 35, "maintenance": 30, "inspection": 10},
    "appliance": {"install": 25, "repair": 55, "maintenance": 15, "inspection": 5},
    "hvac": {"site_survey": 10, "install": 15, "repair": 35, "maintenance": 30, "inspection": 10},
}
CATEGORY_WEIGHTS = {"purifier": 55, "appliance": 33, "hvac": 12}

SYMPTOMS = {
    "install": ["新机安装，请预约上门", "以旧换新，拆旧装新", "新房装修，需要安装并调试", "电商下单，申请安装"],
    "repair": {
        "purifier": ["不出水", "出水很慢", "漏水，橱柜底部有积水", "制水时噪音大", "TDS 值偏高，水有异味",
                     "一直制水不停机", "面板报 E3 故障"],
        "appliance": ["不加热", "打不着火，报 E1", "洗不干净，有残留", "漏水", "开机跳闸", "噪音大，有异响",
                      "显示屏不亮"],
        "hvac": ["不制冷", "不制热", "室内机漏水", "外机报 E4 高压保护", "出风有异味", "遥控器无反应，面板报错",
                 "新风机噪音大"],
    },
    "maintenance": ["滤芯到期，上门更换", "年度保养", "清洗消毒", "换季保养"],
    "inspection": ["IoT 检测到异常，上门巡检", "合同巡检", "使用一年，免费检测"],
    "mail_in": ["寄修：主板故障", "寄修：电机异响", "寄修：不开机"],
    "site_survey": ["新房中央空调方案勘测", "商铺空调改造勘测", "别墅新风 + 空调方案勘测"],
}

SEGMENT_WEIGHTS = {"cost_saving": 30, "value": 50, "premium": 20}
TAGS = ["VIP", "老客户", "投诉敏感", "以旧换新", "团购", "会员", "电商渠道", "线下门店", "物业合作", "延保用户"]

# Mobile prefixes that phonenumbers accepts for any eight following digits.
MOBILE_PREFIXES = ("138", "139", "150", "186", "135", "137", "158", "188", "136", "151")

SURNAMES = ("王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕"
            "丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严")
GIVEN = ("伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红建国志文斌浩宇欣怡子涵梓轩一诺思雨"
         "晨阳佳琪嘉乐俊杰雪梅海燕春生德林晓东丹丹")
ROADS = ("文三路", "中山路", "解放路", "人民路", "建设路", "和平路", "新华路", "长江路", "滨江大道", "学院路",
         "工人路", "湖滨路", "花园路", "科技路", "复兴路")
ESTATES = ("花园", "公寓", "小区", "苑", "府", "家园", "新村", "华庭")
ENTERPRISE_BRANDS = ("华润", "绿城", "万科", "金茂", "锦江", "开元", "银泰", "世纪", "龙湖", "新世界", "汉庭", "如家")
ENTERPRISE_KINDS = ("酒店", "物业管理有限公司", "餐饮管理有限公司", "科技有限公司", "医院", "实验学校", "商业广场")
SITE_KINDS = ("总部", "一号楼", "二号楼", "门店", "分店", "食堂", "机房", "宿舍")

# Reasons given on the steps that require one, and on a rework.
REASONS = {
    "return_to_brand": ["不在本网点服务范围", "网点本周产能已满", "需要中央空调资质，本网点无"],
    "decline": ["时间冲突，已有其他预约", "缺少所需配件", "路程太远，建议改派"],
    "recall": ["改派就近师傅", "客户改约时间", "师傅临时请假"],
    "hold": {"waiting_parts": "等待配件到货", "waiting_customer": "客户不在家，改约时间",
             "other": "需品牌技术支持确认"},
    "cancel": ["客户自行解决", "重复报单", "客户取消预约", "超出保修，客户不接受报价"],
    "rework": ["回访不满意：故障复发", "客户投诉：问题未解决", "同一故障 7 天内再次报修"],
}

# (role label, username, role, where) — the logins printed at the end.
STAFF_LOGINS = [
    ("Brand admin (Django admin too)", "admin", "brand_admin", "brand"),
    ("Dispatcher", "dispatcher", "dispatcher", "brand"),
    ("Hotline agent", "hotline", "hotline_agent", "brand"),
    ("Parts clerk", "parts", "parts_clerk", "brand"),
    ("Finance", "finance", "finance", "brand"),
    ("Analyst", "analyst", "analyst", "brand"),
    ("Outlet manager (Hangzhou own centre)", "outlet_manager", "outlet_manager", "outlet"),
    ("Outlet dispatcher (Hangzhou own centre)", "outlet_dispatcher", "outlet_dispatcher", "outlet"),
    ("Technician (Hangzhou own centre)", "tech", "technician", "outlet"),
    ("Repair centre bench (Hangzhou central repair centre)", "centre", "outlet_manager", "repair_centre"),
    ("Customer", "customer", "customer", "brand"),
]
STAFF_NAMES = {
    "admin": ("周", "建华"), "dispatcher": ("林", "晓峰"), "hotline": ("王", "静"), "parts": ("赵", "磊"),
    "finance": ("孙", "丽"), "analyst": ("吴", "思远"), "outlet_manager": ("陈", "国强"),
    "outlet_dispatcher": ("黄", "敏"), "tech": ("李", "建军"), "customer": ("张", "晓雯"), "centre": ("钱", "志刚"),
}
CUSTOMER_PHONE = "+8613800138000"

# The repair centre that takes mail-in repairs (寄修) of the categories that allow them (demo/mail_in.py): code, name,
# address, phone, latitude, longitude. Its bench login is STAFF_LOGINS' "repair_centre" row.
REPAIR_CENTRE = ("hz-central", "杭州中央维修中心", "浙江省杭州市余杭区文一西路998号", "0571-88886666", "30.279850",
                 "120.026510")
