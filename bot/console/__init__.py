"""The téléconseiller console of Etoile Info (0 800 222 100): sign-in, calls, fiche de liaison, takeover."""
