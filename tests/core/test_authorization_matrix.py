"""Every route × every role (and the public) → the expected HTTP status.

Adding a route without a row here fails ``test_every_route_has_a_row``: a new page or endpoint
cannot ship without someone deciding who may use it.
"""

from __future__ import annotations

import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from infuse.core import services
from tests.conftest import ROLES

ANON = "anonymous"
EVERYONE = [ANON, *ROLES]
MISSING = str(uuid.UUID(int=1))


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(EVERYONE, status)


def signed_in(anonymous: int, member: int, **overrides: int) -> dict[str, int]:
    table = {ANON: anonymous, **dict.fromkeys(ROLES, member)}
    table.update(overrides)
    return table


# What people of the region may read (everyone signed in but a supplier).
REGION_READS = signed_in(
    401,
    404,
    officer=200,
    analyst=200,
    procurement_officer=200,
    evaluator=200,
    fund_manager=200,
    programme_admin=200,
)

SPEND_READS = signed_in(401, 200, supplier=404)


def SPEND_RESOLVES(officer: int) -> dict[str, int]:
    """Procurement officers get ``officer``; the rest of the region 403; suppliers 404."""
    return signed_in(401, 403, procurement_officer=officer, supplier=404)


# name → (method, path, body, expected status by role)
MATRIX: dict[str, tuple[str, str, dict | None, dict[str, int]]] = {
    "home": ("get", "/", None, everyone(200)),
    "about": ("get", "/about/", None, everyone(200)),
    "glossary": ("get", "/glossary/", None, everyone(200)),
    "accessibility": ("get", "/accessibility/", None, everyone(200)),
    "login": ("get", "/account/sign-in/", None, signed_in(200, 302)),
    "logout": ("post", "/account/sign-out/", None, everyone(302)),
    "password_reset": ("get", "/account/password-reset/", None, everyone(200)),
    "password_reset_done": ("get", "/account/password-reset/sent/", None, everyone(200)),
    "password_reset_confirm": ("get", "/account/password-reset/MQ/bad-token/", None, everyone(200)),
    "password_reset_complete": ("get", "/account/password-reset/complete/", None, everyone(200)),
    "account": ("get", "/account/", None, signed_in(302, 200)),
    "messages": ("get", "/account/messages/", None, signed_in(302, 200)),
    "mark_all_read": ("post", "/account/messages/read/", None, signed_in(302, 302)),
    "message_choices": ("get", "/account/messages/choices/", None, signed_in(302, 200)),
    # Someone else's (or a missing) message is never opened: back to one's own messages.
    "open_message": ("get", f"/account/messages/{MISSING}/", None, signed_in(302, 302)),
    "revoke_token": ("post", "/account/tokens/999999/revoke/", None, signed_in(302, 404)),
    "confirm_email": ("get", "/account/confirm-email/not-a-token/", None, everyone(200)),
    # The signed link is the authority (RFC 8058 one-click unsubscribe): a made-up one finds
    # nothing for anyone, signed in or not.
    "stop_emails": ("post", "/account/emails/stop/not-a-token/", None, everyone(404)),
    # Everyone in the matrix is confirmed: sending the link again says so on the account page.
    "send_confirmation": ("post", "/account/confirm-email/send/", None, signed_in(302, 302)),
    "audit": ("get", "/audit/", None, signed_in(302, 403, programme_admin=200)),
    "audit_verify": ("post", "/audit/verify/", None, signed_in(302, 403, programme_admin=302)),
    "task": ("get", f"/tasks/{MISSING}/", None, signed_in(302, 404)),
    "datalab:index": ("get", "/data/", None, everyone(200)),
    "region:goals": ("get", "/goals/", None, everyone(200)),
    "region:goal": ("get", "/goals/prosperous/", None, everyone(200)),
    "region:theme": ("get", "/themes/decarbonisation/", None, everyone(200)),
    "region:councils": ("get", "/councils/", None, everyone(200)),
    "region:council": ("get", "/councils/cardiff/", None, everyone(200)),
    "region:what_works": ("get", "/what-works/", None, everyone(200)),
    "datalab:comparator_groups": ("get", "/data/comparator-groups/", None, everyone(200)),
    "datalab:comparator_group_create": (
        "get",
        "/data/comparator-groups/new/",
        None,
        signed_in(302, 403, officer=200, analyst=200, programme_admin=200),
    ),
    "datalab:comparator_group_delete": (
        "get",
        "/data/comparator-groups/no-such/remove/",
        None,
        signed_in(302, 404),
    ),
    "dcat_catalogue": ("get", "/data/catalogue.jsonld", None, everyone(200)),
    "datalab:sql": ("get", "/data/sql/", None, signed_in(302, 200, supplier=403)),
    # Without a query (the matrix posts no form), running it or keeping it is refused (400).
    "datalab:sql_csv": ("post", "/data/sql/csv/", None, signed_in(302, 400, supplier=403)),
    "datalab:sql_save": ("post", "/data/sql/save/", None, signed_in(302, 400, supplier=403)),
    "datalab:dataset_create": (
        "get",
        "/data/datasets/new/",
        None,
        signed_in(302, 403, officer=200, analyst=200),
    ),
    "datalab:dataset": ("get", "/data/datasets/no-such/", None, everyone(404)),
    "datalab:dataset_edit": ("get", "/data/datasets/no-such/edit/", None, signed_in(302, 404)),
    "datalab:indicator_create": (
        "get",
        "/data/datasets/no-such/indicators/new/",
        None,
        signed_in(302, 404),
    ),
    "datalab:indicator": ("get", "/data/indicators/no-such/", None, everyone(404)),
    "datalab:indicator_change": (
        "get",
        "/data/indicators/no-such/change/",
        None,
        signed_in(302, 404),
    ),
    "datalab:indicator_download": (
        "get",
        "/data/indicators/no-such/values.csv",
        None,
        everyone(404),
    ),
    "datalab:indicator_value_flag": (
        "get",
        "/data/indicators/no-such/values/1/flag/",
        None,
        signed_in(302, 404),
    ),
    "datalab:version": ("get", "/data/datasets/no-such/versions/1/", None, everyone(404)),
    "datalab:version_download": (
        "get",
        "/data/datasets/no-such/versions/1/download.csv",
        None,
        everyone(404),
    ),
    "datalab:version_quarantine": (
        "get",
        "/data/datasets/no-such/versions/1/quarantine.csv",
        None,
        everyone(404),
    ),
    "datalab:version_datapackage": (
        "get",
        "/data/datasets/no-such/versions/1/datapackage.json",
        None,
        everyone(404),
    ),
    "datalab:dataset_schema": (
        "get",
        "/data/datasets/no-such/schema/",
        None,
        signed_in(302, 404),
    ),
    "datalab:dataset_schema_rules": (
        "post",
        "/data/datasets/no-such/schema/rules/",
        None,
        signed_in(302, 404),
    ),
    "datalab:dataset_schema_json": (
        "post",
        "/data/datasets/no-such/schema/json/",
        None,
        signed_in(302, 404),
    ),
    "datalab:dataset_schema_clear": (
        "post",
        "/data/datasets/no-such/schema/clear/",
        None,
        signed_in(302, 404),
    ),
    "datalab:recipe": ("get", "/data/datasets/no-such/recipe/", None, signed_in(302, 404)),
    "datalab:recipe_kind": (
        "get",
        "/data/datasets/no-such/recipe/add/",
        None,
        signed_in(302, 404),
    ),
    "datalab:recipe_step": (
        "post",
        "/data/datasets/no-such/recipe/add/sum/",
        None,
        signed_in(302, 404),
    ),
    "datalab:recipe_suggested": (
        "post",
        "/data/datasets/no-such/recipe/suggested/1/",
        None,
        signed_in(302, 404),
    ),
    "datalab:recipe_remove": (
        "post",
        "/data/datasets/no-such/recipe/steps/1/remove/",
        None,
        signed_in(302, 404),
    ),
    "datalab:upload": ("get", "/data/datasets/no-such/upload/", None, signed_in(302, 404)),
    "datalab:upload_status": ("get", f"/data/uploads/{MISSING}/", None, signed_in(302, 404)),
    "datalab:upload_check": (
        "get",
        f"/data/uploads/{MISSING}/check/",
        None,
        signed_in(302, 404),
    ),
    "adaption:index": ("get", "/experiments/", None, everyone(200)),
    "adaption:experiment_create": (
        "get",
        "/experiments/new/",
        None,
        signed_in(302, 403, officer=200, analyst=200),
    ),
    "adaption:experiment": ("get", "/experiments/no-such/", None, everyone(404)),
    "adaption:experiment_design": ("get", "/experiments/no-such/design/", None, everyone(404)),
    "adaption:design_save": ("post", "/experiments/no-such/design/save/", None, everyone(404)),
    "adaption:design_simulate": (
        "post",
        "/experiments/no-such/design/simulate/",
        None,
        everyone(404),
    ),
    "adaption:design_history": (
        "post",
        "/experiments/no-such/design/history/",
        None,
        everyone(404),
    ),
    "adaption:experiment_edit": ("get", "/experiments/no-such/edit/", None, signed_in(302, 404)),
    "adaption:experiment_outcomes": (
        "get",
        "/experiments/no-such/outcomes/",
        None,
        signed_in(302, 404),
    ),
    "adaption:experiment_move": (
        "post",
        "/experiments/no-such/move/launch/",
        None,
        signed_in(302, 404),
    ),
    "adaption:experiment_ask": (
        "post",
        "/experiments/no-such/ask-them/",
        None,
        signed_in(302, 404),
    ),
    "adaption:protocol_register": (
        "get",
        "/experiments/no-such/protocol/",
        None,
        signed_in(302, 404),
    ),
    "adaption:protocol": ("get", "/experiments/no-such/protocol/1/", None, everyone(404)),
    "adaption:experiment_randomise": (
        "get",
        "/experiments/no-such/randomise/",
        None,
        signed_in(302, 404),
    ),
    "adaption:experiment_data": ("get", "/experiments/no-such/data/", None, signed_in(302, 404)),
    "adaption:experiment_decision": (
        "get",
        "/experiments/no-such/decision/",
        None,
        signed_in(302, 404),
    ),
    "adaption:experiment_scale_up": (
        "get",
        "/experiments/no-such/scale-up/",
        None,
        signed_in(302, 404),
    ),
    "adaption:experiment_report": ("get", "/experiments/no-such/report/", None, everyone(404)),
    "adaption:experiment_report_pdf": (
        "get",
        "/experiments/no-such/report.pdf",
        None,
        everyone(404),
    ),
    "adaption:results": ("get", "/experiments/no-such/results/", None, everyone(404)),
    "adaption:allocation": ("get", "/experiments/no-such/allocation/", None, everyone(404)),
    # Spend analysis: people of the region read it; procurement officers resolve and map.
    "procurement:spend": ("get", "/procurement/spend/", None, signed_in(302, 200, supplier=404)),
    "procurement:spend_dataset": (
        "get",
        "/procurement/spend/datasets/no-such/",
        None,
        signed_in(302, 404),
    ),
    "procurement:spend_map": (
        "get",
        "/procurement/spend/datasets/no-such/map/",
        None,
        signed_in(302, 404),
    ),
    "procurement:spend_suppliers": (
        "get",
        "/procurement/spend/suppliers/",
        None,
        signed_in(302, 200, supplier=404),
    ),
    "procurement:spend_matches": (
        "get",
        "/procurement/spend/suppliers/matches/",
        None,
        signed_in(302, 200, supplier=404),
    ),
    "procurement:spend_decide": (
        "post",
        "/procurement/spend/suppliers/matches/999999/",
        None,
        signed_in(302, 403, procurement_officer=404, supplier=404),
    ),
    "procurement:spend_supplier": (
        "get",
        "/procurement/spend/suppliers/999999/",
        None,
        signed_in(302, 404),
    ),
    # A procurement officer's split of no spelling is refused on the page it came from.
    "procurement:spend_split": (
        "post",
        "/procurement/spend/suppliers/999999/split/",
        None,
        signed_in(302, 403, procurement_officer=302, supplier=404),
    ),
    "procurement:spend_categories": (
        "get",
        "/procurement/spend/categories/",
        None,
        signed_in(302, 200, supplier=404),
    ),
    "procurement:spend_category": (
        "post",
        "/procurement/spend/categories/999999/",
        None,
        signed_in(302, 403, procurement_officer=404, supplier=404),
    ),
    "procurement:spend_opportunities": (
        "get",
        "/procurement/spend/opportunities/",
        None,
        signed_in(302, 200, supplier=404),
    ),
    "procurement:spend_export": (
        "get",
        "/procurement/spend/buyers.csv",
        None,
        signed_in(302, 200, supplier=404),
    ),
    "procurement:spend_draft": (
        "post",
        "/procurement/spend/opportunities/draft/",
        None,
        signed_in(302, 403, procurement_officer=404, supplier=404),
    ),
    # Red flags: read by people of the region; imported and reviewed by procurement officers
    # and programme admins (no file, or no such flag: back to the page, or 404).
    "procurement:flags": ("get", "/procurement/flags/", None, signed_in(302, 200, supplier=404)),
    "procurement:flag_import": (
        "post",
        "/procurement/flags/import/",
        None,
        signed_in(302, 302, supplier=404),
    ),
    "procurement:flag_review": (
        "post",
        "/procurement/flags/999999/review/",
        None,
        signed_in(302, 404),
    ),
    "procurement:flag_process": (
        "get",
        "/procurement/flags/processes/no-such/",
        None,
        signed_in(302, 404),
    ),
    "procurement:flag_buyer": (
        "get",
        "/procurement/flags/buyers/no-such/",
        None,
        signed_in(302, 404),
    ),
    "procurement:flag_supplier": (
        "get",
        "/procurement/flags/suppliers/no-such/",
        None,
        signed_in(302, 404),
    ),
    "procurement:index": ("get", "/procurement/", None, everyone(200)),
    "procurement:challenge_create": (
        "get",
        "/procurement/challenges/new/",
        None,
        signed_in(302, 403, procurement_officer=200),
    ),
    "procurement:challenge": ("get", "/procurement/challenges/no-such/", None, everyone(404)),
    "procurement:challenge_edit": (
        "get",
        "/procurement/challenges/no-such/edit/",
        None,
        signed_in(302, 404),
    ),
    "procurement:publish": (
        "post",
        "/procurement/challenges/no-such/publish/",
        None,
        signed_in(302, 404),
    ),
    "procurement:document_add": (
        "get",
        "/procurement/challenges/no-such/documents/new/",
        None,
        signed_in(302, 404),
    ),
    "procurement:phase_ask": (
        "post",
        "/procurement/challenges/no-such/phases/1/ask-them/",
        None,
        signed_in(302, 404),
    ),
    "procurement:phase_deadline": (
        "get",
        "/procurement/challenges/no-such/phases/1/deadline/",
        None,
        signed_in(302, 404),
    ),
    "procurement:phase_edit": (
        "get",
        "/procurement/challenges/no-such/phases/1/edit/",
        None,
        signed_in(302, 404),
    ),
    "procurement:criteria": (
        "get",
        "/procurement/challenges/no-such/phases/1/criteria/",
        None,
        signed_in(302, 404),
    ),
    "procurement:ask": (
        "get",
        "/procurement/challenges/no-such/phases/1/ask/",
        None,
        signed_in(302, 404),
    ),
    "procurement:questions": (
        "get",
        "/procurement/challenges/no-such/phases/1/questions/",
        None,
        signed_in(302, 404),
    ),
    "procurement:bid": (
        "get",
        "/procurement/challenges/no-such/phases/1/bid/",
        None,
        signed_in(302, 404),
    ),
    # Without a bid of one's own: back to the bid page, which says so.
    "procurement:bid_check": (
        "get",
        "/procurement/challenges/no-such/phases/1/bid/check/",
        None,
        signed_in(302, 404),
    ),
    "procurement:bid_withdraw": (
        "post",
        "/procurement/challenges/no-such/phases/1/bid/withdraw/",
        None,
        signed_in(302, 404),
    ),
    "procurement:opening": (
        "post",
        "/procurement/challenges/no-such/phases/1/opening/",
        None,
        signed_in(302, 404),
    ),
    "procurement:evaluators": (
        "get",
        "/procurement/challenges/no-such/phases/1/evaluators/",
        None,
        signed_in(302, 404),
    ),
    "procurement:evaluation": (
        "get",
        "/procurement/challenges/no-such/phases/1/evaluation/",
        None,
        signed_in(302, 404),
    ),
    "procurement:award": (
        "get",
        "/procurement/challenges/no-such/phases/1/award/",
        None,
        signed_in(302, 404),
    ),
    "procurement:award_confirm": (
        "post",
        "/procurement/challenges/no-such/phases/1/award/confirm/",
        None,
        signed_in(302, 404),
    ),
    "procurement:award_cancel": (
        "post",
        "/procurement/challenges/no-such/phases/1/award/cancel/",
        None,
        signed_in(302, 404),
    ),
    "procurement:declare": (
        "post",
        "/procurement/bids/999999/declaration/",
        None,
        signed_in(302, 404),
    ),
    "procurement:evaluate": (
        "get",
        "/procurement/bids/999999/evaluate/",
        None,
        signed_in(302, 404),
    ),
    "procurement:moderate": (
        "get",
        "/procurement/bids/999999/moderate/",
        None,
        signed_in(302, 404),
    ),
    "procurement:feedback": (
        "get",
        "/procurement/bids/999999/feedback/",
        None,
        signed_in(302, 404),
    ),
    "procurement:feedback_pdf": (
        "get",
        "/procurement/bids/999999/feedback.pdf",
        None,
        signed_in(302, 404),
    ),
    "procurement:contract": ("get", "/procurement/contracts/999999/", None, signed_in(302, 404)),
    "procurement:contract_close": (
        "get",
        "/procurement/contracts/999999/close/",
        None,
        signed_in(302, 404),
    ),
    "procurement:contract_cpv": (
        "post",
        "/procurement/contracts/999999/cpv/",
        None,
        signed_in(302, 404),
    ),
    "procurement:milestone_social_value": (
        "get",
        "/procurement/milestones/999999/social-value/",
        None,
        signed_in(302, 404),
    ),
    # The contract register is public, as councils publish theirs.
    "procurement:register_list": ("get", "/procurement/contracts/register/", None, everyone(200)),
    "procurement:register_download": (
        "get",
        "/procurement/contracts/register/download.csv",
        None,
        everyone(200),
    ),
    "procurement:register_entry": (
        "get",
        "/procurement/contracts/register/999999/",
        None,
        everyone(404),
    ),
    "procurement:contract_ask": (
        "post",
        "/procurement/contracts/999999/ask-them/",
        None,
        signed_in(302, 404),
    ),
    "procurement:milestone_add": (
        "post",
        "/procurement/contracts/999999/milestones/",
        None,
        signed_in(302, 404),
    ),
    "procurement:contract_outcomes": (
        "post",
        "/procurement/contracts/999999/outcomes/",
        None,
        signed_in(302, 404),
    ),
    "procurement:contract_evaluate": (
        "post",
        "/procurement/contracts/999999/evaluations/",
        None,
        signed_in(302, 404),
    ),
    "procurement:milestone_accept": (
        "post",
        "/procurement/milestones/999999/accept/",
        None,
        signed_in(302, 404),
    ),
    "procurement:milestone_pay": (
        "post",
        "/procurement/milestones/999999/pay/",
        None,
        signed_in(302, 404),
    ),
    "procurement:document": ("get", "/procurement/documents/999999/", None, everyone(404)),
    "procurement:answer": (
        "get",
        "/procurement/questions/999999/answer/",
        None,
        signed_in(302, 404),
    ),
    "procurement:my_bids": ("get", "/procurement/bids/", None, signed_in(302, 403, supplier=200)),
    "procurement:bid_document": (
        "get",
        "/procurement/bid-documents/999999/",
        None,
        signed_in(302, 404),
    ),
    "procurement:register": ("get", "/procurement/suppliers/register/", None, everyone(200)),
    "procurement:invite": (
        "get",
        "/procurement/suppliers/invite/",
        None,
        signed_in(302, 403, supplier=200),
    ),
    "procurement:join": ("get", "/procurement/suppliers/join/not-a-token/", None, everyone(200)),
    "fund:index": ("get", "/fund/", None, everyone(200)),
    "fund:allocate": (
        "get",
        "/fund/allocations/new/",
        None,
        signed_in(302, 403, fund_manager=200),
    ),
    # The admin site: its own namespace, one row for entry and one for the people list.
    "admin:index": ("get", "/admin/", None, signed_in(302, 302, programme_admin=200)),
    "admin:core_person_changelist": (
        "get",
        "/admin/core/person/",
        None,
        signed_in(302, 302, programme_admin=200),
    ),
    # The API (bearer tokens for people in roles).
    # Spend analysis: people of the region read it; procurement officers resolve (a made-up id
    # is then 404, made-up input 400); suppliers find nothing, as on the pages.
    "api:spend_summary": ("get", "/api/v1/procurement/spend", None, SPEND_READS),
    "api:spend_dataset": (
        "get",
        "/api/v1/procurement/spend/datasets/no-such",
        None,
        signed_in(401, 404),
    ),
    "api:spend_map": (
        "put",
        "/api/v1/procurement/spend/datasets/no-such/mapping",
        {"paid": "a", "supplier": "b", "amount": "c"},
        signed_in(401, 404),
    ),
    "api:spend_suppliers": ("get", "/api/v1/procurement/spend/suppliers", None, SPEND_READS),
    "api:spend_supplier": (
        "get",
        "/api/v1/procurement/spend/suppliers/999999",
        None,
        signed_in(401, 404),
    ),
    "api:spend_supplier_facts": (
        "put",
        "/api/v1/procurement/spend/suppliers/999999/facts",
        {},
        SPEND_RESOLVES(404),
    ),
    "api:spend_merge": (
        "post",
        "/api/v1/procurement/spend/suppliers/merge",
        {"into": 999999, "others": [999998]},
        SPEND_RESOLVES(400),
    ),
    "api:spend_split": (
        "post",
        "/api/v1/procurement/spend/suppliers/split",
        {"spelling": 999999},
        SPEND_RESOLVES(400),
    ),
    "api:spend_matches": ("get", "/api/v1/procurement/spend/matches", None, SPEND_READS),
    "api:spend_decide": (
        "post",
        "/api/v1/procurement/spend/matches/999999",
        {"decision": "merge"},
        SPEND_RESOLVES(404),
    ),
    "api:spend_expense_types": (
        "get",
        "/api/v1/procurement/spend/expense-types",
        None,
        SPEND_READS,
    ),
    "api:spend_set_category": (
        "put",
        "/api/v1/procurement/spend/expense-types/999999",
        {"division": ""},
        SPEND_RESOLVES(404),
    ),
    "api:spend_opportunities": (
        "get",
        "/api/v1/procurement/spend/opportunities",
        None,
        SPEND_READS,
    ),
    "api:spend_table": (
        "get",
        "/api/v1/procurement/spend/tables/buyers.csv",
        None,
        SPEND_READS,
    ),
    "api:spend_draft": (
        "post",
        "/api/v1/procurement/spend/opportunities/draft",
        {"kind": "category", "key": "99"},
        SPEND_RESOLVES(404),
    ),
    "api:flag_definitions": ("get", "/api/v1/procurement/flags", None, SPEND_READS),
    "api:flags_raised": ("get", "/api/v1/procurement/flags/raised", None, SPEND_READS),
    "api:process_flags": (
        "get",
        "/api/v1/procurement/flags/processes/no-such",
        None,
        signed_in(401, 404),
    ),
    "api:review_flag": (
        "post",
        "/api/v1/procurement/flags/999999/review",
        {"explanation": "x"},
        signed_in(401, 403, procurement_officer=404, programme_admin=404, supplier=404),
    ),
    "api:import_ocds": (
        "post",
        "/api/v1/procurement/ocds/import",
        None,
        signed_in(401, 400),  # no file: refused before anyone's rights are read
    ),
    "api:list_councils": ("get", "/api/v1/councils", None, everyone(200)),
    "api:list_goals": ("get", "/api/v1/goals", None, everyone(200)),
    "api:list_ways_of_working": ("get", "/api/v1/ways-of-working", None, everyone(200)),
    "api:list_themes": ("get", "/api/v1/themes", None, everyone(200)),
    "api:me": ("get", "/api/v1/me", None, signed_in(401, 200)),
    "api:task_progress": ("get", f"/api/v1/tasks/{MISSING}", None, signed_in(401, 404)),
    "api:list_tokens": ("get", "/api/v1/tokens", None, signed_in(401, 200)),
    "api:create_token": ("post", "/api/v1/tokens", {"name": "matrix"}, signed_in(401, 201)),
    "api:revoke_token": ("delete", "/api/v1/tokens/999999", None, signed_in(401, 404)),
    "api:goal": ("get", "/api/v1/goals/prosperous", None, everyone(200)),
    "api:theme": ("get", "/api/v1/themes/decarbonisation", None, everyone(200)),
    "api:council": ("get", "/api/v1/councils/cardiff", None, everyone(200)),
    "api:what_works": ("get", "/api/v1/what-works", None, everyone(200)),
    "api:confirm_email": (
        "post",
        "/api/v1/account/email-confirmation",
        {"token": "not-a-token"},
        everyone(409),
    ),
    "api:send_confirmation": (
        "post",
        "/api/v1/account/email-confirmation/send",
        None,
        signed_in(401, 409),
    ),
    "api:list_datasets": ("get", "/api/v1/data/datasets", None, everyone(200)),
    "api:get_dataset": ("get", "/api/v1/data/datasets/no-such", None, everyone(404)),
    "api:create_dataset": (
        "post",
        "/api/v1/data/datasets",
        {"title_en": "M", "title_cy": "M", "publisher": "cardiff"},
        signed_in(401, 403, officer=201, analyst=201),
    ),
    # Without a file the request is malformed (400) before the dataset is looked up.
    "api:upload_version": (
        "post",
        "/api/v1/data/datasets/no-such/uploads",
        None,
        signed_in(401, 400),
    ),
    "api:preview_upload": (
        "get",
        f"/api/v1/data/uploads/{MISSING}/preview",
        None,
        signed_in(401, 404),
    ),
    "api:convert_upload": (
        "post",
        f"/api/v1/data/uploads/{MISSING}/convert",
        {},
        signed_in(401, 404),
    ),
    "api:declare_schema": (
        "put",
        "/api/v1/data/datasets/no-such/schema",
        {"schema": None},
        signed_in(401, 404),
    ),
    "api:get_recipe": ("get", "/api/v1/data/datasets/no-such/recipe", None, everyone(404)),
    "api:put_recipe": (
        "put",
        "/api/v1/data/datasets/no-such/recipe",
        {"steps": []},
        signed_in(401, 404),
    ),
    "api:add_step": (
        "post",
        "/api/v1/data/datasets/no-such/recipe/steps",
        {"step": {}},
        signed_in(401, 404),
    ),
    "api:get_version": ("get", "/api/v1/data/datasets/no-such/versions/1", None, everyone(404)),
    "api:download_version": (
        "get",
        "/api/v1/data/datasets/no-such/versions/1/download.csv",
        None,
        everyone(404),
    ),
    "api:download_quarantine": (
        "get",
        "/api/v1/data/datasets/no-such/versions/1/quarantine.csv",
        None,
        everyone(404),
    ),
    "api:list_groups": ("get", "/api/v1/data/comparator-groups", None, everyone(200)),
    "api:create_group": (
        "post",
        "/api/v1/data/comparator-groups",
        {"name_en": "", "name_cy": "", "councils": []},
        signed_in(401, 403, officer=400, analyst=400, programme_admin=400),
    ),
    "api:delete_group": (
        "delete",
        "/api/v1/data/comparator-groups/no-such",
        None,
        signed_in(401, 404),
    ),
    "api:run_query": (
        "post",
        "/api/v1/data/sql",
        {"sql": "select 1"},
        signed_in(401, 200, supplier=403),
    ),
    "api:create_indicator": (
        "post",
        "/api/v1/data/datasets/no-such/indicators",
        {"title_en": "M", "title_cy": "M", "specification": {}},
        signed_in(401, 404),
    ),
    "api:flag_value": (
        "put",
        "/api/v1/data/indicators/no-such/values/1/flag",
        {"flag": ""},
        signed_in(401, 404),
    ),
    "api:list_indicators": ("get", "/api/v1/data/indicators", None, everyone(200)),
    "api:get_indicator": ("get", "/api/v1/data/indicators/no-such", None, everyone(404)),
    "api:update_indicator": (
        "put",
        "/api/v1/data/indicators/no-such",
        {"title_en": "M", "title_cy": "M"},
        signed_in(401, 404),
    ),
    "api:get_indicator_values": (
        "get",
        "/api/v1/data/indicators/no-such/values",
        None,
        everyone(404),
    ),
    "api:get_upload": ("get", f"/api/v1/data/uploads/{MISSING}", None, signed_in(401, 404)),
    "api:list_experiments": ("get", "/api/v1/experiments", None, everyone(200)),
    "api:create_experiment": (
        "post",
        "/api/v1/experiments",
        {"title_en": "M", "title_cy": "M", "owner": "cardiff", "design": "its"},
        signed_in(401, 403, officer=201, analyst=201),
    ),
    "api:get_experiment": ("get", "/api/v1/experiments/no-such", None, everyone(404)),
    "api:update_experiment": (
        "put",
        "/api/v1/experiments/no-such",
        {"title_en": "M", "title_cy": "M", "owner": "cardiff", "design": "its"},
        signed_in(401, 404),
    ),
    "api:set_outcomes": ("put", "/api/v1/experiments/no-such/outcomes", [], signed_in(401, 404)),
    "api:move_experiment": (
        "post",
        "/api/v1/experiments/no-such/transitions/launch",
        None,
        signed_in(401, 404),
    ),
    "api:register_protocol": (
        "post",
        "/api/v1/experiments/no-such/protocol",
        {},
        signed_in(401, 404),
    ),
    "api:get_protocol": ("get", "/api/v1/experiments/no-such/protocol/1", None, everyone(404)),
    "api:randomise": ("post", "/api/v1/experiments/no-such/randomise", {}, signed_in(401, 404)),
    "api:get_allocation": ("get", "/api/v1/experiments/no-such/allocation", None, everyone(404)),
    "api:attach_data": (
        "post",
        "/api/v1/experiments/no-such/analyses",
        {"dataset": "x", "outcome": "y"},
        signed_in(401, 404),
    ),
    "api:calculate_design": (
        "post",
        "/api/v1/experiments/no-such/design",
        {},
        everyone(404),
    ),
    "api:simulate_design": (
        "post",
        "/api/v1/experiments/no-such/design/simulation",
        None,
        signed_in(401, 404),
    ),
    "api:plan_from_history": (
        "post",
        "/api/v1/experiments/no-such/design/history",
        {},
        signed_in(401, 404),
    ),
    "api:get_analysis": (
        "get",
        "/api/v1/experiments/no-such/analyses/latest",
        None,
        everyone(404),
    ),
    "api:decide": (
        "post",
        "/api/v1/experiments/no-such/decision",
        {"choice": "stop", "rationale": "r"},
        signed_in(401, 404),
    ),
    "api:scale_up": (
        "post",
        "/api/v1/experiments/no-such/scale-up",
        {"councils": []},
        signed_in(401, 404),
    ),
    "api:list_challenges": (
        "get",
        "/api/v1/procurement/challenges",
        None,
        everyone(200),
    ),
    "api:create_challenge": (
        "post",
        "/api/v1/procurement/challenges",
        {"title_en": "T", "title_cy": "T", "owner": "newport", "councils": []},
        signed_in(401, 403, procurement_officer=400, programme_admin=400),
    ),
    "api:get_challenge": (
        "get",
        "/api/v1/procurement/challenges/no-such",
        None,
        everyone(404),
    ),
    "api:save_phase": (
        "put",
        "/api/v1/procurement/challenges/no-such/phases/1",
        {
            "number": 1,
            "budget_pence": 1,
            "opens_at": "2030-01-01T09:00Z",
            "clarification_deadline": "2030-01-02T09:00Z",
            "submission_deadline": "2030-01-03T09:00Z",
            "evaluation_ends_on": "2030-02-01",
            "award_expected_on": "2030-03-01",
        },
        signed_in(401, 404),
    ),
    "api:set_criteria": (
        "put",
        "/api/v1/procurement/challenges/no-such/phases/1/criteria",
        [],
        signed_in(401, 404),
    ),
    "api:publish_challenge": (
        "post",
        "/api/v1/procurement/challenges/no-such/publish",
        None,
        signed_in(401, 404),
    ),
    "api:register_supplier": (
        "post",
        "/api/v1/procurement/suppliers",
        {"email": "x", "full_name": "", "password": "", "name": "", "address": "", "postcode": ""},
        everyone(400),
    ),
    "api:ask_question": (
        "post",
        "/api/v1/procurement/challenges/no-such/phases/1/questions",
        {"question": "q"},
        signed_in(401, 404),
    ),
    "api:answer_question": (
        "post",
        "/api/v1/procurement/questions/999999/answer",
        {"published_question_en": "q", "answer_en": "a"},
        signed_in(401, 404),
    ),
    "api:save_bid": (
        "put",
        "/api/v1/procurement/challenges/no-such/phases/1/bid",
        {},
        signed_in(401, 404),
    ),
    "api:submit_bid": (
        "post",
        "/api/v1/procurement/challenges/no-such/phases/1/bid/submit",
        None,
        signed_in(401, 404),
    ),
    "api:get_bid": (
        "get",
        "/api/v1/procurement/bids/999999",
        None,
        signed_in(401, 404),
    ),
    "api:open_bids": (
        "post",
        "/api/v1/procurement/challenges/no-such/phases/1/opening",
        None,
        signed_in(401, 404),
    ),
    "api:set_panel": (
        "put",
        "/api/v1/procurement/challenges/no-such/phases/1/panel",
        {"evaluators": []},
        signed_in(401, 404),
    ),
    "api:declare": (
        "post",
        "/api/v1/procurement/bids/999999/declaration",
        {"has_conflict": False},
        signed_in(401, 404),
    ),
    "api:save_scores": (
        "put",
        "/api/v1/procurement/bids/999999/scores",
        [],
        signed_in(401, 404),
    ),
    "api:submit_scores": (
        "post",
        "/api/v1/procurement/bids/999999/scores/submit",
        None,
        signed_in(401, 404),
    ),
    "api:moderate": (
        "post",
        "/api/v1/procurement/bids/999999/moderation",
        {"criterion": 1, "score": 1, "rationale": "r"},
        signed_in(401, 404),
    ),
    "api:evaluation": (
        "get",
        "/api/v1/procurement/challenges/no-such/phases/1/evaluation",
        None,
        signed_in(401, 404),
    ),
    "api:award": (
        "post",
        "/api/v1/procurement/challenges/no-such/phases/1/award",
        {"rationale": "r"},
        signed_in(401, 404),
    ),
    "api:confirm_award": (
        "post",
        "/api/v1/procurement/awards/999999/confirm",
        [],
        signed_in(401, 404),
    ),
    "api:add_milestone": (
        "post",
        "/api/v1/procurement/contracts/999999/milestones",
        {"title_en": "m", "due_on": "2030-01-01", "amount_pence": 1},
        signed_in(401, 404),
    ),
    "api:link_outcomes": (
        "put",
        "/api/v1/procurement/contracts/999999/outcomes",
        [],
        signed_in(401, 404),
    ),
    "api:evaluate_outcome": (
        "post",
        "/api/v1/procurement/contracts/999999/evaluations",
        {"indicator": "x"},
        signed_in(401, 404),
    ),
    "api:accept_milestone": (
        "post",
        "/api/v1/procurement/milestones/999999/accept",
        None,
        signed_in(401, 404),
    ),
    "api:pay_milestone": (
        "post",
        "/api/v1/procurement/milestones/999999/payment",
        None,
        signed_in(401, 404),
    ),
    "api:close_contract": (
        "post",
        "/api/v1/procurement/contracts/999999/close",
        {"outcome": "complete"},
        signed_in(401, 404),
    ),
    "api:set_cpv": (
        "put",
        "/api/v1/procurement/contracts/999999/cpv",
        {"codes": ["72000000"]},
        signed_in(401, 404),
    ),
    "api:contract_social_value": (
        "get",
        "/api/v1/procurement/contracts/999999/social-value",
        None,
        signed_in(401, 404),
    ),
    "api:milestone_social_value": (
        "get",
        "/api/v1/procurement/milestones/999999/social-value",
        None,
        signed_in(401, 404),
    ),
    "api:report_social_value": (
        "put",
        "/api/v1/procurement/milestones/999999/social-value",
        {"lines": []},
        signed_in(401, 404),
    ),
    "api:social_value_measures": (
        "get",
        "/api/v1/procurement/social-value/measures",
        None,
        everyone(200),
    ),
    "api:contract_register": ("get", "/api/v1/procurement/register", None, everyone(200)),
    "api:contract_register_file": (
        "get",
        "/api/v1/procurement/register/download.csv",
        None,
        everyone(200),
    ),
    "api:contract_register_entry": (
        "get",
        "/api/v1/procurement/register/999999",
        None,
        everyone(404),
    ),
    "api:list_allocations": ("get", "/api/v1/fund/allocations", None, REGION_READS),
    "api:allocate": (
        "post",
        "/api/v1/fund/allocations",
        {"purpose": "no-such/1", "amount_pence": 1},
        signed_in(401, 403, fund_manager=400),
    ),
    "api:fund_report": ("get", "/api/v1/fund", None, REGION_READS),
    "api:feedback": (
        "get",
        "/api/v1/procurement/bids/999999/feedback",
        None,
        signed_in(401, 404),
    ),
    "api:ocds_releases": ("get", "/api/v1/procurement/ocds/releases", None, everyone(200)),
    "api:ocds_records": ("get", "/api/v1/procurement/ocds/records", None, everyone(200)),
    "api:ocds_process_releases": (
        "get",
        "/api/v1/procurement/ocds/no-such/releases",
        None,
        everyone(404),
    ),
    "api:ocds_process_record": (
        "get",
        "/api/v1/procurement/ocds/no-such/record",
        None,
        everyone(404),
    ),
    "api:api-root": ("get", "/api/v1/", None, everyone(404)),
    "api:openapi-json": ("get", "/api/v1/openapi.json", None, everyone(200)),
    "api:openapi-view": ("get", "/api/v1/docs", None, everyone(200)),
}


def route_names(resolver: URLResolver | None = None, namespace: str = "") -> set[str]:
    names: set[str] = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= route_names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(namespace + pattern.name)
    return names


def test_every_route_has_a_row():
    routes = {name for name in route_names() if not name.startswith("admin:")}
    # The Django admin is one guarded area: its rows stand for all of its generated routes.
    missing = routes - set(MATRIX)
    assert not missing, f"Add these routes to the authorization matrix: {sorted(missing)}"
    stale = {n for n in MATRIX if not n.startswith("admin:")} - routes
    assert not stale, f"Rows for routes that no longer exist: {sorted(stale)}"


@pytest.mark.django_db
@pytest.mark.parametrize("role", EVERYONE)
def test_route_statuses_for_role(role, make_person):
    client = Client()
    headers: dict[str, str] = {}
    if role != ANON:
        person = make_person(role)
        client.force_login(person)
        headers["HTTP_AUTHORIZATION"] = (
            "Bearer " + services.create_api_token(actor=person, name="matrix").secret
        )
    failures = []
    for name, (method, path, body, expected) in MATRIX.items():
        kwargs = dict(headers) if path.startswith("/api/") else {}
        if body is not None:
            kwargs.update(data=body, content_type="application/json")
        if path.startswith("/api/"):
            response = getattr(Client(), method)(path, **kwargs)
        else:
            response = getattr(client, method)(path, **kwargs)
            if name == "logout" and role != ANON:
                client.force_login(person)  # stay signed in for the rest of the table
        if response.status_code != expected[role]:
            failures.append(
                f"{name} {method.upper()} {path}: {response.status_code} "
                f"(expected {expected[role]})"
            )
    assert not failures, "\n".join(failures)
