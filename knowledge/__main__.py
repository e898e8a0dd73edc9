"""Command line of the knowledge base (a fixed contract), for the SPRO team and the tests.

    python -m knowledge [--db URL] route '<profil JSON>' [--inconnus age,handicap]
    python -m knowledge [--db URL] check [--couverture]
    python -m knowledge [--db URL] import FILE

Exit codes: 0 success; 1 a check failed or an import file was refused; 2 bad input (malformed JSON,
unknown slot or value, bad arguments). Errors are one line on stderr, in French.
"""
from __future__ import annotations

import argparse
import json
import sys
from typing import Sequence

from sqlalchemy.exc import SQLAlchemyError

from knowledge import KnowledgeBase, ProfileError
from knowledge.directory import DirectoryError
from knowledge.rules import RulesError
from knowledge.scenarios import load_scenarios

EXIT_FAILED = 1
EXIT_BAD_INPUT = 2


def _fail(message: str, code: int) -> int:
    print(" ".join(str(message).split()), file=sys.stderr)
    return code


def _parse_profile(text: str) -> dict:
    try:
        profil = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ProfileError(f"JSON invalide à la ligne {exc.lineno}, colonne {exc.colno}") from None
    if not isinstance(profil, dict):
        raise ProfileError("Le profil doit être un objet JSON, par exemple {\"age\": 19}")
    return profil


def cmd_route(kb: KnowledgeBase, args: argparse.Namespace) -> int:
    inconnus = [s.strip() for s in args.inconnus.split(",") if s.strip()] if args.inconnus else []
    result = kb.route(_parse_profile(args.profil), inconnus)
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


def cmd_couverture(kb: KnowledgeBase) -> int:
    from knowledge.couverture import mesurer, rapport

    for line in rapport(mesurer(kb.directory, kb.communes)):
        print(line)
    return 0


def cmd_check(kb: KnowledgeBase, args: argparse.Namespace) -> int:
    if getattr(args, "couverture", False):
        return cmd_couverture(kb)
    sections = kb.check()
    total = 0
    for section, problems in sections.items():
        total += len(problems)
        print(f"{section} : {'ok' if not problems else f'{len(problems)} problème(s)'}")
        for problem in problems:
            print(f"  - {problem}")
    print(f"{len(kb.rules.rules)} règles, {len(kb.directory.reseaux())} réseaux, "
          f"{len(kb.info_cards())} fiches, {len(load_scenarios())} scénarios : "
          + ("tout est valide." if not total else f"{total} problème(s)."))
    return 0 if not total else EXIT_FAILED


def cmd_import(kb: KnowledgeBase, args: argparse.Namespace) -> int:
    try:
        report = kb.import_file(args.file)
    except (DirectoryError, OSError, ValueError) as exc:
        return _fail(f"Import refusé, rien n'a été modifié : {exc}", EXIT_FAILED)
    print(f"ajoutés : {report.added}, mis à jour : {report.updated}, rejetés : {len(report.rejected)}")
    for ref, reason in report.rejected:
        print(f"  - entrée {ref} : {reason}")
    if report.merged:
        print(f"dont {report.merged} lieu(x) déjà connu(s) complété(s) par ce fichier")
    for ref, remarque in report.remarques:
        print(f"  - entrée {ref}, importée : {remarque}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m knowledge", description="Base de connaissances du SPRO.")
    parser.add_argument("--db", metavar="URL", default=None,
                        help="base des structures (défaut : SPRO_KNOWLEDGE_DB_URL, sinon var/knowledge.db)")
    sub = parser.add_subparsers(dest="command", required=True)
    route = sub.add_parser("route", help="oriente un profil (JSON) et affiche le résultat")
    route.add_argument("profil", help='profil JSON, par exemple \'{"age": 19, "statut": "decrocheur"}\'')
    route.add_argument("--inconnus", default="", help="informations que la personne ne sait pas ou ne veut pas donner")
    route.set_defaults(func=cmd_route)
    check = sub.add_parser("check", help="vérifie règles, structures, fiches et scénarios")
    check.add_argument("--couverture", action="store_true",
                       help="part des communes dont le premier lieu a une adresse et un téléphone, "
                            "par réseau et département")
    check.set_defaults(func=cmd_check)
    imp = sub.add_parser("import", help="importe des structures (notre CSV, un export JSON data·inclusion, "
                                        "ou un extrait public de knowledge/data/sources/, reconnu à son en-tête)")
    imp.add_argument("file")
    imp.set_defaults(func=cmd_import)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "route":
        # Bad input is refused before the database is opened: fast, and nothing is created.
        try:
            _parse_profile(args.profil)
        except ProfileError as exc:
            return _fail(exc, EXIT_BAD_INPUT)
    try:
        kb = KnowledgeBase.load(args.db)
    except RulesError as exc:
        return _fail(f"Règles invalides : {exc}", EXIT_FAILED)
    except (DirectoryError, OSError, SQLAlchemyError) as exc:
        return _fail(f"Base des structures inaccessible : {exc}", EXIT_FAILED)
    try:
        return args.func(kb, args)
    except ProfileError as exc:
        return _fail(exc, EXIT_BAD_INPUT)


if __name__ == "__main__":
    sys.exit(main())
