// Console Etoile Info: a call as a script aid, code lookup, and live takeover of web conversations.
// Everything is rendered as text (textContent); the only links are tel: and https: from the data.
(function () {
  "use strict";
  var CSRF = document.querySelector('meta[name="csrf"]').content;
  var $ = function (id) { return document.getElementById(id); };
  var call = null, view = null, valeurs = {}, relais = { id: null, after: 0, timer: null };

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "class") { node.className = attrs[k]; }
      else if (k.slice(0, 2) === "on") { node.addEventListener(k.slice(2), attrs[k]); }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return node;
  }
  function clear(node) { node.textContent = ""; return node; }
  function announce(text) { $("annonce").textContent = text; }
  function safeLink(href, label) {
    return /^(https:\/\/[^\s"<>]+|tel:\+?[0-9]{2,15})$/.test(href) ? el("a", { href: href, text: label }) : document.createTextNode(label);
  }
  function tel(number) { return safeLink("tel:" + number.replace(/[^0-9+]/g, ""), number); }

  function api(method, path, body) {
    return fetch(path, {
      method: method, credentials: "same-origin",
      headers: Object.assign({ "X-CSRF-Token": CSRF }, body ? { "Content-Type": "application/json" } : {}),
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (r.status === 401) { location.href = "/console/connexion"; throw new Error("déconnecté"); }
      if (r.status === 204) { return null; }
      return r.json().then(function (data) {
        if (!r.ok) { announce(data.detail || "Erreur."); throw new Error(data.detail); }
        return data;
      });
    });
  }

  /* ---------- screens and shortcuts ---------- */
  function show(screen) {
    ["appel", "code", "file"].forEach(function (name) {
      $("ecran-" + name).hidden = name !== screen;
      document.querySelector('[data-ecran="' + name + '"]').setAttribute("aria-current", name === screen ? "page" : "false");
    });
    var focus = { appel: "propos", code: "code", file: "file" }[screen];
    if (screen === "file") { refreshQueue(); }
    var target = $(focus);
    if (target.tagName === "UL") { target = target.querySelector("button") || $("titre-file"); target.tabIndex = target.tabIndex < 0 ? -1 : target.tabIndex; }
    target.focus();
  }
  document.querySelectorAll("[data-ecran]").forEach(function (b) {
    b.addEventListener("click", function () { show(b.getAttribute("data-ecran")); });
  });
  document.addEventListener("keydown", function (e) {
    if (e.altKey && !e.ctrlKey) {
      var key = e.key.toLowerCase();
      if (key === "n") { e.preventDefault(); newCall(); show("appel"); }
      else if (key === "r") { e.preventDefault(); show("code"); }
      else if (key === "f") { e.preventDefault(); show("file"); }
      else if (/^[1-9]$/.test(key)) {  // Alt+digit: the answer buttons of the next question
        var button = $("question").querySelectorAll("button")[Number(key) - 1];
        if (button) { e.preventDefault(); button.click(); }
      }
    }
  });

  /* ---------- a call ---------- */
  function newCall() {
    call = null; view = null;
    clear($("echange")); clear($("profil")); $("profil-vide").hidden = false;
    clear($("question")).appendChild(el("p", { class: "aide", text: "Aucune question en attente." }));
    clear($("recommandation")).appendChild(el("p", { class: "aide", text: "Elle s'affiche dès que le profil suffit." }));
    $("cloture").hidden = true;
    $("propos").value = "";
    announce("Nouvel appel.");
  }
  function say(body, shown) {
    var ready = call ? Promise.resolve() : api("POST", "/console/api/appels").then(function (d) { call = d.id; });
    $("echange").appendChild(el("li", { class: "personne", text: shown }));
    var screen = $("ecran-appel");
    screen.setAttribute("aria-busy", "true");
    return ready.then(function () { return api("POST", "/console/api/appels/" + call + "/messages", body); })
      .then(render).catch(function () {}).then(function () { screen.removeAttribute("aria-busy"); });
  }
  $("form-appel").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("propos").value.trim();
    if (!text) { announce("Tapez d'abord ce que dit la personne."); return; }
    $("propos").value = "";
    say({ text: text }, text);
  });
  $("propos").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && e.ctrlKey) { e.preventDefault(); $("form-appel").requestSubmit(); }
  });
  $("nouvel-appel").addEventListener("click", function () { newCall(); $("propos").focus(); });

  function render(data) {
    view = data;
    data.messages.forEach(function (m) {
      if (m.text && !(m.custom && m.custom.type === "orientation")) { $("echange").appendChild(el("li", { class: "assistant", text: m.text })); }
    });
    renderProfile($("profil"), data, true);
    renderQuestion(data);
    if (data.orientation) {
      renderRecommendation(clear($("recommandation")), data);
      $("cloture").hidden = false;
      var besoin = data.orientation.profil && data.orientation.profil.besoin;
      if (besoin && valeurs.motifs.some(function (m) { return m.code === besoin; })) { $("motif").value = besoin; }
      announce("Recommandation prête : " + data.orientation.annuaire[data.orientation.reseaux[0]].nom + ".");
    } else if (data.question) {
      announce("Question suivante : " + data.question.texte);
    }
  }

  var LABELS = { age: "Âge", statut: "Situation", contrat: "Contrat", besoin: "Besoin", secteur: "Secteur",
                 metier: "Métier", handicap: "RQTH", cadre: "Cadre", commune: "Commune", departement: "Département" };
  function said(data, slot) {
    var v = data.state.profil[slot];
    if (data.libelles && data.libelles[slot]) { return data.libelles[slot]; }
    if (v === true) { return "oui"; }
    if (v === false) { return "non"; }
    return slot === "age" ? v + " ans" : String(v);
  }
  function renderProfile(dl, data, editable) {
    clear(dl);
    var slots = Object.keys(LABELS).filter(function (s) { return data.state.profil[s] !== undefined && s !== "departement"; });
    if (editable) { $("profil-vide").hidden = slots.length > 0; }
    slots.forEach(function (slot) {
      var dd = el("dd", {}, [el("span", { text: said(data, slot) })]);
      if (editable) {
        dd.appendChild(el("button", { type: "button", class: "petit", text: "Modifier",
          "aria-label": "Modifier : " + LABELS[slot], onclick: function () { editSlot(dd, slot); } }));
      }
      dl.appendChild(el("dt", { text: LABELS[slot] }));
      dl.appendChild(dd);
    });
  }
  function editSlot(dd, slot) {
    var id = "edition-" + slot, field;
    var options = valeurs.profil[slot];
    if (options) {
      field = el("select", { id: id }, options.map(function (o) { return el("option", { value: o.code, text: o.libelle }); }));
      if (view && view.state.profil[slot] !== undefined) { field.value = String(view.state.profil[slot]); }
    } else {
      field = el("input", { id: id, value: view && view.state.profil[slot] !== undefined ? String(view.state.profil[slot]) : "" });
    }
    var form = el("form", { class: "en-ligne" }, [
      el("label", { for: id, class: "sr", text: LABELS[slot] }), field,
      el("button", { type: "submit", class: "petit", text: "Valider" })
    ]);
    form.addEventListener("submit", function (e) {
      e.preventDefault();
      if (!field.value.trim()) { return; }
      var entity = {}; entity[slot] = field.value.trim();
      say({ payload: "/informer" + JSON.stringify(entity) }, LABELS[slot] + " : " + (field.selectedOptions ? field.selectedOptions[0].textContent : field.value));
    });
    clear(dd).appendChild(form);
    field.focus();
  }
  function renderQuestion(data) {
    var box = clear($("question"));
    box.removeAttribute("data-slot");
    if (!data.question) {
      box.appendChild(el("p", { class: "aide", text: data.orientation ? "Plus de question : lisez la recommandation." : "Aucune question en attente." }));
      return;
    }
    box.setAttribute("data-slot", data.question.slot);
    box.appendChild(el("p", { class: "a-dire", text: data.question.texte }));
    var group = el("div", { class: "boutons", role: "group", "aria-label": "Réponses de la personne" });
    data.boutons.forEach(function (b, i) {
      group.appendChild(el("button", { type: "button", onclick: function () { say({ payload: b.payload }, b.title); } },
        [b.title, i < 9 ? el("kbd", { text: "Alt+" + (i + 1) }) : null]));
    });
    box.appendChild(group);
  }
  // Laid out from the payload only: the sentences to read out come worded by the server.
  function renderRecommendation(box, data) {
    var o = data.orientation, t = o.textes;
    box.appendChild(el("p", { class: "porte" }, [el("strong", { text: t.porte })]));
    [t.autres_portes, t.cep].forEach(function (line) { if (line) { box.appendChild(el("p", { text: line })); } });
    box.appendChild(el("h3", { text: "Raisons à lire" }));
    box.appendChild(el("ul", {}, o.raisons.map(function (r) { return el("li", { text: r.texte }); })));
    if (o.lieux.length) {
      box.appendChild(el("h3", { text: "Lieux" }));
      box.appendChild(el("ul", { class: "lieux" }, o.lieux.map(function (l) {
        var li = el("li", {}, [el("strong", { text: l.nom }), " — " + [l.adresse, l.commune].filter(Boolean).join(", ")]);
        if (typeof l.distance_km === "number") { li.appendChild(document.createTextNode(" (" + Math.round(l.distance_km) + " km)")); }
        if (l.telephone) { li.appendChild(document.createTextNode(" — tél. ")); li.appendChild(tel(l.telephone)); }
        if (l.horaires) { li.appendChild(document.createTextNode(" — horaires : " + l.horaires)); }
        if (l.site_web) { li.appendChild(document.createTextNode(" — ")); li.appendChild(safeLink(l.site_web, l.site_web)); }
        return li;
      })));
    }
    if (data.fiches.length) {
      box.appendChild(el("h3", { text: "Informations utiles" }));
      data.fiches.forEach(function (f) {
        box.appendChild(el("details", {}, [el("summary", { text: f.titre }), el("p", { text: f.texte }), el("p", {}, [safeLink(f.lien, f.lien)])]));
      });
    }
    if (o.code_liaison) {
      var code = o.code_liaison;
      box.appendChild(el("p", { class: "code" }, ["Code de liaison : ", el("strong", { text: code })]));
      box.appendChild(el("p", {}, [
        el("a", { href: "/console/fiche/" + code + "?imprimer=1", target: "_blank", id: "imprimer-fiche", text: "Imprimer la fiche de liaison" }),
        " · ", el("a", { href: "/console/fiche/" + code + "/pdf", text: "Télécharger la fiche (PDF)" })
      ]));
    }
  }

  $("enregistrer-motif").addEventListener("click", function () {
    if (!call) { return; }
    api("POST", "/console/api/appels/" + call + "/motif", { motif: $("motif").value })
      .then(function () { announce("Motif enregistré. Alt+N pour un nouvel appel."); });
  });

  /* ---------- retrieving a code ---------- */
  $("form-code").addEventListener("submit", function (e) {
    e.preventDefault();
    var box = clear($("resultat-code"));
    var code = $("code").value.replace(/\s+/g, "").toUpperCase();
    api("GET", "/console/api/liaison/" + encodeURIComponent(code)).then(function (data) {
      box.appendChild(el("h2", { text: "Fiche " + data.code_liaison + " (" + data.canal + ", " + data.date.replace("T", " à ") + ")" }));
      var dl = el("dl", { class: "profil" });
      box.appendChild(dl);
      renderProfile(dl, data, false);
      renderRecommendation(box, data);
      announce("Fiche " + data.code_liaison + " affichée.");
    }, function (err) { box.appendChild(el("p", { class: "erreur", text: err.message })); });
  });

  /* ---------- the queue and live takeover ---------- */
  function refreshQueue() {
    return api("GET", "/console/api/file").then(function (items) {
      $("nb-file").textContent = items.filter(function (i) { return i.etat === "attente"; }).length;
      var list = clear($("file"));
      if (!items.length) { list.appendChild(el("li", { text: "Personne n'attend." })); }
      items.forEach(function (item) {
        var since = new Date(item.demande).toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" });
        list.appendChild(el("li", {}, [
          (item.etat === "attente" ? "En attente depuis " : "Prise par " + item.conseiller + ", depuis ") + since + " ",
          el("button", { type: "button", text: item.etat === "attente" ? "Prendre" : "Reprendre",
                         onclick: function () { take(item.id); } })
        ]));
      });
    }).catch(function () {});
  }
  setInterval(refreshQueue, 5000);
  refreshQueue();

  function take(id) {
    api("POST", "/console/api/file/" + id + "/prendre").then(function (data) {
      relais.id = id; relais.after = 0;
      var list = clear($("relais-echange"));
      data.transcript.forEach(function (line) {
        if (line.texte.charAt(0) !== "/") { list.appendChild(el("li", { class: line.de, text: line.texte })); }
      });
      $("relais").hidden = false;
      $("relais-texte").focus();
      announce("Conversation prise. La personne voit vos messages.");
      clearInterval(relais.timer);
      relais.timer = setInterval(poll, 1500);
      poll();
    });
  }
  function poll() {
    if (!relais.id) { return; }
    api("GET", "/console/api/file/" + relais.id + "/messages?apres=" + relais.after).then(function (messages) {
      messages.forEach(function (m) {
        relais.after = m.id;
        $("relais-echange").appendChild(el("li", { class: m.de, text: m.texte }));
        if (m.de === "personne") { announce("La personne : " + m.texte); }
      });
    }, stopRelay);
  }
  function stopRelay() {
    clearInterval(relais.timer);
    relais.id = null;
    $("relais").hidden = true;
    refreshQueue();
  }
  $("form-relais").addEventListener("submit", function (e) {
    e.preventDefault();
    var text = $("relais-texte").value.trim();
    if (!text || !relais.id) { return; }
    $("relais-texte").value = "";
    api("POST", "/console/api/file/" + relais.id + "/messages", { texte: text }).then(poll);
  });
  function end(retour) {
    if (!relais.id) { return; }
    api("POST", "/console/api/file/" + relais.id + "/fin?retour=" + retour).then(function () {
      announce(retour ? "Conversation rendue à l'assistant." : "Échange clos.");
      stopRelay();
    });
  }
  $("rendre").addEventListener("click", function () { end(true); });
  $("clore").addEventListener("click", function () { end(false); });

  /* ---------- start ---------- */
  api("GET", "/console/api/valeurs").then(function (data) {
    valeurs = data;
    data.motifs.forEach(function (m) { $("motif").appendChild(el("option", { value: m.code, text: m.libelle })); });
  });
})();
