"""Demo data for crm."""


def seed(stdout) -> None:
    """Idempotent: does nothing when its data is already there."""
