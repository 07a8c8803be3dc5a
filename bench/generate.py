#!/usr/bin/env python
"""Fill a database with a believable company's records at a chosen scale, through bulk paths.

    .venv/bin/python bench/generate.py --scale 0.1 --database-url postgres://…/liaison

Scale 1.0 is 50 000 customers (F9, one primary contact each), 1 000 000 orders (F1)
with 1–3 lines, their contract review round (F2, no sign-off lines) and timeline line,
200 000 complaints (F6, with timeline lines; 2 % of the investigated ones have a CAPA
request, F7) and 100 000 returned survey forms (F10, one score per criterion) in the
survey rounds the demo data planned. Half of the complaints were closed in 2023:
the disposal benchmark moves the clock so that they are past retention.

Runs are additive: each run adds ``scale`` worth of records on top of what is there,
numbering after the existing numbers. On an empty database it first migrates and loads
the demo data (departments, users, products, review meetings and survey rounds).

Written with ``bulk_create`` in batches: no history rows are generated for this data
(simple-history only writes them on ``save()``), so record pages show no history and
the disposal job finds no status-entry time from history (it uses closed_at/voided_at).
``search_text`` is built with the same function ``customer_save`` uses.
"""

import argparse
import datetime as dt
import io
import os
import random
import secrets
import sys
import time
from array import array
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import record, say, setup_django  # noqa: E402

PER_SCALE = {"customers": 50_000, "orders": 1_000_000, "complaints": 200_000, "survey_responses": 100_000}
BATCH = 5000

# ── words ─────────────────────────────────────────────────────────────────────
# Traditional Chinese; about half the customers write their names in Simplified (opencc).
PROVINCES = [
    ("廣東省", ["東莞市", "深圳市", "佛山市", "中山市", "惠州市", "珠海市", "江門市"]),
    ("江蘇省", ["蘇州市", "無錫市", "常州市", "南通市", "昆山市", "揚州市"]),
    ("浙江省", ["寧波市", "杭州市", "溫州市", "台州市", "嘉興市", "紹興市"]),
    ("福建省", ["廈門市", "福州市", "泉州市", "漳州市"]),
    ("山東省", ["青島市", "煙台市", "濰坊市", "濟南市"]),
    ("四川省", ["成都市", "綿陽市", "德陽市"]),
    ("河北省", ["廊坊市", "保定市", "滄州市"]),
    ("臺灣", ["新北市", "桃園市", "臺中市", "臺南市", "高雄市"]),
]
DISTRICTS = ["長安鎮", "虎門鎮", "寶安區", "龍華區", "順德區", "吳中區", "工業園區", "北侖區", "蕭山區", "集美區",
             "黃島區", "新都區", "經濟開發區", "高新區", "五股區", "觀音區", "大雅區", "永康區", "岡山區"]
ROADS = ["振安中路", "建設二路", "工業大道", "金楓路", "庐山西路", "杏林灣路", "前灣港路", "科技路", "創業路",
         "中山路", "民生路", "興業街", "環島東路", "五工三路", "和平路", "光明大道", "長江路", "黃河路"]
BRAND_SYLLABLES = ["恒", "達", "華", "南", "精", "密", "瑞", "豐", "海", "天", "宏", "信", "美", "成", "永", "盛",
                   "聯", "合", "東", "方", "金", "鑫", "泰", "安", "隆", "興", "創", "新", "宇", "航", "順", "通",
                   "佳", "利", "嘉", "和", "遠", "大", "光", "明", "銘", "德", "誠", "凱", "峰", "源", "匯", "益"]
INDUSTRIES = [
    ("五金製品", "五金衝壓件、緊固件的生產與銷售"),
    ("精密電子", "精密電子元器件、連接器"),
    ("機電設備", "自動化設備、輸送線"),
    ("塑膠模具", "注塑模具設計製造"),
    ("包裝材料", "紙箱、緩衝包裝材料"),
    ("電器", "小家電整機及配件"),
    ("汽車零部件", "汽車座椅骨架、衝壓件"),
    ("食品機械", "食品加工機械"),
    ("鋼結構工程", "鋼結構工程"),
    ("家居用品", "家具五金配件"),
    ("醫療器械", "醫療器械零部件（需提供材質證明）"),
    ("照明科技", "LED燈具及散熱模組"),
    ("儀器儀表", "工業儀表與感測器"),
    ("新能源科技", "光伏支架與儲能箱體"),
]
SUFFIXES = ["有限公司", "股份有限公司", "實業有限公司", "科技有限公司", "工業股份有限公司"]
SURNAMES = "陳林黃張李王吳劉蔡楊許鄭謝郭洪曾邱廖賴周徐蘇葉莊呂江何蕭羅高潘簡朱鍾彭游詹胡施沈余盧梁趙顏柯翁魏孫戴范方宋鄧"
GIVEN = ["志明", "美玲", "淑芬", "家豪", "建國", "大偉", "俊傑", "怡君", "文雄", "雅婷", "志強", "曉燕", "國華", "海波",
         "麗華", "振華", "偉", "立新", "建軍", "文", "靜", "宏達", "佩珊", "冠宇", "秀英", "子豪", "欣怡", "明輝"]
POSITIONS = ["採購經理", "採購主管", "副總經理", "項目經理", "業務經理", "供應商質量工程師", "採購員", "質量經理"]
PRODUCT_KINDS = [
    ("HB", "不鏽鋼六角螺栓", ["M5×16 SUS304", "M6×20 SUS304", "M8×30 SUS316", "M10×40 SUS304", "M12×50 SUS316"]),
    ("NT", "六角螺母", ["M6 鍍鋅", "M8 SUS304", "M10 鍍鎳", "M12 達克羅"]),
    ("FW", "平墊圈", ["M6 鍍鋅", "M8 鍍鋅", "M10 SUS304"]),
    ("BR", "安裝支架", ["50×50×3 Q235 噴塑", "80×40×2.5 SPCC 鍍鋅", "120×60×4 SUS304"]),
    ("SP", "壓縮彈簧", ["線徑1.2 外徑10 長30", "線徑2.0 外徑16 長45", "線徑0.8 外徑6 長20"]),
    ("HS", "鋁合金散熱片", ["200×80×25 6063-T5", "150×60×20 6063-T5", "100×100×30 6061"]),
    ("PL", "導軌安裝板", ["DIN35 1000mm", "DIN35 500mm"]),
    ("CP", "衝壓件", ["1.5t SPCC 鍍鋅", "2.0t SECC", "1.0t SUS301"]),
    ("SH", "機箱外殼", ["19吋 2U 冷軋板", "19吋 4U 鋁合金"]),
]
DEFECTS = ["表面刮傷", "尺寸超差", "毛刺未清除", "鍍層脫落", "生鏽", "包裝破損", "數量短少", "混料", "螺紋不良",
           "變形", "色差明顯", "孔位偏移", "硬度不足", "標籤錯誤", "焊點虛焊"]
COMPLAINT_OPENINGS = ["客戶來電反映", "客戶來函指出", "客戶郵件投訴", "客戶到廠反映", "客戶品管部通知",
                      "客戶驗收時發現"]
REMEDIES = ["要求退換貨", "要求補發", "要求提供8D報告", "要求折價處理", "要求派人到現場確認", "要求加強出貨檢驗"]
WHYS = ["作業員未按作業指導書操作", "模具磨損未及時更換", "來料檢驗抽樣不足", "包裝方式不當", "量具未校準",
        "溫濕度控制不良"]
CHANNELS_ORDER = ["fax", "written", "email", "phone"]
CHANNELS_COMPLAINT = ["phone", "fax", "email", "visit", "letter", "meeting"]
CAUSES = ["man", "machine", "method", "material", "measurement", "environment"]


class Numbers:
    """Hands out numbers ``TYPE-yyyy-nnnn`` after the existing counters, and saves the counters at the end."""

    def __init__(self):
        from liaison.core.models import DocumentCounter

        self.last = {(c.doc_type, c.year): c.last_number for c in DocumentCounter.objects.all()}

    def next(self, doc_type: str, year: int) -> str:
        from liaison.core.services import number_format

        number = self.last.get((doc_type, year), 0) + 1
        self.last[(doc_type, year)] = number
        return number_format(doc_type=doc_type, year=year, number=number)

    def save(self):
        from liaison.core.models import DocumentCounter

        for (doc_type, year), last in self.last.items():
            DocumentCounter.objects.update_or_create(doc_type=doc_type, year=year, defaults={"last_number": last})


class Generator:
    def __init__(self, *, scale: float, seed: int):
        from django.contrib.contenttypes.models import ContentType

        from liaison.core.models import Department, User
        from liaison.customers.models import Customer
        from liaison.orders.models import Order, ReviewRound
        from liaison.quality.models import Complaint
        from liaison.satisfaction.models import SurveyForm

        self.rng = random.Random(seed + Customer.objects.count())
        self.scale = scale
        self.counts = {name: max(1, round(n * scale)) for name, n in PER_SCALE.items()}
        self.numbers = Numbers()
        self.users = {u.username: u for u in User.objects.filter(
            username__in=["sales", "qc", "qchead", "saleshead", "engineer"])}
        self.departments = {d.code: d for d in Department.objects.all()}
        self.ct_order = ContentType.objects.get_for_model(Order)
        self.ct_round = ContentType.objects.get_for_model(ReviewRound)
        self.ct_complaint = ContentType.objects.get_for_model(Complaint)
        self.ct_form = ContentType.objects.get_for_model(SurveyForm)
        self.rows = 0
        self.timings = {}
        self.names = set(Customer.objects.values_list("registered_name", flat=True))
        self.tz = dt.timezone(dt.timedelta(hours=8))
        # Everything this run writes happened between these two moments, oldest first.
        self.start = dt.datetime(2025, 1, 2, 8, 0, tzinfo=self.tz)
        self.end = dt.datetime(2026, 11, 26, 18, 0, tzinfo=self.tz)

    # ── helpers ───────────────────────────────────────────────────────────────

    def _bulk(self, model, objects: list, label: str) -> list:
        from django.db import transaction

        with transaction.atomic():
            created = model.objects.bulk_create(objects, batch_size=BATCH)
        self.rows += len(created)
        return created

    def _moment(self, index: int, total: int, start: dt.datetime, end: dt.datetime) -> dt.datetime:
        """The ``index``-th of ``total`` moments spread evenly from ``start`` to ``end`` (with jitter)."""
        span = (end - start).total_seconds()
        return start + dt.timedelta(seconds=span * (index + self.rng.random()) / total)

    def _progress(self, label: str, done: int, total: int, started: float) -> None:
        elapsed = time.monotonic() - started
        rate = self.rows / max(time.monotonic() - self.t0, 1e-9)
        say(f"  {label}: {done:>9,}/{total:,}  {elapsed:6.1f}s  ({rate:,.0f} rows/s overall)")

    def _person(self) -> str:
        return self.rng.choice(SURNAMES) + self.rng.choice(GIVEN)

    # ── customers ────────────────────────────────────────────────────────────

    def _company(self) -> tuple[str, str, str, str]:
        from liaison.core.text import to_simplified

        province, cities = self.rng.choice(PROVINCES)
        city = self.rng.choice(cities)
        industry, scope = self.rng.choice(INDUSTRIES)
        for attempt in range(50):
            brand = "".join(self.rng.sample(BRAND_SYLLABLES, 2))
            place = city.removesuffix("市")
            name = f"{place}{brand}{industry}{self.rng.choice(SUFFIXES)}"
            if attempt > 10:
                name = f"{place}{brand}{industry}{self.rng.choice(SUFFIXES)}（{attempt}廠）"
            short = f"{brand}{industry[:2]}"
            simplified = self.rng.random() < 0.5 and province != "臺灣"
            if simplified:
                name, short = to_simplified(name), to_simplified(short)
            if name not in self.names:
                self.names.add(name)
                address = f"{province}{city}{self.rng.choice(DISTRICTS)}{self.rng.choice(ROADS)}{self.rng.randint(1, 999)}號"
                if simplified:
                    address, scope = to_simplified(address), to_simplified(scope)
                return name, short, address, scope
        raise RuntimeError("could not find a new company name")

    def customers(self) -> list[int]:
        from liaison.core.text import search_key
        from liaison.customers.models import Contact, Customer

        total = self.counts["customers"]
        started = time.monotonic()
        actor = self.users["sales"]
        ids = []
        for offset in range(0, total, BATCH):
            batch, contacts = [], []
            for index in range(offset, min(total, offset + BATCH)):
                name, short, address, scope = self._company()
                area = self.rng.randint(10, 999)
                moment = self._moment(index, total, self.start - dt.timedelta(days=365), self.start)
                batch.append(Customer(
                    registered_name=name, short_name=short, address=address,
                    phone=f"0{area}-{self.rng.randint(20000000, 89999999)}",
                    fax=f"0{area}-{self.rng.randint(20000000, 89999999)}",
                    email=f"purchase{index}@bench-{index % 997}.example.cn",
                    business_scope=scope, status="active" if self.rng.random() < 0.9 else "inactive",
                    search_text=search_key(name, short),
                    created_at=moment, updated_at=moment, created_by=actor, updated_by=actor,
                ))
            created = self._bulk(Customer, batch, "customers")
            for customer in created:
                contacts.append(Contact(
                    customer=customer, name=self._person(), position=self.rng.choice(POSITIONS),
                    mobile=f"13{self.rng.randint(100000000, 999999999)}", is_primary=True,
                    created_at=customer.created_at, updated_at=customer.created_at, created_by=actor, updated_by=actor,
                ))
            self._bulk(Contact, contacts, "contacts")
            ids += [c.pk for c in created]
            self._progress("customers", len(ids), total, started)
        self.timings["customers_s"] = round(time.monotonic() - started, 1)
        return ids

    # ── products ─────────────────────────────────────────────────────────────

    def products(self) -> list:
        from liaison.stock.models import Product, QualifiedStock

        actor = self.users["sales"]
        existing = list(Product.objects.filter(active=True))
        if len(existing) >= 100:
            return existing
        new = []
        codes = set(Product.objects.values_list("code", flat=True))
        for prefix, name, specs in PRODUCT_KINDS:
            for spec_index, spec in enumerate(specs):
                for variant in range(1, 4):
                    code = f"{prefix}-B{spec_index + 1}{variant:02d}"
                    if code not in codes:
                        new.append(Product(code=code, name=name, specification=spec, unit="pcs",
                                           created_by=actor, updated_by=actor))
        created = self._bulk(Product, new, "products")
        self._bulk(QualifiedStock, [QualifiedStock(product=p, quantity=Decimal(0)) for p in created], "stock")
        return existing + created

    # ── orders ───────────────────────────────────────────────────────────────

    def orders(self, customer_ids: list[int], products: list) -> tuple[array, array]:
        from liaison.customers.models import TimelineEntry
        from liaison.orders.models import Order, OrderLine, ReviewRound

        total = self.counts["orders"]
        sales = self.users["sales"]
        head = self.users["saleshead"]
        started = time.monotonic()
        order_ids, order_customers = array("q"), array("q")
        n_customers = len(customer_ids)
        for offset in range(0, total, BATCH):
            batch, specs = [], []
            for index in range(offset, min(total, offset + BATCH)):
                received = self._moment(index, total, self.start, self.end)
                # A few customers order much more than the rest.
                customer_id = customer_ids[int(self.rng.random() ** 2 * n_customers)]
                roll = self.rng.random()
                age = (self.end - received).days
                if age < 7 or roll < 0.04:
                    status = "under_review"
                elif roll < 0.07:
                    status = "rejected"
                elif roll < 0.09:
                    status = "void"
                elif age < 60 or roll < 0.25:
                    status = "accepted"
                else:
                    status = "completed"
                order = Order(
                    number=self.numbers.next("ORD", received.year),
                    customer_id=customer_id, channel=self.rng.choice(CHANNELS_ORDER),
                    customer_po=f"PO{received:%y%m}-{self.rng.randint(1000, 99999)}",
                    received_at=received, delivery_terms="送貨到廠，含運費", packaging="紙箱包裝，每箱不超過20公斤",
                    status=status, created_at=received, updated_at=received, created_by=sales, updated_by=sales,
                )
                if status in ("accepted", "completed"):
                    order.promised_date = (received + dt.timedelta(days=self.rng.randint(20, 45))).date()
                if status == "void":
                    order.voided_at, order.voided_by, order.void_reason = received + dt.timedelta(days=1), head, "客戶取消"
                batch.append(order)
                specs.append(self.rng.randint(1, 3))
            created = self._bulk(Order, batch, "orders")
            lines, rounds, timeline = [], [], []
            for order, n_lines in zip(created, specs, strict=True):
                order_ids.append(order.pk)
                order_customers.append(order.customer_id)
                for line_no, product in enumerate(self.rng.sample(products, n_lines), start=1):
                    lines.append(OrderLine(
                        order=order, line_no=line_no, product=product,
                        quantity=Decimal(self.rng.randrange(100, 20000, 50)), specification=product.specification,
                        required_date=(order.received_at + dt.timedelta(days=self.rng.randint(15, 60))).date(),
                        created_at=order.received_at, updated_at=order.received_at, created_by=sales, updated_by=sales,
                    ))
                extra = {}
                if order.status == "void":
                    extra = {"status": "withdrawn"}
                elif order.status != "under_review":
                    extra = {"status": "decided", "legal_check_passed": True,
                             "outcome": "rejected" if order.status == "rejected" else "accepted",
                             "decided_at": order.received_at + dt.timedelta(days=2), "decided_by": head}
                review = ReviewRound(order=order, number=1, reason="new_order", opened_at=order.received_at,
                                     created_at=order.received_at, updated_at=order.received_at, created_by=sales,
                                     **extra)
                rounds.append(review)
                timeline.append(TimelineEntry(
                    customer_id=order.customer_id, occurred_at=order.received_at, event="order_registered",
                    summary=f"{order.number} {order.customer_po}", actor=sales,
                    about_type=self.ct_order, about_id=order.pk,
                ))
            self._bulk(OrderLine, lines, "order lines")
            self._bulk(ReviewRound, rounds, "review rounds")
            self._bulk(TimelineEntry, timeline, "timeline")
            self._progress("orders", len(order_ids), total, started)
        self.timings["orders_s"] = round(time.monotonic() - started, 1)
        return order_ids, order_customers

    # ── complaints ───────────────────────────────────────────────────────────

    def complaints(self, order_ids: array, order_customers: array, products: list) -> None:
        from liaison.customers.models import TimelineEntry
        from liaison.quality.models import CapaRequest, Complaint

        total = self.counts["complaints"]
        cohort = total // 2  # closed in 2023: the disposal benchmark's records
        sales, qc, qchead = self.users["sales"], self.users["qc"], self.users["qchead"]
        department = self.departments.get("workshop-1") or next(iter(self.departments.values()))
        started = time.monotonic()
        done = 0
        old_start = dt.datetime(2023, 1, 3, 9, 0, tzinfo=self.tz)
        old_end = dt.datetime(2023, 11, 30, 17, 0, tzinfo=self.tz)
        for offset in range(0, total, BATCH):
            batch = []
            for index in range(offset, min(total, offset + BATCH)):
                old = index < cohort
                if old:
                    registered = self._moment(index, cohort, old_start, old_end)
                else:
                    registered = self._moment(index - cohort, total - cohort, self.start, self.end)
                pick = self.rng.randrange(len(order_ids)) if order_ids else None
                product = self.rng.choice(products)
                defect = self.rng.choice(DEFECTS)
                fields = dict(
                    number=self.numbers.next("CMP", registered.year),
                    customer_id=order_customers[pick], order_id=order_ids[pick],
                    channel=self.rng.choice(CHANNELS_COMPLAINT), complaint_date=registered.date(),
                    content=f"{self.rng.choice(COMPLAINT_OPENINGS)}，{product.name}（{product.specification}）"
                            f"批次出現{defect}，不良約{self.rng.randint(1, 30)}%，{self.rng.choice(REMEDIES)}。",
                    product=product, lot=f"L{registered:%y%m%d}-{self.rng.randint(1, 99):02d}",
                    requested_remedy=self.rng.choice(REMEDIES),
                    registered_at=registered, acknowledge_due=registered + dt.timedelta(hours=24),
                    resolve_due=registered.date() + dt.timedelta(days=15),
                    created_at=registered, updated_at=registered, created_by=sales, updated_by=sales,
                )
                age = (self.end - registered).days
                roll = self.rng.random()
                if old or (age > 30 and roll < 0.85):
                    stage = 5
                elif roll < 0.02:
                    stage = -1
                else:
                    stage = self.rng.randint(0, 4)
                if stage == -1:
                    fields["status"] = "void"
                    fields["voided_at"], fields["voided_by"] = registered + dt.timedelta(hours=3), sales
                    fields["void_reason"] = "重複登記"
                if stage >= 1:
                    fields["status"] = "acknowledged"
                    fields["acknowledged_at"], fields["acknowledged_by"] = registered + dt.timedelta(hours=4), sales
                if stage >= 2:
                    fields["status"] = "investigated"
                    fields["cause_category"] = self.rng.choice(CAUSES)
                    fields["why_chain"] = self.rng.sample(WHYS, 3)
                    fields["root_cause"] = fields["why_chain"][-1]
                    fields["containment"] = "庫存品全數重檢"
                    fields["company_at_fault"] = self.rng.random() < 0.7
                    fields["investigated_at"], fields["investigated_by"] = registered + dt.timedelta(days=3), qc
                if stage >= 3:
                    fields["status"] = "result_recorded"
                    fields["result"] = "已安排補貨並加強出貨檢驗"
                    fields["result_recorded_at"], fields["result_recorded_by"] = registered + dt.timedelta(days=6), qchead
                if stage >= 5:
                    fields["status"] = "closed"
                    fields["feedback_at"], fields["feedback_by"] = registered + dt.timedelta(days=7), sales
                    fields["feedback_summary"] = "已電話告知客戶處理結果，客戶接受"
                    fields["closed_at"] = registered + dt.timedelta(days=7)
                complaint = Complaint(**fields)
                batch.append(complaint)
            created = self._bulk(Complaint, batch, "complaints")
            capas, timeline = [], []
            for complaint in created:
                timeline.append(TimelineEntry(
                    customer_id=complaint.customer_id, occurred_at=complaint.registered_at,
                    event="complaint_registered", summary=complaint.number, actor=sales,
                    about_type=self.ct_complaint, about_id=complaint.pk,
                ))
                if complaint.investigated_at and complaint.registered_at >= self.start and self.rng.random() < 0.02:
                    issued = complaint.investigated_at
                    closed = complaint.status == "closed"
                    capas.append(CapaRequest(
                        number=self.numbers.next("CAPA", issued.year), source_kind="complaint",
                        source_type=self.ct_complaint, source_id=complaint.pk, customer_id=complaint.customer_id,
                        department=department, problem=complaint.content[:200],
                        due_date=issued.date() + dt.timedelta(days=30),
                        effectiveness_criterion="三個月內同類投訴為零",
                        effectiveness_check_date=issued.date() + dt.timedelta(days=90),
                        status="closed" if closed else "issued",
                        corrective_action="更換模具並重新培訓作業員" if closed else "",
                        effectiveness="effective" if closed else "",
                        closed_at=complaint.closed_at if closed else None,
                        created_at=issued, updated_at=issued, created_by=qchead, updated_by=qchead,
                    ))
            self._bulk(TimelineEntry, timeline, "timeline")
            if capas:
                self._bulk(CapaRequest, capas, "capa")
            done += len(created)
            self._progress("complaints", done, total, started)
        self.timings["complaints_s"] = round(time.monotonic() - started, 1)

    # ── survey forms ─────────────────────────────────────────────────────────

    def survey_forms(self, customer_ids: list[int]) -> None:
        from liaison.satisfaction.models import Criterion, SurveyForm, SurveyRound, SurveyScore

        rounds = list(SurveyRound.objects.filter(sent_at__isnull=False).order_by("planned_send_on"))
        if not rounds:
            say("  survey forms: no sent survey round (load the demo data first); skipped")
            return
        total = min(self.counts["survey_responses"], len(customer_ids) * len(rounds))
        per_round = -(-total // len(rounds))
        sales = self.users["sales"]
        criteria = {}
        for criterion in Criterion.objects.all():
            criteria.setdefault(criterion.template_id, []).append(criterion)
        started = time.monotonic()
        done = 0
        for survey_round in rounds:
            n = min(per_round, total - done, len(customer_ids))
            sent = survey_round.sent_at
            chase = sent.date() + dt.timedelta(days=15)
            valid = sent.date() + dt.timedelta(days=61)
            chosen = self.rng.sample(customer_ids, n)
            for offset in range(0, n, BATCH):
                forms = []
                for customer_id in chosen[offset:offset + BATCH]:
                    late = self.rng.random() < 0.03
                    returned = valid + dt.timedelta(days=self.rng.randint(1, 10)) if late else \
                        sent.date() + dt.timedelta(days=self.rng.randint(2, 60))
                    entered = dt.datetime.combine(returned, dt.time(10), tzinfo=self.tz)
                    forms.append(SurveyForm(
                        number=self.numbers.next("CSS", sent.year), round=survey_round,
                        template_id=survey_round.template_id, customer_id=customer_id, source="survey",
                        channel="email" if self.rng.random() < 0.7 else "fax", language="zh-hant", sent_at=sent,
                        chase_due_on=chase, valid_until=valid, returned_on=returned,
                        chased_at=sent + dt.timedelta(days=15) if returned > chase else None,
                        chase_channel="phone" if returned > chase else "",
                        entered_at=entered, entered_by=sales, answered_online=self.rng.random() < 0.5,
                        answer_token=secrets.token_urlsafe(24),
                        comments=self.rng.choice(["", "", "交期準時，品質穩定", "希望包裝再加強", "業務回覆速度快"]),
                        created_at=sent, updated_at=entered, created_by=sales, updated_by=sales,
                    ))
                created = self._bulk(SurveyForm, forms, "survey forms")
                scores = [
                    SurveyScore(form=form, criterion=criterion, score=self.rng.choices([1, 2, 3, 4, 5],
                                                                                         [2, 5, 18, 45, 30])[0],
                                created_at=form.entered_at, updated_at=form.entered_at, created_by=sales)
                    for form in created
                    for criterion in criteria.get(form.template_id, [])
                ]
                self._bulk(SurveyScore, scores, "survey scores")
                done += len(created)
                self._progress("survey forms", done, total, started)
        self.timings["survey_forms_s"] = round(time.monotonic() - started, 1)

    def run(self) -> dict:
        self.t0 = time.monotonic()
        say(f"Generating at scale {round(self.scale, 6)}: {self.counts}")
        products = self.products()
        customer_ids = self.customers()
        order_ids, order_customers = self.orders(customer_ids, products)
        self.complaints(order_ids, order_customers, products)
        self.survey_forms(customer_ids)
        self.numbers.save()
        elapsed = time.monotonic() - self.t0
        return {"counts": self.counts, "rows": self.rows, "seconds": round(elapsed, 1),
                "rows_per_s": round(self.rows / elapsed), **self.timings}


def prepare_database() -> None:
    """Migrate, and load the demo data when the database has no users yet."""
    from django.core.management import call_command

    from liaison.core.models import User

    call_command("migrate", verbosity=0, interactive=False)
    if not User.objects.filter(username="sales").exists():
        say("Empty database: loading the demo data first")
        call_command("demo", verbosity=0, stdout=io.StringIO())


def tune(vendor: str) -> None:
    from django.db import connection

    if vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=OFF")


def analyze() -> None:
    """Fresh planner statistics, as autovacuum would have them some minutes later."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=0.01, help="1.0 = 1 M orders (default 0.01)")
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--label", default="", help="key under 'generate' in var/bench/results.json")
    args = parser.parse_args(argv)
    setup_django(args.database_url)
    from bench.common import vendor

    prepare_database()
    tune(vendor())
    result = Generator(scale=args.scale, seed=args.seed).run()
    analyze()
    result.update({"scale": round(args.scale, 6), "database": vendor()})
    say(f"Done: {result['rows']:,} rows in {result['seconds']}s = {result['rows_per_s']:,} rows/s ({vendor()})")
    if args.label:
        import json

        from bench.common import RESULTS

        results = json.loads(RESULTS.read_text()) if RESULTS.exists() else {}
        generated = results.get("generate", {})
        generated[args.label] = result
        record("generate", generated)
    return 0


if __name__ == "__main__":
    sys.exit(main())
