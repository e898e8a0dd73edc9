/* Assistant orientation du SPRO Centre-Val de Loire: the embeddable chat widget.
 *
 * Embed with one tag:
 *   <script src="https://GATEWAY/webchat/widget.js" data-passerelle="https://GATEWAY" defer></script>
 *
 * No framework, no third-party request. Everything the bot or the person wrote is rendered as
 * text (textContent); links are built only from bot messages and only for https:, tel:, mailto:.
 * The conversation lives in sessionStorage (survives a reload) and the WebSocket reconnects by
 * itself: unanswered messages are resent with their id and the gateway answers each id once.
 */
(function () {
  "use strict";
  var script = document.currentScript;
  var base = ((script && script.getAttribute("data-passerelle")) ||
              (script ? new URL(script.src).origin : location.origin)).replace(/\/+$/, "");
  var KEY = "spro-assistant:" + base;
  var HUMAN = "Vous pouvez aussi appeler Etoile Info au 0 800 222 100 (service et appel gratuits).";
  var OFFLINE = "Connexion impossible pour le moment. " + HUMAN;

  // relais: the id of the last téléconseiller message shown (live handover, see the console).
  var state = load() || { conversation: null, items: [], outbox: [], open: false, relais: 0 };
  var socket = null, connecting = false, retries = 0, retryTimer = null;

  function load() {
    try { return JSON.parse(sessionStorage.getItem(KEY)); } catch (e) { return null; }
  }
  function save() {
    try { sessionStorage.setItem(KEY, JSON.stringify(state)); } catch (e) { /* private mode */ }
  }
  function newId() {
    var bytes = new Uint8Array(9);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return (b + 256).toString(16).slice(1); }).join("");
  }

  /* ---------- DOM helpers ---------- */
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { node.textContent = attrs[k]; }
      else if (k === "class") { node.className = attrs[k]; }
      else if (k.slice(0, 2) === "on") { node.addEventListener(k.slice(2), attrs[k]); }
      else { node.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { node.appendChild(c); } });
    return node;
  }
  function safeHref(href) {
    return /^(https:\/\/[^\s"<>]+|tel:\+?[0-9]{2,15}|mailto:[^\s"<>@]+@[^\s"<>]+)$/.test(href) ? href : null;
  }
  function link(href, label, external) {
    if (!safeHref(href)) { return document.createTextNode(label); }
    var a = el("a", { href: href, text: label });
    if (external) {
      a.target = "_blank";
      a.rel = "noopener noreferrer";
      a.appendChild(el("span", { class: "sr", text: " (nouvelle fenêtre)" }));
    }
    return a;
  }
  function telHref(number) { return "tel:" + number.replace(/[^0-9+]/g, ""); }

  // https links, French phone numbers and the emergency numbers of the distress message.
  var LINKS = /(https:\/\/[^\s<>"']+[^\s<>"'.,;:!?)])|(\b0 ?[1-9](?:[ .]?\d{2}){4}\b|\b0 800 \d{3} \d{3}\b)|(appelez le )(3114|3919|119|115|112|17)\b/g;
  function linkified(text) {
    var frag = document.createDocumentFragment(), last = 0, m;
    LINKS.lastIndex = 0;
    while ((m = LINKS.exec(text))) {
      var start = m.index + (m[3] ? m[3].length : 0);
      frag.appendChild(document.createTextNode(text.slice(last, start)));
      if (m[1]) { frag.appendChild(link(m[1], m[1], true)); }
      else { var n = m[2] || m[4]; frag.appendChild(link(telHref(n), n)); }
      last = m.index + m[0].length;
    }
    frag.appendChild(document.createTextNode(text.slice(last)));
    return frag;
  }
  function paragraphs(text, fromBot) {
    return String(text).split(/\n+/).map(function (line) {
      return el("p", {}, [fromBot ? linkified(line) : document.createTextNode(line)]);
    });
  }

  /* ---------- the widget's markup (in a shadow root: the host page's CSS cannot break it) ---------- */
  var host = el("div", { id: "spro-assistant" });
  var root = host.attachShadow({ mode: "open" });
  var launcher = el("button", { class: "lanceur", type: "button", "aria-expanded": "false",
                                "aria-controls": "panneau", text: "Besoin d'aide pour vous orienter ?" });
  var journal = el("div", { class: "journal", role: "log", "aria-live": "polite",
                            "aria-label": "Conversation", tabindex: "0" });
  var status = el("p", { class: "statut", role: "status" });
  var input = el("textarea", { id: "saisie", rows: "2", maxlength: "2000", autocomplete: "off",
                               "aria-describedby": "aide-saisie" });
  var form = el("form", { class: "formulaire", onsubmit: onSubmit }, [
    el("label", { for: "saisie", text: "Votre message" }),
    el("p", { id: "aide-saisie", class: "aide", text: "Entrée pour envoyer, Maj+Entrée pour aller à la ligne." }),
    input,
    el("button", { type: "submit", class: "principal", text: "Envoyer" })
  ]);
  var closer = el("button", { type: "button", class: "fermer", "aria-label": "Fermer la discussion",
                              text: "×", onclick: function () { toggle(false); } });
  var panel = el("section", { id: "panneau", class: "panneau", role: "dialog", "aria-modal": "false",
                              "aria-labelledby": "titre", hidden: "" }, [
    el("div", { class: "entete" }, [el("h2", { id: "titre", text: "Assistant orientation" }), closer]),
    el("p", { class: "confidentialite", text: "Service public gratuit et anonyme. Ne donnez ni votre nom ni vos coordonnées : " +
      "je n'en ai pas besoin. Vos messages servent seulement à vous orienter." }),
    journal, status, form,
    el("div", { class: "actions", role: "group", "aria-label": "Actions sur la conversation" }, [
      el("button", { type: "button", text: "Recommencer",
                     onclick: function () { say({ payload: "/recommencer" }, "Recommencer"); } }),
      el("button", { type: "button", text: "Parler à un conseiller",
                     onclick: function () { say({ payload: "/demander_humain" }, "Parler à un conseiller"); } }),
      el("button", { type: "button", text: "Effacer mes données", onclick: forget })
    ])
  ]);
  root.appendChild(el("link", { rel: "stylesheet", href: base + "/webchat/widget.css" }));
  root.appendChild(launcher);
  root.appendChild(panel);
  launcher.addEventListener("click", function () { toggle(panel.hidden); });
  panel.addEventListener("keydown", function (e) {
    if (e.key === "Escape") { e.preventDefault(); toggle(false); }
  });
  input.addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey) { e.preventDefault(); onSubmit(e); }
  });

  function toggle(open, restoring) {
    state.open = open;
    save();
    panel.hidden = !open;
    launcher.setAttribute("aria-expanded", String(open));
    launcher.classList.toggle("ouvert", open);
    if (open) {
      if (!restoring) { input.focus(); }
      if (!state.items.length && !state.outbox.length) { send({ payload: "/greet" }); }
      connect();
    } else {
      launcher.focus();
    }
  }

  /* ---------- rendering ---------- */
  function render(item, index) {
    var who = { personne: "Vous", assistant: "L'assistant", conseiller: "Le conseiller Etoile Info" }[item.de] || "Information";
    var bubble = el("div", { class: "bulle " + item.de }, [el("span", { class: "sr", text: who + " : " })]);
    var custom = item.custom || {};
    if (custom.type === "orientation" && custom.orientation) { bubble.appendChild(orientationCard(custom.orientation)); }
    else if (custom.type === "fiche" && custom.fiche) { bubble.appendChild(ficheCard(custom.fiche)); }
    else { paragraphs(item.text || "", item.de === "assistant").forEach(function (p) { bubble.appendChild(p); }); }
    if (item.buttons && item.buttons.length && !item.answered && index === state.items.length - 1) {
      bubble.appendChild(el("div", { class: "boutons", role: "group", "aria-label": "Réponses proposées" },
        item.buttons.map(function (b) {
          return el("button", { type: "button", text: b.title, onclick: function () { say({ payload: b.payload }, b.title); } });
        })));
    }
    return bubble;
  }
  function redraw() {
    journal.textContent = "";
    state.items.forEach(function (item, i) { journal.appendChild(render(item, i)); });
  }
  function append(item) {
    var previous = journal.lastElementChild && journal.lastElementChild.querySelector(".boutons");
    if (previous) {  // only the last message's buttons stay active
      var hadFocus = previous.contains(root.activeElement);
      previous.remove();
      if (hadFocus) { input.focus(); }
    }
    if (state.items.length) { state.items[state.items.length - 1].answered = true; }
    state.items.push(item);
    save();
    journal.appendChild(render(item, state.items.length - 1));
    journal.scrollTop = journal.scrollHeight;
  }
  function notice(text) { append({ de: "systeme", text: text }); }

  // Laid out from the payload only: its sentences come worded by the server (knowledge base).
  function orientationCard(o) {
    var t = o.textes || {};
    var card = el("article", { class: "carte", "aria-label": "Votre orientation" }, [
      el("h3", { text: "Votre orientation" }),
      t.porte ? el("p", { class: "porte", text: t.porte }) : null,
      t.autres_portes ? el("p", { text: t.autres_portes }) : null,
      t.cep ? el("p", { text: t.cep }) : null
    ]);
    if (o.raisons && o.raisons.length) {
      card.appendChild(el("h4", { text: t.pourquoi }));
      card.appendChild(el("ul", {}, o.raisons.map(function (r) { return el("li", { text: r.texte }); })));
    }
    if (o.lieux && o.lieux.length) {
      card.appendChild(el("h4", { text: t.lieux }));
      card.appendChild(el("ul", { class: "lieux" }, o.lieux.map(place)));
    }
    if (o.code_liaison) {
      var code = el("strong", { class: "code", text: o.code_liaison });
      card.appendChild(el("p", { class: "liaison" }, [
        document.createTextNode(t.code + " : "), code, document.createTextNode(" "),
        el("button", { type: "button", text: "Copier le code", onclick: function () { copy(o.code_liaison, code); } })
      ]));
      card.appendChild(el("p", { class: "aide" }, [linkified(t.suite || "")]));
    }
    return card;
  }
  function place(l) {
    var where = [l.adresse, l.commune].filter(Boolean).join(", ");
    if (typeof l.distance_km === "number") { where += (where ? " — " : "") + "à " + Math.round(l.distance_km) + " km"; }
    var li = el("li", {}, [el("strong", { text: l.nom || "" })]);
    if (where) { li.appendChild(el("span", { text: where })); }
    if (l.telephone) { li.appendChild(link(telHref(l.telephone), "Appeler le " + l.telephone)); }
    if (l.horaires) { li.appendChild(el("span", { class: "horaires", text: "Horaires : " + l.horaires })); }
    if (l.site_web) { li.appendChild(link(l.site_web, "Site web de " + (l.nom || "la structure"), true)); }
    return li;
  }
  function ficheCard(f) {
    var card = el("article", { class: "carte", "aria-label": f.titre || "Information" }, [el("h3", { text: f.titre || "" })]);
    paragraphs(f.texte || "", true).forEach(function (p) { card.appendChild(p); });
    if (f.lien) { card.appendChild(el("p", {}, [link(f.lien, "En savoir plus : " + f.lien, true)])); }
    return card;
  }
  function copy(text, node) {
    function done() { status.textContent = "Code " + text + " copié."; }
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(text).then(done, select);
    } else { select(); }
    function select() {  // let the person copy it by hand
      var range = document.createRange();
      range.selectNodeContents(node);
      var sel = window.getSelection();
      sel.removeAllRanges();
      sel.addRange(range);
      status.textContent = "Le code est sélectionné : copiez-le avec Ctrl+C.";
    }
  }

  /* ---------- talking to the gateway ---------- */
  function api(method, path, body) {
    return fetch(base + path, {
      method: method, headers: body ? { "Content-Type": "application/json" } : {},
      body: body ? JSON.stringify(body) : undefined, credentials: "omit"
    });
  }
  function onSubmit(e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) { status.textContent = "Écrivez d'abord votre message."; input.focus(); return; }
    input.value = "";
    say({ text: text }, text);
  }
  function say(body, shown) {
    append({ de: "personne", text: shown });
    send(body);
  }
  function send(body) {
    var message = { type: "message", id: newId() };
    if (body.text !== undefined) { message.text = body.text; } else { message.payload = body.payload; }
    state.outbox.push(message);
    save();
    typing(true);
    if (socket && socket.readyState === 1) { socket.send(JSON.stringify(message)); } else { connect(); }
  }
  function typing(on) {
    status.textContent = on ? "L'assistant écrit…" : "";
    status.classList.toggle("ecrit", on);
  }

  function connect() {
    // One connection at a time: not while a conversation is being created or a socket opens.
    if (connecting || (socket && socket.readyState <= 1)) { return; }
    connecting = true;
    clearTimeout(retryTimer);
    var ready = state.conversation ? Promise.resolve() :
      api("POST", "/api/conversations", { channel: "web" }).then(function (r) {
        if (!r.ok) { throw new Error("status " + r.status); }
        return r.json();
      }).then(function (data) { state.conversation = data.id; save(); });
    ready.then(open, function () { connecting = false; retry(); });
  }
  function open() {
    var url = base.replace(/^http/, "ws") + "/api/conversations/" + encodeURIComponent(state.conversation) +
      "/ws?apres=" + (state.relais || 0);
    var ws = socket = new WebSocket(url);
    connecting = false;  // from here, `socket` guards against a second connection
    ws.onopen = function () {
      if (retries > 0) { status.textContent = "Connexion rétablie."; }
      retries = 0;
      state.outbox.forEach(function (m) { ws.send(JSON.stringify(m)); });
      if (state.outbox.length) { typing(true); }
    };
    ws.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      var pending = state.outbox.filter(function (m) { return m.id === frame.re; })[0];
      if (frame.type === "typing") { if (pending) { typing(true); } return; }
      if (frame.type === "relais") {  // a téléconseiller writes (text only, never links)
        frame.messages.forEach(function (m) {
          if (m.id > (state.relais || 0)) {
            state.relais = m.id;
            append({ de: m.de === "conseiller" ? "conseiller" : "systeme", text: m.texte });
          }
        });
        return;
      }
      // No pending message: an answer already shown (resent after a reconnection). A 404 keeps
      // the message: the socket closes with 4404 and it goes to a new conversation.
      if (!pending || frame.status === 404) { return; }
      state.outbox.splice(state.outbox.indexOf(pending), 1);
      if (!state.outbox.length) { typing(false); }
      if (frame.type === "reply") {
        var first = journal.children.length;
        frame.messages.forEach(function (m) { append({ de: "assistant", text: m.text, buttons: m.buttons, custom: m.custom }); });
        var top = journal.children[first];  // a long answer is read from its beginning
        if (top) { journal.scrollTop = Math.min(journal.scrollTop, top.offsetTop - journal.offsetTop); }
        if (frame.messages.some(function (m) { return m.custom && m.custom.type === "oubli"; })) {
          reset(state.items.slice(-1));  // the gateway has forgotten: keep only its confirmation
        }
      } else if (frame.type === "error" && frame.status !== 404) {
        notice(frame.detail);
      }
      save();
    };
    ws.onclose = function (event) {
      if (socket !== ws) { return; }
      socket = null;
      if (event.code === 4404) {  // expired or forgotten: a new conversation, pending messages kept
        state.conversation = null;
        save();
        connect();
      } else if (event.code === 4403) {  // this site may not embed the assistant
        typing(false);
        notice("Ce site n'est pas autorisé à afficher l'assistant. " + HUMAN);
      } else if (state.open || state.outbox.length) {
        retry();
      }
    };
  }
  function retry() {
    socket = null;
    retries += 1;
    typing(false);
    if (retries === 1 || retries % 5 === 0) { status.textContent = retries > 1 ? OFFLINE : "Connexion interrompue. Nouvelle tentative…"; }
    if (retries === 2 && !state.items.some(function (i) { return i.text === OFFLINE; })) { notice(OFFLINE); }
    clearTimeout(retryTimer);
    retryTimer = setTimeout(connect, Math.min(10000, 500 * Math.pow(2, retries)));
  }
  window.addEventListener("online", function () { if (!socket) { retries = Math.max(retries, 1); connect(); } });

  function reset(items) {
    var ws = socket;
    socket = null;
    if (ws) { ws.close(); }
    state = { conversation: null, items: items, outbox: [], open: state.open, relais: 0 };
    save();
    redraw();
  }
  function forget() {
    var id = state.conversation;
    var gone = id ? api("DELETE", "/api/conversations/" + encodeURIComponent(id)) : Promise.resolve({ ok: true });
    gone.then(function (r) {
      if (!r.ok && r.status !== 404) { throw new Error("status " + r.status); }
      reset([]);
      typing(false);
      notice("Vos données ont été effacées. Si vous le souhaitez, décrivez une nouvelle situation.");
      input.focus();
    }).catch(function () { notice("L'effacement n'a pas abouti. Réessayez dans un instant. " + HUMAN); });
  }

  document.body.appendChild(host);
  redraw();
  if (state.open) { toggle(true, true); }  // reopened after a reload, without taking the focus
})();
