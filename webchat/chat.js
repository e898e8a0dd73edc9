// Minimal chat page: one conversation through the gateway's JSON API. Text only, never HTML.
(function () {
  "use strict";
  var journal = document.getElementById("journal");
  var form = document.getElementById("formulaire");
  var input = document.getElementById("saisie");
  var conversation = sessionStorage.getItem("spro-conversation");

  function line(who, text) {
    var li = document.createElement("li");
    li.className = who;
    li.textContent = text;
    journal.appendChild(li);
    return li;
  }

  function show(messages) {
    messages.forEach(function (m) {
      var li = line("assistant", m.text || "");
      if (m.buttons && m.buttons.length) {
        var group = document.createElement("div");
        group.className = "boutons";
        m.buttons.forEach(function (b) {
          var button = document.createElement("button");
          button.type = "button";
          button.textContent = b.title;
          button.addEventListener("click", function () { send({ payload: b.payload }, b.title); });
          group.appendChild(button);
        });
        li.appendChild(group);
      }
    });
  }

  function api(path, body) {
    return fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body || {})
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, status: r.status, data: data }; });
    });
  }

  function start() {
    return api("/api/conversations").then(function (r) {
      conversation = r.data.id;
      sessionStorage.setItem("spro-conversation", conversation);
    });
  }

  function send(body, shown) {
    line("personne", shown);
    var ready = conversation ? Promise.resolve() : start();
    return ready.then(function () {
      return api("/api/conversations/" + encodeURIComponent(conversation) + "/messages", body);
    }).then(function (r) {
      if (r.status === 404) {  // expired: start again and resend once
        conversation = null;
        return start().then(function () {
          return api("/api/conversations/" + encodeURIComponent(conversation) + "/messages", body);
        });
      }
      return r;
    }).then(function (r) {
      if (r.ok) { show(r.data.messages); } else { line("assistant", r.data.detail); }
    }).catch(function () {
      line("assistant", "Connexion impossible. Vous pouvez appeler Etoile Info au 0 800 222 100 (gratuit).");
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value.trim();
    if (!text) { return; }
    input.value = "";
    send({ text: text }, text);
  });
})();
