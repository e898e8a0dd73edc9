"""Téléconseiller accounts, managed on the server's command line (never from the web).

    python -m bot.console ajouter LOGIN        # creates the account or changes its password
    python -m bot.console supprimer LOGIN
    python -m bot.console lister

The password is asked twice on the terminal, or read from standard input with --mot-de-passe-stdin.
"""
from __future__ import annotations

import argparse
import getpass
import re
import sys

from bot.console.accounts import Accounts
from bot.settings import get_settings

LOGIN = re.compile(r"^[a-z0-9._-]{2,64}$")


def read_password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass("Mot de passe : ")
    if getpass.getpass("Confirmez le mot de passe : ") != first:
        raise ValueError("Les deux mots de passe diffèrent.")
    return first


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.console",
                                     description="Comptes des téléconseillers de la console.")
    sub = parser.add_subparsers(dest="commande", required=True)
    add = sub.add_parser("ajouter", help="créer un compte ou changer son mot de passe")
    add.add_argument("login")
    add.add_argument("--mot-de-passe-stdin", action="store_true")
    sub.add_parser("supprimer", help="supprimer un compte").add_argument("login")
    sub.add_parser("lister", help="lister les comptes")
    args = parser.parse_args(argv)
    accounts = Accounts(get_settings().gateway_db_url)
    try:
        if args.commande == "ajouter":
            if not LOGIN.match(args.login):
                raise ValueError("Identifiant : 2 à 64 caractères parmi a-z, 0-9, point, tiret, souligné.")
            created = accounts.set_password(args.login, read_password(args.mot_de_passe_stdin))
            print(f"Compte {args.login} {'créé' if created else 'mis à jour'}.")
        elif args.commande == "supprimer":
            if not accounts.remove(args.login):
                raise ValueError(f"Compte inconnu : {args.login}")
            print(f"Compte {args.login} supprimé.")
        else:
            print("\n".join(accounts.logins()) or "Aucun compte.")
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
