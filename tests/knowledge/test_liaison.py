"""Fiches de liaison follow their conversation: deleted with it, and after the retention."""
from __future__ import annotations

import datetime as dt

from knowledge.liaison import LiaisonStore

ORIENTATION = {"reseaux": ["cma"], "operateur_cep": "mission-locale", "lieux": [], "raisons": [],
               "profil": {"age": 19, "besoin": "apprentissage"}}


def test_forgetting_a_conversation_deletes_its_fiches_only(tmp_path):
    store = LiaisonStore(f"sqlite:///{tmp_path / 'k.db'}")
    mine = [store.save(ORIENTATION, conversation="conv-a") for _ in range(2)]
    other = store.save(ORIENTATION, conversation="conv-b")
    by_phone = store.save(ORIENTATION, canal="console")
    assert store.forget_conversation("conv-a") == 2
    assert [store.get(code) for code in mine] == [None, None]
    assert store.get(other) is not None and store.get(by_phone) is not None


def test_fiches_older_than_the_cutoff_are_purged(tmp_path):
    store = LiaisonStore(f"sqlite:///{tmp_path / 'k.db'}")
    code = store.save(ORIENTATION, conversation="conv-a")
    created = store.get(code).created_at
    assert store.purge_before(created) == 0
    assert store.purge_before(created + dt.timedelta(seconds=1)) == 1
    assert store.get(code) is None and store.forget_conversation("conv-a") == 0
