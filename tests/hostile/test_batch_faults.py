"""Issue 23 item 6 (killed workers, a dead main process, two runs into one folder) and item 9 (empty JSONL)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from veracity.batch import run_batch
from veracity.batch.local import WORKER_DIED, LocalEngine, _process_chunk
from veracity.batch.output import OutputDir
from veracity.batch.process import Result, WorkerSpec
from veracity.batch.records import Record
from veracity.config import Settings
from veracity.errors import EmptyInputError, UsageError

REPO = Path(__file__).resolve().parents[2]


def kill_on_poison(records: Sequence[Record]) -> list[Result]:
    """The real worker task, except that a record whose text says POISON kills its worker process (SIGKILL)."""
    if any("POISON" in str(r.content) for r in records):
        os.kill(os.getpid(), signal.SIGKILL)
    return _process_chunk(records)


def _records(n: int, poison: set[int]) -> list[Record]:
    return [
        Record(f"d{i}", "text", ("POISON. " if i in poison else "") + f"Sentence number {i} is here.", f"d{i}", {})
        for i in range(n)
    ]


@pytest.mark.slow
def test_killed_worker_restarts_pool_and_records_only_the_poison_document() -> None:
    """Case 6 (killed worker): a document that kills its worker every time is an error record; the pool restarts and
    every other document, in the same chunk and in later ones, is analysed and in input order."""
    engine = LocalEngine(WorkerSpec(only=("sentences",), settings=Settings()), 1, task=kill_on_poison)
    records = _records(7, poison={2})
    chunks = [records[0:3], records[3:6], records[6:7]]
    results = [r for chunk in engine.run(chunks) for r in chunk]
    assert [r.id for r in results] == [f"d{i}" for i in range(7)]
    errors = {r.id: r.line for r in results if r.error}
    assert list(errors) == ["d2"] and WORKER_DIED in errors["d2"]
    assert engine.restarts >= 1


def _children(pid: int) -> set[int]:
    kids = set()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid:
                kids.add(int(entry.name))
    return kids


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc").is_dir(), reason="needs /proc to find worker processes")
def test_workers_exit_when_the_main_process_is_killed(tmp_path: Path) -> None:
    """Case 6 (kill -9 of the main process): its workers do not live on; they exit within seconds."""
    corpus = tmp_path / "c.jsonl"
    corpus.write_text("".join(f'{{"id": "d{i}", "text": "Sentence {i} is short."}}\n' for i in range(400)))
    script = textwrap.dedent(
        f"""
        from veracity.batch import run_batch
        run_batch({str(corpus)!r}, {str(tmp_path / "out")!r}, only=["sentences"], workers=2, chunk_size=1)
        """
    )
    main = subprocess.Popen([sys.executable, "-c", script], cwd=REPO)
    try:
        deadline = time.monotonic() + 60
        workers: set[int] = set()
        while time.monotonic() < deadline and len(workers) < 2:
            workers = {p for p in _children(main.pid) if "spawn_main" in _cmdline(p)}
            time.sleep(0.2)
        assert workers, "no workers started"
    finally:
        main.kill()
        main.wait()
    end = time.monotonic() + 10
    while time.monotonic() < end and any(_alive(p) for p in workers):
        time.sleep(0.2)
    assert not any(_alive(p) for p in workers)


def _cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def test_two_runs_into_the_same_out_folder_are_refused(tmp_path: Path) -> None:
    """Case 6 (two runs, one --out): while a run holds the output folder, a second run stops with a clear error."""
    first = OutputDir(tmp_path / "out", resume=False, run_info={})
    try:
        with pytest.raises(UsageError, match="another veracity batch run"):
            OutputDir(tmp_path / "out", resume=True, run_info={})
    finally:
        first.release()
    OutputDir(tmp_path / "out", resume=True, run_info={}).release()  # free again once the first run ended


def test_empty_jsonl_input_says_no_documents(tmp_path: Path) -> None:
    """Case 9 (empty JSONL): an empty input (or only blank lines) is "no documents", not an internal error."""
    for name, content in (("empty.jsonl", ""), ("blank.jsonl", "\n\n  \n")):
        corpus = tmp_path / name
        corpus.write_text(content)
        with pytest.raises(EmptyInputError, match="no documents"):
            run_batch(corpus, tmp_path / f"out-{name}", only=["sentences"], workers=1)
