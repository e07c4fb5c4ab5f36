"""How fast a cancel ends ``OllamaEngine.chat`` (target: < 300 ms).

Two cases against the fake server: cancelling mid-stream, and cancelling while the
server is still "loading the model" (no response headers yet). The baseline is the
time the same engine takes to notice the end of a normal short answer, measured in
the same run.
"""

from __future__ import annotations

import statistics
import threading
import time

from desktop.core.cancel import CancelToken, Cancelled
from desktop.core.chat import ChatMessage, ChatOptions
from desktop.engine.ollama_engine import OllamaEngine
from tests.fakes.fake_ollama import FakeOllama

MESSAGES = [ChatMessage("user", "hi")]


def _cancel_latency(engine: OllamaEngine, after_s: float) -> float:
    token = CancelToken()
    cancelled_at: list[float] = []

    def cancel() -> None:
        time.sleep(after_s)
        cancelled_at.append(time.perf_counter())
        token.cancel()

    thread = threading.Thread(target=cancel, daemon=True)
    thread.start()
    try:
        for _ in engine.chat("mistral:7b", MESSAGES, ChatOptions(), token):
            pass
    except Cancelled:
        pass
    ended = time.perf_counter()
    thread.join()
    return (ended - cancelled_at[0]) * 1000


def _baseline(engine: OllamaEngine) -> float:
    started = time.perf_counter()
    for _ in engine.chat("mistral:7b", MESSAGES, ChatOptions(), CancelToken()):
        pass
    return (time.perf_counter() - started) * 1000


def run(smoke: bool = False) -> list[str]:
    """Measure; return the lines to print."""
    rounds = 3 if smoke else 20
    with FakeOllama() as server:
        engine = OllamaEngine(server.host)
        server.answer = "ok"
        baseline = statistics.median(_baseline(engine) for _ in range(rounds))
        server.answer = "word " * 10_000
        server.tokens_per_second = 50.0
        mid = [_cancel_latency(engine, 0.1) for _ in range(rounds)]
        server.first_token_delay = 5.0
        waiting = [_cancel_latency(engine, 0.1) for _ in range(rounds)]
        engine.close()
    lines = [f"baseline short chat: {baseline:.1f} ms (median of {rounds})"]
    for label, samples in (("cancel mid-stream", mid), ("cancel before first token", waiting)):
        median = statistics.median(samples)
        lines.append(
            f"{label}: median {median:.1f} ms, max {max(samples):.1f} ms "
            f"({median / baseline:.2f}x baseline; target < 300 ms)"
        )
    return lines


if __name__ == "__main__":
    print("\n".join(run()))
