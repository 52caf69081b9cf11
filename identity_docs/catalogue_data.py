"""The identity-document catalogue as data: one source for the migration and tests.

The class A and class B entries are the seed city's list (本人確認書類一覧 on the
Atsugi page in ``docs/rules/seed.md``), with the Japanese names
copied character for character; docs/rules/seed.md "Seed table" and §5.1.
The other kinds are what the procedures need besides identity documents
(docs/rules/06-agents.md §6): proofs of authority and of inability to come, the
inquiry answer sheets and the power of attorney.

The fields of an entry are described in :mod:`identity_docs.catalogue_changes`.
``SINCE_THE_SEED`` (the kinds national changes brought after the seed's list) is
part of the catalogue; a data migration copies new kinds in.
"""

from __future__ import annotations

from typing import Any

from identity_docs.catalogue_changes import (
    ANSWER,
    ATTORNEY,
    AUTHORITY,
    INABILITY,
    SINCE_THE_SEED,
    A,
    B,
)
from identity_docs.catalogue_changes import kind_entry as _kind

#: Class A: 官公署が発行した顔写真付きの書類 (seed list, in the seed's order).
CLASS_A: list[dict[str, Any]] = [
    _kind(
        "my_number_card",
        "マイナンバーカード(個人番号カード)",
        "My Number Card",
        A,
        photo=True,
        has_expiry=True,
    ),
    _kind(
        "basic_resident_register_card",
        "住民基本台帳カード",
        "Basic resident register card (with photo)",
        A,
        photo=True,
        has_expiry=True,
    ),
    _kind("passport", "旅券", "Passport", A, photo=True, has_expiry=True),
    _kind(
        "driving_licence",
        "運転免許証",
        "Driving licence",
        A,
        photo=True,
        has_expiry=True,
    ),
    _kind(
        "driving_history_certificate",
        "運転経歴証明書",
        "Driving history certificate",
        A,
        photo=True,
        issued_on_or_after="2012-04-01",
    ),
    _kind(
        "physical_disability_handbook",
        "身体障害者手帳",
        "Physical disability handbook",
        A,
        photo=True,
    ),
    _kind(
        "rehabilitation_handbook", "療育手帳", "Rehabilitation handbook", A, photo=True
    ),
    _kind(
        "mental_disability_handbook",
        "精神障害者保健福祉手帳",
        "Mental disability handbook",
        A,
        photo=True,
        has_expiry=True,
    ),
    _kind(
        "residence_card", "在留カード", "Residence card", A, photo=True, has_expiry=True
    ),
    _kind(
        "special_permanent_resident_certificate",
        "特別永住者証明書",
        "Special permanent resident certificate",
        A,
        photo=True,
        has_expiry=True,
    ),
    _kind(
        "temporary_refuge_permit",
        "一時庇護許可書",
        "Temporary refuge permit",
        A,
        photo=True,
        has_expiry=True,
    ),
    _kind(
        "provisional_stay_permit",
        "仮滞在許可書",
        "Provisional stay permit",
        A,
        photo=True,
        has_expiry=True,
    ),
]

#: Class B: 「氏名と住所」又は「氏名と生年月日」が記載されている書類 (seed list, order).
CLASS_B: list[dict[str, Any]] = [
    _kind(
        "provisional_certificate_during_renewal",
        "Aの書類が更新中の場合に交付される仮証明書や引換証類",
        "Provisional certificate or claim slip issued while a class A document "
        "is being renewed",
        B,
        has_expiry=True,
    ),
    _kind(
        "senior_citizen_handbook",
        "地方公共団体が交付する敬老手帳",
        "Senior citizen handbook issued by a local government",
        B,
    ),
    _kind(
        "public_assistance_certificate",
        "生活保護受給者証",
        "Public assistance (welfare) certificate",
        B,
        has_expiry=True,
    ),
    _kind(
        "health_or_care_insurance_card",
        "健康保険又は介護保険の被保険者証",
        "Health insurance or long-term-care insurance card",
        B,
        has_expiry=True,
    ),
    _kind(
        "medical_subsidy_certificate",
        "医療受給者証",
        "Medical subsidy certificate",
        B,
        has_expiry=True,
    ),
    _kind("pension_certificate", "各種年金証書", "Pension certificate", B),
    _kind(
        "child_support_allowance_certificate",
        "児童扶養手当証書",
        "Child support allowance certificate",
        B,
    ),
    _kind(
        "special_child_support_allowance_certificate",
        "特別児童扶養手当証書等",
        "Special child support allowance certificate and the like",
        B,
    ),
    _kind(
        "bank_passbook",
        "住民名義の預金通帳",
        "Bank passbook in the resident's name",
        B,
        public_issuer=False,
    ),
    _kind(
        "employee_id",
        "民間企業の社員証",
        "Private-company employee ID",
        B,
        photo=True,
        public_issuer=False,
    ),
    _kind(
        "student_id",
        "学生証",
        "Student ID",
        B,
        photo=True,
        public_issuer=False,
        has_expiry=True,
    ),
    _kind(
        "school_document",
        "学校名が記載された各種書類",
        "Document bearing the school's name",
        B,
        public_issuer=False,
    ),
    _kind(
        "utility_receipt",
        "住民名義の公共料金の領収書(電気、ガス、水道)等",
        "Utility receipt (electricity, gas, water) in the resident's name",
        B,
        public_issuer=False,
    ),
    _kind(
        "tax_receipt",
        "税金や国民健康保険等の領収書",
        "Receipt for taxes or national health insurance",
        B,
    ),
    _kind(
        "maritime_officer_licence",
        "海技免状",
        "Maritime officer licence",
        B,
        photo=True,
        has_expiry=True,
    ),
    _kind(
        "electrician_licence",
        "電気工事士免状",
        "Electrician licence",
        B,
        photo=True,
    ),
    _kind(
        "radio_operator_licence",
        "無線従事者免許証",
        "Radio operator licence",
        B,
        photo=True,
    ),
    _kind(
        "railway_driver_licence",
        "動力車操縦者運転免許証",
        "Railway driver licence",
        B,
        photo=True,
    ),
    _kind(
        "flight_dispatcher_certificate",
        "運航管理者技能検定合格証明書",
        "Flight dispatcher qualification certificate",
        B,
        photo=True,
    ),
    _kind(
        "firearm_permit",
        "猟銃・空気銃所持許可証",
        "Hunting gun / air gun permit",
        B,
        photo=True,
        has_expiry=True,
    ),
    _kind(
        "special_electrician_certificate",
        "特種電気工事資格者認定証",
        "Special electrical works qualification certificate",
        B,
        photo=True,
    ),
    _kind(
        "certified_electrical_worker_certificate",
        "認定電気工事従事者認定証",
        "Certified electrical worker certificate",
        B,
        photo=True,
    ),
    _kind(
        "airworthiness_inspector_certificate",
        "耐空検査員の証",
        "Airworthiness inspector certificate",
        B,
        photo=True,
    ),
    _kind(
        "aviation_competence_certificate",
        "航空従事者技能証明書",
        "Aviation competence certificate",
        B,
        photo=True,
    ),
    _kind(
        "real_estate_broker_licence",
        "宅地建物取引士証",
        "Real estate transaction broker licence",
        B,
        photo=True,
        has_expiry=True,
    ),
    _kind("seaman_handbook", "船員手帳", "Seaman's handbook", B, photo=True),
    _kind(
        "war_invalid_handbook",
        "戦傷病者手帳",
        "War invalid handbook",
        B,
        photo=True,
    ),
    _kind(
        "driving_instructor_certificate",
        "教習資格認定証",
        "Driving instructor qualification certificate",
        B,
        photo=True,
    ),
    _kind(
        "public_staff_id",
        "官公署がその職員に対して発行した身分証明書",
        "Staff ID issued by a public body to its employee",
        B,
        photo=True,
    ),
]

#: Proofs of legal authority (法定代理人の資格を証明する書類,
#: docs/rules/06-agents.md §6.1).
PROOFS_OF_AUTHORITY: list[dict[str, Any]] = [
    _kind(
        "family_register_extract",
        "戸籍謄本",
        "Family register extract (full)",
        AUTHORITY,
    ),
    _kind(
        "family_register_abstract",
        "戸籍抄本",
        "Family register extract (individual)",
        AUTHORITY,
    ),
    _kind(
        "guardianship_registry_certificate",
        "成年後見登記事項証明書",
        "Adult guardianship registry certificate",
        AUTHORITY,
    ),
    _kind(
        "family_court_ruling",
        "家庭裁判所の審判書謄本及び確定証明書",
        "Family court ruling with certificate of finality",
        AUTHORITY,
    ),
]

#: Proofs that the holder cannot come (本人が来庁できないことを証明する書類, §6.2).
PROOFS_OF_INABILITY: list[dict[str, Any]] = [
    _kind("medical_certificate", "診断書", "Medical certificate", INABILITY),
    _kind("disability_handbook", "障害者手帳", "Disability handbook", INABILITY),
    _kind(
        "facility_residence_certificate",
        "施設の入所証明書",
        "Certificate of residence in a care facility",
        INABILITY,
    ),
    _kind(
        "long_term_care_certificate",
        "介護保険被保険者証(要介護認定)",
        "Long-term-care insurance card showing care-need certification",
        INABILITY,
    ),
    _kind(
        "hospitalisation_certificate",
        "入院証明書",
        "Certificate of hospitalisation",
        INABILITY,
    ),
    # Recorded so the clerk can note what was offered; never accepted by the seed
    # city ("仕事や学業の多忙を理由とした任意代理人による手続きはできません").
    _kind(
        "busy_with_work_or_school",
        "仕事や学業の多忙(申立て)",
        "Busy with work or school (statement)",
        INABILITY,
        public_issuer=False,
        accepted=False,
    ),
    # One city accepts a long business trip with the employer's letter (§6.2, VARIES).
    _kind(
        "long_business_trip_letter",
        "長期出張の勤務先証明書",
        "Employer's letter certifying a long business trip",
        INABILITY,
        public_issuer=False,
        accepted=False,
    ),
]

#: The inquiry answer sheets (照会書・回答書) and the power of attorney (§6.2).
ANSWER_SHEETS_AND_ATTORNEY: list[dict[str, Any]] = [
    _kind(
        "inquiry_answer_sheet",
        "照会書・回答書",
        "Inquiry letter / answer sheet",
        ANSWER,
    ),
    _kind(
        "inquiry_and_answer_sheet",
        "照会書兼回答書",
        "Inquiry-and-answer sheet",
        ANSWER,
    ),
    _kind(
        "power_of_attorney",
        "委任状",
        "Power of attorney",
        ATTORNEY,
        public_issuer=False,
    ),
]

CATALOGUE: list[dict[str, Any]] = (
    CLASS_A
    + CLASS_B
    + SINCE_THE_SEED
    + PROOFS_OF_AUTHORITY
    + PROOFS_OF_INABILITY
    + ANSWER_SHEETS_AND_ATTORNEY
)
