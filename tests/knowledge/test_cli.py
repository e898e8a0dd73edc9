"""`python -m knowledge` as the SPRO team runs it (a fixed contract), through a real subprocess."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = '{"age": 19, "statut": "decrocheur", "besoin": "apprentissage", "metier": "cuisinier", "commune": "45234"}'


@pytest.fixture(scope="module")
def cli(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cli') / 'knowledge.db'}"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "knowledge", "--db", url, *args], cwd=ROOT,
                              capture_output=True, text=True, timeout=60)
    return run


def test_route_prints_the_orientation(cli):
    done = cli("route", EXAMPLE)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert set(result) == {"reseaux", "operateur_cep", "lieux", "raisons", "profil", "manquant"}
    assert result["reseaux"] == ["cma", "mission-locale"]
    assert result["profil"]["secteur"] == "artisanat"
    assert [r["regle"] for r in result["raisons"]][0] == "apprentissage-artisanat"
    assert "é" in done.stdout   # French text kept readable (ensure_ascii=False)


def test_route_with_declined_slots(cli):
    done = cli("route", '{"besoin": "formation"}', "--inconnus", "statut")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["reseaux"] == ["etoile-info"] and result["manquant"] == []


@pytest.mark.parametrize("args, words", [
    (["route", '{"statut": "toto"}'], ["statut", "toto"]),
    (["route", '{"statut": '], ["JSON invalide"]),
    (["route", '{"age": 150}'], ["Âge invalide", "150"]),
    (["route", '{"prenom": "Léa"}'], ["prenom"]),
    (["route", '["salarie"]'], ["objet JSON"]),
    (["route", "{}", "--inconnus", "humeur"], ["humeur"]),
])
def test_bad_input_is_one_line_on_stderr_and_exit_2(cli, args, words):
    done = cli(*args)
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1
    for word in words:
        assert word in lines[0]


def test_import_of_a_file_with_missing_columns_is_refused(cli, tmp_path):
    bad = tmp_path / "structures.csv"
    bad.write_text("reseau,nom\ncio,CIO de Blois\n", encoding="utf-8")
    done = cli("import", str(bad))
    assert done.returncode != 0
    assert "Import refusé" in done.stderr and "source" in done.stderr


def test_import_of_a_missing_file_is_refused(cli, tmp_path):
    done = cli("import", str(tmp_path / "absent.csv"))
    assert done.returncode != 0 and "introuvable" in done.stderr


def test_reimporting_the_seed_changes_nothing(cli):
    done = cli("import", str(ROOT / "knowledge" / "data" / "structures_cvl.csv"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "ajoutés : 0, mis à jour : 0, rejetés : 0"


def test_import_reports_rejected_rows_with_reasons(cli, tmp_path):
    header = ("reseau,nom,adresse,code_postal,commune,code_insee,telephone,courriel,site_web,horaires,"
              "latitude,longitude,source,date_source\n")
    path = tmp_path / "lieux.csv"
    path.write_text(header + "reseau-inconnu,Un lieu,,,,,,,,,,,une source,2025-01-01\n", encoding="utf-8")
    done = cli("import", str(path))
    assert done.returncode == 0, done.stderr
    assert "rejetés : 1" in done.stdout and "reseau-inconnu" in done.stdout


def test_check_passes_and_summarises(cli):
    done = cli("check")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "scénarios : ok" in done.stdout
    assert done.stdout.strip().splitlines()[-1].endswith("tout est valide.")


def test_unreachable_database_is_a_clear_error(tmp_path):
    done = subprocess.run([sys.executable, "-m", "knowledge", "--db", "nosuchdialect://x", "check"], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    assert done.stderr.startswith("Base des structures inaccessible")


def test_check_fails_when_a_scenario_fails(monkeypatch, capsys, db_url):
    # in-process, so the scenario table can be replaced by a wrong one
    import knowledge
    from knowledge.__main__ import main

    wrong = [{"id": "faux", "profil": {"statut": "demandeur_emploi", "besoin": "emploi"},
              "attendu": {"reseaux": ["apec"]}}]
    monkeypatch.setattr(knowledge, "load_scenarios", lambda: wrong)
    assert main(["--db", db_url, "check"]) == 1
    out = capsys.readouterr().out
    assert "scénario faux : reseaux : attendu ['apec'], obtenu ['france-travail']" in out
    assert "règle hors-champ jamais appliquée par les scénarios" in out
