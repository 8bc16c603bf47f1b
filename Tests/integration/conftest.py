"""Fixtures for maws's integration tests: the local stack and a way to run the maws binary (the
plain helpers the tests share are in helpers.py)."""

import pytest

from helpers import Maws
from maws_stack import Stack


@pytest.fixture(scope="session")
def stack():
    with Stack() as running:
        yield running


@pytest.fixture
def maws(stack, tmp_path):
    stack.aws_app.clock_skew = 0
    return Maws(stack, tmp_path)
