"""Load a believable demo company: departments, one user per role, customers, products, stock."""

from decimal import Decimal

from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand

from liaison.core.models import Department, User
from liaison.core.roles import Role
from liaison.core.states import DepartmentKind
from liaison.customers.models import Contact, Customer
from liaison.customers.services import contact_save, customer_save
from liaison.stock.models import Product
from liaison.stock.services import product_save, stock_move_record
from liaison.stock.states import MoveDirection, MoveReason
from liaison.workspace.demo.orders import load_demo_orders
from liaison.workspace.demo.reviews import load_demo_actions
from liaison.workspace.demo.surveys import load_demo_surveys

DEMO_PASSWORD = "liaison-demo"

# code, name, kind, named on the contract review form (F2)
DEPARTMENTS = [
    ("sales", "業務部", DepartmentKind.SALES, True),
    ("qc", "質檢部", DepartmentKind.QC, True),
    ("workshop-1", "一車間（沖壓）", DepartmentKind.WORKSHOP, True),
    ("workshop-2", "二車間（裝配）", DepartmentKind.WORKSHOP, False),
    ("warehouse", "倉庫", DepartmentKind.WAREHOUSE, True),
    ("engineering", "技術部", DepartmentKind.RESPONSIBLE, False),
    ("purchasing", "採購部", DepartmentKind.RESPONSIBLE, False),
    ("management", "總經理室", DepartmentKind.MANAGEMENT, False),
]

# username, last name, first name, role, department code
USERS = [
    ("sales", "陳", "美玲", Role.SALES_STAFF, "sales"),
    ("salesadmin", "林", "淑芬", Role.SALES_ADMIN, "sales"),
    ("saleshead", "黃", "志明", Role.SALES_HEAD, "sales"),
    ("qc", "張", "家豪", Role.QC_INSPECTOR, "qc"),
    ("qchead", "李", "建國", Role.QC_HEAD, "qc"),
    ("workshop", "王", "大偉", Role.WORKSHOP_LEAD, "workshop-1"),
    ("warehouse", "吳", "俊傑", Role.WAREHOUSE_CLERK, "warehouse"),
    ("engineer", "劉", "怡君", Role.RESPONSIBLE_MEMBER, "engineering"),
    ("manager", "蔡", "文雄", Role.MANAGEMENT, "management"),
    ("admin", "周", "雅婷", Role.ADMINISTRATOR, "management"),
]

# registered name, short name, address, phone, fax, scope, contact (name, position, phone, e-mail)
CUSTOMERS = [
    ("東莞市恒達五金製品有限公司", "恒達五金", "廣東省東莞市長安鎮振安中路128號", "0769-85321188", "0769-85321199",
     "五金衝壓件、緊固件的生產與銷售", ("何志強", "採購經理", "13829316620", "hezq@hengda-hw.example.cn")),
    ("深圳市华南精密电子有限公司", "华南精密", "深圳市宝安区福永街道凤凰第三工业区A栋", "0755-29961234", "0755-29961235",
     "精密电子元器件、连接器", ("刘晓燕", "采购主管", "13600187452", "liuxy@hnjm.example.cn")),
    ("蘇州瑞豐機電設備有限公司", "瑞豐機電", "江蘇省蘇州市吳中區木瀆鎮金楓路266號", "0512-66251800", "0512-66251801",
     "自動化設備、輸送線", ("沈國華", "副總經理", "13915586023", "shengh@ruifeng-me.example.cn")),
    ("宁波海天塑胶模具有限公司", "海天模具", "浙江省宁波市北仑区大碶街道庐山西路58号", "0574-86103377", "0574-86103378",
     "注塑模具设计制造", ("周海波", "项目经理", "13805887219", "zhouhb@htmould.example.cn")),
    ("廈門宏信包裝材料有限公司", "宏信包裝", "福建省廈門市集美區杏林灣路1688號", "0592-6213355", "0592-6213356",
     "紙箱、緩衝包裝材料", ("鄭麗華", "業務經理", "13906051877", "zhenglh@hongxin-pack.example.cn")),
    ("佛山市顺德区美达电器有限公司", "美达电器", "广东省佛山市顺德区北滘镇工业大道东18号", "0757-26638899", "0757-26638898",
     "小家电整机及配件", ("梁振华", "采购经理", "13702911536", "liangzh@meida-ea.example.cn")),
    ("杭州天成汽車零部件有限公司", "天成汽配", "浙江省杭州市蕭山區經濟技術開發區建設二路459號", "0571-82876600", "0571-82876601",
     "汽車座椅骨架、衝壓件", ("錢偉", "供應商質量工程師", "13958120345", "qianwei@tc-auto.example.cn")),
    ("青岛海之源食品机械有限公司", "海之源", "山东省青岛市黄岛区前湾港路777号", "0532-86985566", "0532-86985567",
     "食品加工机械", ("孙立新", "采购员", "13864250918", "sunlx@hzy-fm.example.cn")),
    ("永盛工業股份有限公司", "永盛工業", "新北市五股區五工三路112號", "02-22981234", "02-22981235",
     "機械零件貿易、出口", ("洪志豪", "業務副理", "0912-345678", "hong@yongsheng.example.tw")),
    ("天津北方钢构工程有限公司", "北方钢构", "天津市滨海新区塘沽海洋高新区汇祥道9号", "022-25326677", "022-25326678",
     "钢结构工程", ("马建军", "材料部长", "13902056781", "majj@bfgg.example.cn")),
    ("成都蜀匠家居用品有限公司", "蜀匠家居", "四川省成都市新都區工業東區蓉都大道天河路199號", "028-83985522", "028-83985523",
     "家具五金配件", ("羅文", "採購", "13880765214", "luowen@shujiang.example.cn")),
    ("上海联合医疗器械有限公司", "联合医疗", "上海市闵行区莘庄工业区春东路508号", "021-54421888", "021-54421889",
     "医疗器械零部件（需提供材质证明）", ("徐静", "质量经理", "13916652087", "xujing@lianhe-med.example.cn")),
]

# code, name, specification, unit, opening qualified stock
PRODUCTS = [
    ("HB-M6-20", "不鏽鋼六角螺栓", "M6×20 SUS304", "pcs", 12000),
    ("HB-M8-30", "不鏽鋼六角螺栓", "M8×30 SUS304", "pcs", 8000),
    ("FW-M8", "平墊圈", "M8 鍍鋅", "pcs", 20000),
    ("BR-L50", "L型安裝支架", "50×50×3 Q235 噴塑", "pcs", 1500),
    ("BR-U80", "U型固定支架", "80×40×2.5 SPCC 鍍鋅", "pcs", 600),
    ("SP-C12", "壓縮彈簧", "線徑1.2 外徑10 長30", "pcs", 5000),
    ("HS-AL200", "鋁合金散熱片", "200×80×25 6063-T5", "pcs", 300),
    ("PL-DIN", "導軌安裝板", "DIN35 1000mm", "pcs", 0),
]


class Command(BaseCommand):
    help = "Load demo data (idempotent) and print the demo logins."

    # Not one transaction: every step is a public step of its own (durable), as when a clerk takes it.
    # Each part is skipped when its records exist, so running the command again changes nothing.
    def handle(self, *args, **options):
        departments = {}
        for code, name, kind, signs_review in DEPARTMENTS:
            departments[code], _ = Department.objects.get_or_create(
                code=code, defaults={"name": name, "kind": kind, "signs_contract_review": signs_review}
            )
        admin_user = None
        for username, last, first, role, dept in USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = User(username=username, last_name=last, first_name=first, department=departments[dept],
                            is_staff=True, is_superuser=role == Role.ADMINISTRATOR)
                user.set_password(DEMO_PASSWORD)
                user._change_reason = "Demo data"
                user.save()
                user.groups.add(Group.objects.get(name=role.value))
            if role == Role.SALES_STAFF:
                admin_user = user
        for registered, short, address, phone, fax, scope, contact in CUSTOMERS:
            if Customer.objects.filter(registered_name=registered).exists():
                continue
            customer = customer_save(
                customer=Customer(registered_name=registered, short_name=short, address=address, phone=phone,
                                  fax=fax, business_scope=scope),
                actor=admin_user,
                reason="Demo data",
            )
            name, position, mobile, email = contact
            contact_save(
                contact=Contact(customer=customer, name=name, position=position, mobile=mobile, email=email,
                                is_primary=True),
                actor=admin_user,
            )
        warehouse = User.objects.get(username="warehouse")
        for code, name, spec, unit, opening in PRODUCTS:
            if Product.objects.filter(code=code).exists():
                continue
            product = product_save(product=Product(code=code, name=name, specification=spec, unit=unit),
                                   actor=warehouse, reason="Demo data")
            if opening:
                stock_move_record(product=product, direction=MoveDirection.IN, quantity=Decimal(opening),
                                  reason=MoveReason.OPENING, actor=warehouse, document_ref="OPENING")
        load_demo_orders()
        load_demo_surveys()
        load_demo_actions()
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
        self.stdout.write("")
        self.stdout.write(f"Demo logins (password for all: {DEMO_PASSWORD}):")
        for username, last, first, role, dept in USERS:
            self.stdout.write(f"  {username:<12} {last}{first:<6} {role.label}")
