"""Shared set-up of the WhatsApp tests: a fake Graph API on loopback and settings pointing at it."""

import json
import random

import frappe

from cs_sop.core import whatsapp as rules
from cs_sop.tests.fake_graph import TOKEN, FakeGraph

APP_SECRET = "cs-sop-test-app-secret"
VERIFY_TOKEN = "cs-sop-verify-token"
PHONE_NUMBER_ID = "1234567890"
TEMPLATE = "cs_sop_lanjutan"


def configure(fake: FakeGraph, template: str = TEMPLATE) -> None:
	doc = frappe.get_single("SOP WhatsApp Settings")
	doc.update(
		{
			"enabled": 1,
			"phone_number_id": PHONE_NUMBER_ID,
			"access_token": TOKEN,
			"app_secret": APP_SECRET,
			"verify_token": VERIFY_TOKEN,
			"api_base_url": fake.url,
			"api_version": "v21.0",
			"timeout": 5,
			"template_name": template,
			"template_language": "id",
			"template_parameter": "Ticket Number",
		}
	)
	doc.save(ignore_permissions=True)
	frappe.db.commit()


def random_phone() -> str:
	return "6281" + "".join(random.choice("0123456789") for _ in range(9))


def signed(payload: dict, secret: str = APP_SECRET) -> tuple[bytes, dict]:
	body = json.dumps(payload).encode()
	return body, {"Content-Type": "application/json", "X-Hub-Signature-256": rules.sign(secret, body)}
