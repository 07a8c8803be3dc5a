"""Foundation story: a sales clerk signs in, switches to 繁體中文 and opens a customer."""

import re

import pytest

from liaison.core.roles import Role
from liaison.core.tests.factories import UserFactory
from liaison.customers.models import Contact, Customer
from liaison.customers.services import contact_save, customer_save

pytestmark = pytest.mark.browser


def switch_language(page, name: str):
    """Open the account menu (bottom left) and pick a language by its own name."""
    page.locator("[x-data*=openUserLinks] > div.cursor-pointer").click()
    page.get_by_role("button", name=re.compile(name)).click()
    page.wait_for_load_state()


@pytest.fixture
def clerk_and_customer(db):
    clerk = UserFactory(username="meiling", last_name="陳", first_name="美玲", roles=[Role.SALES_STAFF])
    customer = customer_save(
        customer=Customer(
            registered_name="東莞市恒達五金製品有限公司",
            short_name="恒達五金",
            address="廣東省東莞市長安鎮振安中路128號",
            phone="0769-85321188",
            business_scope="五金衝壓件、緊固件的生產與銷售",
        ),
        actor=clerk,
    )
    contact_save(
        contact=Contact(customer=customer, name="何志強", position="採購經理", mobile="13829316620", is_primary=True),
        actor=clerk,
    )
    return clerk, customer


def test_sales_clerk_switches_to_traditional_chinese_and_opens_a_customer(page, log_in, screenshot, clerk_and_customer):
    clerk, customer = clerk_and_customer
    log_in(clerk)
    switch_language(page, "English")
    assert page.locator("html").get_attribute("lang") == "en"

    switch_language(page, "繁體中文")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    clerk.refresh_from_db()
    assert clerk.language == "zh-hant"

    # Find the customer through the list search, typed in Simplified Chinese.
    page.get_by_role("link", name="客戶基本資料表（F9）").first.click()
    page.fill("#searchbar", "恒达")
    page.press("#searchbar", "Enter")
    page.wait_for_url(re.compile(r"[?&]q="))
    assert page.get_by_text("東莞市恒達五金製品有限公司").first.is_visible()
    screenshot(page, "foundation-customer-list-zh-hant")

    page.goto(customer.get_absolute_url())
    assert page.get_by_text("廣東省東莞市長安鎮振安中路128號").is_visible()
    assert page.get_by_text("何志強").first.is_visible()
    screenshot(page, "foundation-customer-page-zh-hant")
    assert page.js_errors == []


@pytest.mark.parametrize(("language", "name"), [("zh-hans", "简体中文"), ("en", "English")])
def test_customer_page_in_each_language(page, log_in, screenshot, clerk_and_customer, language, name):
    clerk, customer = clerk_and_customer
    log_in(clerk)
    switch_language(page, name)
    page.goto(customer.get_absolute_url())
    assert page.locator("html").get_attribute("lang") == language
    screenshot(page, f"foundation-customer-page-{language}")
    page.goto("/admin/")
    screenshot(page, f"foundation-dashboard-{language}")
