"""API platform fixtures: the rate limiter's clock, stopped."""
import pytest

from verso.api import throttling


class StoppedClock:
    """Stands in for the rate limiter's clock: time moves only when a test moves it."""

    def __init__(self, now: int):
        self.now = now

    def __call__(self) -> float:
        return float(self.now)

    def advance(self, seconds: int) -> None:
        self.now += seconds


@pytest.fixture
def throttle_clock(monkeypatch) -> StoppedClock:
    """Every request of the test falls in one rate-limit window until the test advances the clock."""
    clock = StoppedClock(1_800_000_000)
    monkeypatch.setattr(throttling, "clock", clock)
    return clock
