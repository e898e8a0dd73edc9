// The fiche de liaison's print view: printed at once when opened with ?imprimer=1.
if (new URLSearchParams(location.search).get("imprimer") === "1") { window.addEventListener("load", function () { window.print(); }); }
