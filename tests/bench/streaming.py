"""Benchmark: streaming a long answer into the real chat panel.

A real ``ChatPanel`` in an offscreen QApplication, a real ``ChatService`` with its
SQLite store, and the fake Ollama server streaming a 4,000-token answer (prose and code
blocks; 400 with ``smoke``) at 1,000 tokens/s. Reported:

- lag: the server writing its last line -> the last token shown in the panel
- the longest GUI-thread stall (a 5 ms heartbeat timer: largest gap minus 5 ms)
- CPU per token (``time.process_time``) of the panel run minus an in-run baseline that
  streams the same answer by just consuming the engine iterator (the fake server runs in
  this process, so both include its CPU and the difference is the panel's own)
- render cost per update in the first vs the last quarter of the answer

Targets: lag < 100 ms, no stall > 50 ms. Run: ``python -m tests.bench.streaming [--smoke]``.
"""

from __future__ import annotations

import os
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEvent, QEventLoop, Qt, QTimer  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from desktop.core.cancel import CancelToken  # noqa: E402
from desktop.core.chat import ChatMessage, ChatOptions  # noqa: E402
from desktop.engine.ollama_engine import OllamaEngine  # noqa: E402
from tests.fakes.fake_ollama import FakeOllama, split_tokens  # noqa: E402

MODEL = "qwen2.5-coder:7b"
TOKENS_PER_SECOND = 1000.0
HEARTBEAT_MS = 5
LAG_TARGET_MS = 100.0
STALL_TARGET_MS = 50.0


def make_answer(tokens: int) -> str:
    """Prose paragraphs, lists and fenced code blocks, cut to exactly ``tokens`` tokens."""
    sections = []
    index = 0
    while len(split_tokens("".join(sections))) < tokens:
        index += 1
        sections.append(
            f"Step {index} reads the configuration, checks each value and explains why the "
            f"order matters for the parser in section {index}.\n\n"
            f"- keep `value_{index}` small\n- validate before saving\n\n"
            f"```python\ndef handle_{index}(items):\n    total = 0\n    for item in items:\n"
            f"        total += item.size * {index}\n    return total\n```\n\n"
        )
    pieces = split_tokens("".join(sections))[:tokens]
    return "".join(pieces)


@dataclass
class PanelRun:
    """Measurements of one stream into the panel."""

    cpu_s: float = 0.0
    lag_s: float = 0.0
    max_gap_s: float = 0.0
    updates: list[tuple[int, float]] = field(default_factory=list)  # (chars shown, seconds)
    shown_at: float = 0.0
    complete: bool = False


def baseline(server: FakeOllama, answer: str) -> tuple[float, float]:
    """CPU seconds and lag of just consuming the engine iterator (no Qt at all)."""
    engine = OllamaEngine(server.host)
    received = []
    cpu_start = time.process_time()
    for event in engine.chat(MODEL, [ChatMessage("user", "explain")], ChatOptions(), CancelToken()):
        received.append(getattr(event, "text", ""))
    done = time.perf_counter()
    cpu = time.process_time() - cpu_start
    if "".join(received) != answer:
        raise RuntimeError("baseline stream did not deliver the whole answer")
    return cpu, done - (server.sent_tokens_done_at or done)


def panel_run(app: QApplication, server: FakeOllama, answer: str, home: Path) -> PanelRun:
    """Stream ``answer`` into a real ChatPanel and measure it."""
    from desktop.assist.chat_service import ChatService
    from desktop.assist.conversations import ConversationStore
    from desktop.core.paths import HearthPaths
    from desktop.qt.worker import TaskRunner
    from desktop.ui.chat.chat_panel import ChatPanel

    project = home / "project"
    project.mkdir(parents=True, exist_ok=True)
    (project / "main.py").write_text("print('hi')\n", encoding="utf-8")
    store = ConversationStore(HearthPaths.under(home).ensure().chats_db)
    runner = TaskRunner()
    panel = ChatPanel(runner, store)
    panel.resize(1000, 800)
    panel.show()
    service = ChatService(store, project, OllamaEngine(server.host))
    panel.set_options(ChatOptions(), MODEL)
    panel.set_project("bench", service)
    _wait(app, lambda: panel.model_selector.count() > 0, 10.0)

    result = PanelRun()
    total = len(answer)

    def on_update(chars: int, seconds: float) -> None:
        result.updates.append((chars, seconds))
        if chars >= total and not result.shown_at:
            result.shown_at = time.perf_counter()

    panel.transcript.updated.connect(on_update)
    loop = QEventLoop()
    last_beat = [0.0]

    def beat() -> None:
        now = time.perf_counter()
        if last_beat[0]:
            result.max_gap_s = max(result.max_gap_s, now - last_beat[0])
        last_beat[0] = now
        if not panel.is_streaming:
            loop.quit()

    heartbeat = QTimer()
    heartbeat.setTimerType(Qt.TimerType.PreciseTimer)
    heartbeat.setInterval(HEARTBEAT_MS)
    heartbeat.timeout.connect(beat)
    panel.answer_finished.connect(lambda _stats: setattr(result, "complete", True))

    cpu_start = time.process_time()
    panel.send_question("Explain the configuration handling, with code.")
    heartbeat.start()
    QTimer.singleShot(120_000, loop.quit)
    loop.exec()
    result.cpu_s = time.process_time() - cpu_start
    heartbeat.stop()
    sent = server.sent_tokens_done_at or result.shown_at
    result.lag_s = result.shown_at - sent
    if panel.transcript.views[-1].content != answer:
        raise RuntimeError("the panel did not show the whole answer")
    runner.shutdown()
    panel.close()
    panel.deleteLater()
    heartbeat.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
    app.processEvents()
    store.close()
    return result


def _wait(app: QApplication, condition, timeout_s: float) -> None:  # noqa: ANN001 - a predicate
    end = time.monotonic() + timeout_s
    while not condition():
        if time.monotonic() > end:
            raise RuntimeError("timed out waiting for the panel")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.005)


def _quarter_cost(updates: list[tuple[int, float]], total: int, first: bool) -> tuple[float, float, int]:
    """Mean and max render ms per update in the first or last quarter of the answer."""
    if first:
        costs = [s for chars, s in updates if chars <= total * 0.25]
    else:
        costs = [s for chars, s in updates if chars > total * 0.75]
    if not costs:
        return 0.0, 0.0, 0
    return statistics.mean(costs) * 1000, max(costs) * 1000, len(costs)


def run(smoke: bool = False) -> list[str]:
    """Run the benchmark; returns the report lines."""
    tokens = 400 if smoke else 4000
    app = QApplication.instance() or QApplication(sys.argv[:1])
    answer = make_answer(tokens)
    with tempfile.TemporaryDirectory(prefix="hearth-bench-") as tmp, FakeOllama() as server:
        os.environ["HEARTH_HOME"] = tmp
        server.answer = answer
        server.tokens_per_second = TOKENS_PER_SECOND
        base_cpu, base_lag = baseline(server, answer)
        result = panel_run(app, server, answer, Path(tmp))
    per_token_panel = result.cpu_s / tokens * 1000
    per_token_base = base_cpu / tokens * 1000
    extra = per_token_panel - per_token_base
    stall_ms = max(0.0, result.max_gap_s * 1000 - HEARTBEAT_MS)
    lag_ms = result.lag_s * 1000
    first_mean, first_max, first_n = _quarter_cost(result.updates, len(answer), first=True)
    last_mean, last_max, last_n = _quarter_cost(result.updates, len(answer), first=False)
    ratio = (result.cpu_s / base_cpu) if base_cpu else float("nan")
    growth = (last_mean / first_mean) if first_mean else float("nan")
    return [
        f"streaming benchmark: {tokens} tokens ({len(answer)} chars, prose + code) at "
        f"{TOKENS_PER_SECOND:.0f} tok/s{' [smoke]' if smoke else ''}",
        f"  complete answer shown: {'yes' if result.complete else 'NO'}; updates rendered: {len(result.updates)}",
        f"  lag last token -> shown: {lag_ms:.1f} ms (target < {LAG_TARGET_MS:.0f} ms) "
        f"{'OK' if lag_ms < LAG_TARGET_MS else 'MISSED'}; baseline iterator lag {base_lag * 1000:.1f} ms",
        f"  longest GUI stall: {stall_ms:.1f} ms (target < {STALL_TARGET_MS:.0f} ms) "
        f"{'OK' if stall_ms < STALL_TARGET_MS else 'MISSED'}",
        f"  CPU per token: panel run {per_token_panel:.3f} ms, baseline {per_token_base:.3f} ms, "
        f"panel's own {extra:.3f} ms/token (panel run = {ratio:.2f}x baseline CPU)",
        f"  render per update: first quarter mean {first_mean:.2f} ms / max {first_max:.2f} ms (n={first_n}); "
        f"last quarter mean {last_mean:.2f} ms / max {last_max:.2f} ms (n={last_n}); "
        f"last/first = {growth:.2f}x",
    ]


if __name__ == "__main__":
    for line in run(smoke="--smoke" in sys.argv[1:]):
        print(line)
