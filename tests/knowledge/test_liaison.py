"""Fiches de liaison follow their conversation: deleted with it, and after the retention."""
from __future__ import annotations

import datetime as dt

from knowledge.liaison import ALPHABET, FicheRow, LiaisonStore, normalise_code

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


def test_a_code_has_eight_characters_and_is_found_as_a_person_reads_it_out(tmp_path):
    store = LiaisonStore(f"sqlite:///{tmp_path / 'k.db'}")
    code = store.save(ORIENTATION)
    assert len(code) == 8 and set(code) <= set(ALPHABET)
    spoken = f"{code[:4].lower()} - {code[4:]}"
    assert store.get(spoken).orientation == ORIENTATION
    assert store.get(code[:6]) is None and normalise_code(code + "A") is None


def test_a_six_character_code_given_before_stays_readable(tmp_path):
    from sqlalchemy.orm import Session

    store = LiaisonStore(f"sqlite:///{tmp_path / 'k.db'}")
    with Session(store.engine) as s, s.begin():
        s.add(FicheRow(code="K7M2QX", canal="web", orientation=ORIENTATION, created_at=dt.datetime(2026, 11, 30)))
    assert store.get("k7m 2qx").orientation == ORIENTATION


def test_call_motifs_and_satisfaction_answers_share_one_store(tmp_path):
    import sqlite3

    url = f"sqlite:///{tmp_path / 'knowledge.db'}"
    store = LiaisonStore(url)
    store.record_motif("reconversion")
    store.record_avis(True, "web", "vae")
    with sqlite3.connect(tmp_path / "knowledge.db") as db:
        assert db.execute("SELECT canal, motif FROM motifs_appels").fetchall() == [("console", "reconversion")]
        assert db.execute("SELECT canal, besoin, utile FROM avis").fetchall() == [("web", "vae", 1)]
