"""The next step in words (ledger.nextstep): one rule for the homes and the list's phone cards."""

import pytest

from gaizao.ledger.choices import Stage, Way
from gaizao.ledger.nextstep import NEXT, next_stage, next_step, resident_words


def test_every_stage_of_each_way_has_a_next_step_or_ends():
    from gaizao.ledger.ways import WAY_STAGES

    for way, stages in WAY_STAGES.items():
        for stage in (Stage.REGISTERED, Stage.SURVEYED, *stages, Stage.WITHDRAWN):
            assert stage in NEXT[way], (way, stage)


@pytest.mark.parametrize(("stage", "way", "expected"), [
    (Stage.REGISTERED, Way.DEMOLISH, "入户调查"),
    (Stage.VALUED, Way.DEMOLISH, "签约"),
    (Stage.DECISION, Way.DEMOLISH, "腾空交房"),  # a holdout under a decision still hands over its keys
    (Stage.SIGNED, Way.DEMOLISH, "腾空交房"),
    (Stage.SURVEYED, Way.UPGRADE, "同意整治"),  # the upgrade way has no 认定 / 评估
    (Stage.WORKS_ACCEPTED, Way.UPGRADE, "已完成"),
    (Stage.RESETTLED, Way.DEMOLISH, "已完成"),
    (Stage.WITHDRAWN, Way.DEMOLISH, "已撤出"),
])
def test_next_step_follows_the_way(stage, way, expected):
    assert next_step(stage, way) == expected


def test_resident_reads_where_they_are_and_what_comes_next_in_plain_words():
    words = resident_words(Stage.VALUED, Way.DEMOLISH)
    assert words["now"] == "评估"
    assert "签订补偿安置协议" in words["next"]
    assert resident_words(Stage.RESETTLED, Way.DEMOLISH)["next"] == "您家的补偿安置已经完成。"
    assert next_stage(Stage.WORKS_ACCEPTED, Way.UPGRADE) is None
