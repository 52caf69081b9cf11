"""The catalogue carries every class A and class B document of the seed city's list,
with the Japanese names exactly as the seed writes them (seed: 本人確認書類一覧)."""

from __future__ import annotations

import re
from pathlib import Path

from identity_docs.catalogue_data import CATALOGUE, CLASS_A, CLASS_B

SEED = Path("/work/shared/seeds/000_75c9d3b2c8a82c09.txt")
# The seed's list, in the seed's order (used when the shared folder is absent in CI).
SEED_A = [
    "マイナンバーカード(個人番号カード)",
    "住民基本台帳カード",
    "旅券",
    "運転免許証",
    "運転経歴証明書",
    "身体障害者手帳",
    "療育手帳",
    "精神障害者保健福祉手帳",
    "在留カード",
    "特別永住者証明書",
    "一時庇護許可書",
    "仮滞在許可書",
]
SEED_B = [
    "Aの書類が更新中の場合に交付される仮証明書や引換証類",
    "地方公共団体が交付する敬老手帳",
    "生活保護受給者証",
    "健康保険又は介護保険の被保険者証",
    "医療受給者証",
    "各種年金証書",
    "児童扶養手当証書",
    "特別児童扶養手当証書等",
    "住民名義の預金通帳",
    "民間企業の社員証",
    "学生証",
    "学校名が記載された各種書類",
    "住民名義の公共料金の領収書(電気、ガス、水道)等",
    "税金や国民健康保険等の領収書",
    "海技免状",
    "電気工事士免状",
    "無線従事者免許証",
    "動力車操縦者運転免許証",
    "運航管理者技能検定合格証明書",
    "猟銃・空気銃所持許可証",
    "特種電気工事資格者認定証",
    "認定電気工事従事者認定証",
    "耐空検査員の証",
    "航空従事者技能証明書",
    "宅地建物取引士証",
    "船員手帳",
    "戦傷病者手帳",
    "教習資格認定証",
    "官公署がその職員に対して発行した身分証明書",
]


def test_class_a_and_b_names_are_the_seed_list_in_order():
    assert [d["name_ja"] for d in CLASS_A] == SEED_A
    assert [d["name_ja"] for d in CLASS_B] == SEED_B
    assert {d["document_class"] for d in CLASS_A} == {"A"}
    assert {d["document_class"] for d in CLASS_B} == {"B"}


def test_every_name_is_copied_from_the_seed_text():
    if (
        not SEED.exists()
    ):  # pragma: no cover - the shared folder is only on dev machines
        return
    text = SEED.read_text(encoding="utf-8")
    section = text[text.index("Aの書類は官公署") : text.index("リストにある書類")]
    for name in SEED_A + SEED_B:
        assert name in section, name


def test_class_a_is_photo_id_and_the_driving_history_cutoff_is_2012_04_01():
    assert all(d["photo"] for d in CLASS_A)
    (history,) = [d for d in CATALOGUE if d["code"] == "driving_history_certificate"]
    assert history["issued_on_or_after"] == "2012-04-01"


def test_codes_are_unique_snake_case():
    codes = [d["code"] for d in CATALOGUE]
    assert len(codes) == len(set(codes))
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", c) for c in codes)


def test_busy_with_work_or_school_is_recorded_but_never_accepted():
    (busy,) = [d for d in CATALOGUE if d["code"] == "busy_with_work_or_school"]
    assert busy["document_class"] == "proof_of_inability"
    assert busy["accepted"] is False
