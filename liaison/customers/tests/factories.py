"""Customers and contacts as a Chinese manufacturer's sales office would have them.

Both factories save through the services, so search text, history and the timeline
are there as in real use.
"""

import factory

from liaison.customers import services
from liaison.customers.models import Contact, Customer
from liaison.customers.states import CustomerStatus

# (city, trade name, line of business): Traditional and Simplified, as customers write them.
_CITIES = ["東莞市", "深圳市", "蘇州", "宁波", "廈門", "佛山市顺德区", "杭州", "青岛", "臺中市", "天津", "成都", "無錫"]
_TRADE_NAMES = ["恒達", "华南", "瑞豐", "海天", "宏信", "美达", "天成", "海之源", "永盛", "聯合"]
_LINES = ["五金製品", "精密电子", "機電設備", "塑胶模具", "包裝材料", "电器", "汽車零部件", "食品机械"]
_SURNAMES = ["陳", "林", "黄", "張", "李", "王", "吳", "劉", "蔡", "杨", "鄭", "周"]
_GIVEN = ["志強", "晓燕", "國華", "海波", "丽华", "振华", "偉", "立新", "志豪", "建军", "文", "静"]
_POSITIONS = ["採購經理", "采购主管", "副總經理", "项目经理", "業務經理", "质量经理", "採購", "供应商质量工程师"]


def _registered_name(n: int) -> str:
    city = _CITIES[n % len(_CITIES)]
    trade = _TRADE_NAMES[(n // len(_CITIES)) % len(_TRADE_NAMES)]
    line = _LINES[n % len(_LINES)]
    name = f"{city}{trade}{line}有限公司"
    # Names repeat after every city × trade name pairing; keep them unique.
    cycle = n // (len(_CITIES) * len(_TRADE_NAMES))
    return f"{name}（{cycle + 1}廠）" if cycle else name


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    registered_name = factory.Sequence(_registered_name)
    short_name = factory.Sequence(
        lambda n: f"{_TRADE_NAMES[(n // len(_CITIES)) % len(_TRADE_NAMES)]}{_LINES[n % len(_LINES)][:2]}"
    )
    address = factory.Sequence(lambda n: f"{_CITIES[n % len(_CITIES)]}工業大道{100 + n}號")
    phone = factory.Sequence(lambda n: f"0769-8532{n % 10000:04d}")
    fax = factory.Sequence(lambda n: f"0769-8533{n % 10000:04d}")
    email = factory.Sequence(lambda n: f"sales{n}@customer{n}.example.cn")
    business_scope = factory.Sequence(lambda n: f"{_LINES[n % len(_LINES)]}的生產與銷售")
    company_profile = "成立於2003年，員工約三百人，通過ISO 9001認證。"
    status = CustomerStatus.ACTIVE

    @classmethod
    def _create(cls, model_class, *args, actor=None, **kwargs):
        return services.customer_save(customer=model_class(*args, **kwargs), actor=actor)


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    customer = factory.SubFactory(CustomerFactory)
    name = factory.Sequence(lambda n: f"{_SURNAMES[n % len(_SURNAMES)]}{_GIVEN[(n * 5) % len(_GIVEN)]}")
    position = factory.Sequence(lambda n: _POSITIONS[n % len(_POSITIONS)])
    phone = factory.Sequence(lambda n: f"0769-8600{n % 10000:04d}")
    mobile = factory.Sequence(lambda n: f"1382931{n % 10000:04d}")
    email = factory.Sequence(lambda n: f"buyer{n}@customer.example.cn")
    is_primary = False

    @classmethod
    def _create(cls, model_class, *args, actor=None, **kwargs):
        return services.contact_save(contact=model_class(*args, **kwargs), actor=actor)
