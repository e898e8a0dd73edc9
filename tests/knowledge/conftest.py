"""Fixtures of the knowledge tests: one knowledge base on a throw-away SQLite file per session."""
from __future__ import annotations

import pytest

from knowledge import KnowledgeBase
from knowledge.rules import RuleSet, load_rules


@pytest.fixture(scope="session")
def db_url(tmp_path_factory) -> str:
    return f"sqlite:///{tmp_path_factory.mktemp('knowledge') / 'knowledge.db'}"


@pytest.fixture(scope="session")
def kb(db_url) -> KnowledgeBase:
    base = KnowledgeBase.load(db_url)
    yield base
    base.directory.close()


@pytest.fixture(scope="session")
def rules() -> RuleSet:
    return load_rules()
