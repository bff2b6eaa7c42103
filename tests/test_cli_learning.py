"""``reader recommend`` and ``reader similar`` end to end: the sample corpus, a real reading
list on disk, the feature cache in the (isolated) user cache directory, bad input."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from reader.cli import main
from reader.paths import cache_dir

FLOW_QUERY = '"normalizing flow"'


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def ids_of(capsys: pytest.CaptureFixture[str], query: str, *paths: str) -> list[str]:
    code, out, _ = run(capsys, "search", query, *paths)
    assert code == 0
    return [line.split()[0] for line in out.splitlines()]


def star(capsys: pytest.CaptureFixture[str], db: Path, ids: list[str], *extra: str) -> None:
    code, _, err = run(capsys, "annotate", *ids, "--star", *extra, "--db", str(db))
    assert code == 0, err


def test_recommend_without_labels_says_what_it_needs(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    code, out, err = run(capsys, "recommend", "--db", str(db))
    assert (code, out) == (1, "")
    assert "too few labels" in err and "at least 3 starred or tagged papers" in err
    assert "there are 0" in err and "reader annotate ID --star" in err
    flows = ids_of(capsys, FLOW_QUERY)
    star(capsys, db, flows[:2])
    code, _, err = run(capsys, "recommend", "--db", str(db))
    assert code == 1 and "there are 2" in err


def test_recommend_json_ranks_the_topic_first(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    flows = ids_of(capsys, FLOW_QUERY)
    assert len(flows) >= 12
    star(capsys, db, flows[:5])
    code, out, err = run(capsys, "recommend", "--db", str(db), "--limit", "10", "--json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert len(records) == 10
    assert all(set(r) == {"id", "title", "score", "reasons"} for r in records)
    assert not {r["id"] for r in records} & set(flows[:5])  # starred papers are not repeated
    assert sum(r["id"] in flows for r in records) >= 5  # random would give 0.25
    scores = [r["score"] for r in records]
    assert scores == sorted(scores, reverse=True)
    top = records[0]["reasons"]
    assert top["terms"] and all(isinstance(t, str) for t in top["terms"])
    assert top["nearest"]["id"] in flows[:5] and top["nearest"]["title"]
    # The text form lists the same papers in the same order.
    code, out, _ = run(capsys, "recommend", "--db", str(db), "--limit", "10")
    assert code == 0
    assert [line.split()[0] for line in out.splitlines()] == [r["id"] for r in records]


def test_recommend_for_one_tag(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    db = tmp_path / "list.json"
    rl = ids_of(capsys, '"reinforcement learning"')
    code, _, err = run(capsys, "annotate", *rl[:4], "--tag", "RL", "--db", str(db))
    assert code == 0, err
    code, out, err = run(capsys, "recommend", "--db", str(db), "--tag", " rl ", "--json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert sum(r["id"] in rl for r in records[:10]) >= 4
    code, out, err = run(capsys, "recommend", "--db", str(db), "--tag", "flows")
    assert (code, out) == (1, "")
    assert "papers tagged 'flows'" in err and "--tag flows" in err
    code, _, err = run(capsys, "recommend", "--db", str(db), "--tag", ",")
    assert code == 2 and "--tag needs exactly one tag name" in err


def test_similar_lists_near_duplicates(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(
        capsys, "parse", "--json", str(Path(__file__).parent.parent / "sample_corpus")
    )
    assert code == 0
    linked = next(r for r in json.loads(out) if r["possible_duplicates"])
    code, out, err = run(capsys, "similar", linked["id"], "--limit", "3", "--json")
    assert (code, err) == (0, "")
    records = json.loads(out)
    assert len(records) == 3 and records[0]["id"] in linked["possible_duplicates"]
    assert all(set(r) == {"id", "title", "score"} for r in records)
    assert 0 < records[-1]["score"] <= records[0]["score"] <= 1.0001
    code, out, _ = run(capsys, "similar", linked["id"], "--limit", "3")
    assert [line.split()[0] for line in out.splitlines()] == [r["id"] for r in records]


def test_similar_unknown_id_names_it(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "similar", "feedfacecafe")
    assert (code, out) == (1, "")
    assert "unknown paper id 'feedfacecafe'" in err and "not in the corpus" in err
    code, _, err = run(capsys, "similar", "x", "--limit", "-1")
    assert code == 2 and "--limit" in err
    code, _, err = run(capsys, "similar")
    assert code == 2


def test_an_empty_corpus_is_an_error_not_a_crash(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    (empty / "blank.txt").write_text("\n\n", encoding="utf-8")
    code, out, err = run(capsys, "recommend", str(empty), "--db", str(tmp_path / "db.json"))
    assert (code, out) == (1, "")
    assert "blank.txt" in err and "the corpus is empty" in err
    code, out, err = run(capsys, "similar", "abc", str(empty))
    assert (code, out) == (1, "")
    assert "unknown paper id 'abc'" in err and "the corpus is empty" in err


def test_hostile_titles_reach_the_terminal_as_text(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    corpus = tmp_path / "hostile"
    corpus.mkdir()
    lines = ["Get trending papers in your email inbox!"]
    evil = ["\x1b[31mRed {0} %s\x1b]8;;x\x07", "[bold]Markup[/bold] \u202eevil", "$\\alpha$ ~ \\"]
    for n, title in enumerate(evil * 2):
        lines.append(("Subscribe" if n == 0 else "") + f"{title} normalizing flows {n}")
        lines.append(f"Normalizing flows with {title} invertible maps, paper {n}.")
    lines += ["Bandits", "Regret bounds for linear contextual bandits."]
    (corpus / "hostile.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (corpus / "broken.txt").write_bytes(
        b"Get trending papers in your email inbox!\n"
        b"SubscribeBroken \xff\xfe title \x00 with normalizing flows\n"
        b"Invalid \xc3\x28 bytes and a NUL \x00 in normalizing flows.\n"
    )
    code, out, _ = run(capsys, "parse", "--json", str(corpus))
    ids = [r["id"] for r in json.loads(out)]
    db = tmp_path / "db.json"
    star(capsys, db, ids[:3], str(corpus))
    code, out, err = run(capsys, "recommend", str(corpus), "--db", str(db))
    assert code == 0, err
    assert "\x1b" not in out and "\x07" not in out and "\u202e" not in out
    assert "\x00" not in out
    code, out, err = run(capsys, "recommend", str(corpus), "--db", str(db), "--json")
    assert code == 0, err
    records = json.loads(out)
    assert len(records) == len(ids) - 3
    assert any("[bold]Markup[/bold]" in r["title"] for r in records)  # data, not markup
    code, out, _ = run(capsys, "similar", ids[0], str(corpus))
    assert code == 0 and "\x1b" not in out and "\u202e" not in out


@pytest.mark.slow
def test_a_corrupt_feature_cache_is_rebuilt(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    db = tmp_path / "list.json"
    star(capsys, db, ids_of(capsys, FLOW_QUERY)[:5])
    code, first, _ = run(capsys, "recommend", "--db", str(db), "--json")
    assert code == 0
    entries = list(cache_dir().glob("features-*.pickle"))
    assert len(entries) == 1
    for damage in (b"", entries[0].read_bytes()[:1000]):
        entries[0].write_bytes(damage)
        code, again, err = run(capsys, "recommend", "--db", str(db), "--json")
        assert (code, err) == (0, "")
        assert json.loads(again) == json.loads(first)
        assert entries[0].stat().st_size > 1000  # rebuilt and written back whole
    # And in a real process, which must not print a traceback either.
    entries[0].write_bytes(b"\x80\x05garbage")
    process = subprocess.run(
        [sys.executable, "-m", "reader", "recommend", "--db", str(db), "--json"],
        capture_output=True,
        text=True,
        env=dict(os.environ),  # carries this test's isolated XDG_CACHE_HOME
        timeout=120,
        check=False,
    )
    assert (process.returncode, process.stderr) == (0, "")
    assert json.loads(process.stdout) == json.loads(first)
    assert entries[0].stat().st_size > 1000
