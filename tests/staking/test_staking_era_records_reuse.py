"""Era records built once per unchanged election (issue 16, speed): while nobody bonds, nominates or
validates, each era stores the same exposure, elected-set and reward-points objects under its new
keys; any change of the election's inputs, the page size or the era's length builds them afresh,
and every stored record equals what the plain computation gives."""

from __future__ import annotations

import dataclasses

from pallets.staking.types import EraRewardPoints, ExposurePage, PagedExposureMetadata
from runtime import UNIT
from tests.staking.staking_helpers import BOB, DAVE, bond, fast, make_validator, staking

POINTS_PER_BLOCK = 20


def _plain_exposure(st, era: int, stash: str) -> tuple:  # type: ignore[no-untyped-def]
    """The overview and pages the election's support for ``stash`` gives, built from scratch."""
    sup = next(x for x in st.run_election() if x.stash == stash)
    size = st.consts.MaxExposurePageSize
    pages = [sup.others[i : i + size] for i in range(0, len(sup.others), size)]
    return PagedExposureMetadata(sup.total, sup.own, len(sup.others), len(pages)), [ExposurePage(sum(v for _, v in p), p) for p in pages]


def _plain_points(elected: tuple, start: int, end: int) -> EraRewardPoints:
    """Round-robin authorship in AccountId order, as _note_era_points documents it."""
    from pallets.staking.election import sort_key

    order = sorted(range(len(elected)), key=lambda i: sort_key(elected[i]))
    n = len(elected)
    individual = [(elected[i], ((end - 1 - i) // n - (start - 1 - i) // n) * POINTS_PER_BLOCK) for i in order]
    individual = [(w, p) for w, p in individual if p]
    return EraRewardPoints(sum(p for _, p in individual), tuple(individual))


def test_unchanged_elections_store_the_same_records_and_changes_rebuild_them() -> None:
    rt = fast()
    st = staking(rt)
    s = st.storage
    make_validator(rt, "Bob", 500 * UNIT)
    for who in ("Dave", "Eve"):
        bond(rt, who, 300 * UNIT)
        rt.dispatch(who, "Staking", "nominate", {"targets": [BOB]})
    rt.advance_eras(2)  # Bob elected, Dave's and Eve's nominations counted
    first = st.active_era()
    rt.advance_eras(3)
    eras = range(first + 1, st.active_era() + 1)
    for era in eras:
        overview = s.ErasStakersOverview.get((era, BOB))
        page = s.ErasStakersPaged.get((era, BOB, 0))
        plain_overview, plain_pages = _plain_exposure(st, era, BOB)
        assert overview == plain_overview and page == plain_pages[0]
        assert overview.nominator_count == 2 and overview.page_count == 1 and DAVE in [w for w, _ in page.others]
    # the same objects era after era (the old code built equal copies)
    assert len({id(s.ErasStakersOverview.get((era, BOB))) for era in eras}) == 1
    assert len({id(s.ErasStakersPaged.get((era, BOB, 0))) for era in eras}) == 1
    assert len({id(s.ErasElected.get(era)) for era in eras}) == 1
    ended = [era for era in eras if s.ErasRewardPoints.get(era) is not None and s.ErasStartBlock.get(era + 1) is not None]
    shape: dict[tuple[int, int], set[int]] = {}  # (phase of the first block, length) -> the records' ids
    for era in ended:
        start, end = s.ErasStartBlock.get(era), s.ErasStartBlock.get(era + 1)
        assert s.ErasRewardPoints.get(era) == _plain_points(s.ErasElected.get(era), start, end)
        shape.setdefault(((start - 1) % len(s.ErasElected.get(era)), end - start), set()).add(id(s.ErasRewardPoints.get(era)))
    assert len(ended) > len(shape) and all(len(ids) == 1 for ids in shape.values()), shape

    # a bond changes the election's inputs: the next era's records are new and equal the plain ones
    before = s.ErasStakersOverview.get((st.active_era(), BOB))
    rt.dispatch("Dave", "Staking", "bond_extra", {"max_additional": 100 * UNIT})
    rt.advance_eras(2)
    era = st.active_era()
    after = s.ErasStakersOverview.get((era, BOB))
    assert after is not before and after.total == before.total + 100 * UNIT
    assert after == _plain_exposure(st, era, BOB)[0]

    # a smaller page size (a constant override or upgrade) pages the very same support anew
    rt.advance_eras(2)
    era = st.active_era()
    assert s.ErasStakersOverview.get((era, BOB)) is after  # the election was remembered: the same support
    st.consts = dataclasses.replace(st.consts, MaxExposurePageSize=1)
    rt.advance_eras(2)
    era = st.active_era()
    overview = s.ErasStakersOverview.get((era, BOB))
    assert overview.page_count == 2 and overview == _plain_exposure(st, era, BOB)[0]
    assert [s.ErasStakersPaged.get((era, BOB, i)) for i in range(2)] == _plain_exposure(st, era, BOB)[1]


def test_an_era_of_another_length_gets_its_own_points() -> None:
    rt = fast()
    st = staking(rt)
    s = st.storage
    make_validator(rt, "Bob", 500 * UNIT)
    rt.advance_eras(3)
    rt.dispatch("root", "Staking", "force_new_era", {})  # the next era is planned early: a shorter era
    rt.advance_eras(2)
    eras = [e for e in range(1, st.active_era()) if s.ErasRewardPoints.get(e) is not None]
    lengths = {e: s.ErasStartBlock.get(e + 1) - s.ErasStartBlock.get(e) for e in eras}
    assert len(set(lengths.values())) > 1, lengths
    for era in eras:
        assert s.ErasRewardPoints.get(era) == _plain_points(s.ErasElected.get(era), s.ErasStartBlock.get(era), s.ErasStartBlock.get(era + 1))
