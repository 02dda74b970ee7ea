// The collision warning: while a conversation is open, tell Harken every few seconds that
// this member is here, and whether they typed in the reply box since the last beat; the
// answer is the line naming the others ("Bob is viewing · Carol is typing"). The panel
// is swapped by htmx, so the element is looked up again on each beat. No inline script.
(function () {
  "use strict";
  var typedAt = 0;

  function spot() { return document.querySelector("[data-beat-url]"); }

  function token() {
    var input = document.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function send(here, fields, keepalive) {
    var body = new URLSearchParams(fields);
    return fetch(here.dataset.beatUrl, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      keepalive: !!keepalive,
      headers: { "X-CSRFToken": token(), "X-Requested-With": "fetch" }
    });
  }

  function beat() {
    var here = spot();
    if (!here) { return; }
    var seconds = Number(here.dataset.beatSeconds || 10);
    var typing = Date.now() - typedAt < seconds * 1000 ? "1" : "0";
    send(here, { typing: typing }).then(function (response) {
      return response.ok ? response.text() : null;
    }).then(function (html) {
      var now = spot();
      if (html !== null && now) { now.innerHTML = html; }
    }).catch(function () { /* the next beat tries again */ });
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "reply-text") {
      var first = Date.now() - typedAt > 3000;
      typedAt = Date.now();
      if (first) { beat(); }  // others learn at once that someone started typing
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    var here = spot();
    if (!here) { return; }
    beat();
    setInterval(beat, Number(here.dataset.beatSeconds || 10) * 1000);
  });
  window.addEventListener("pagehide", function () {
    var here = spot();
    if (here) { send(here, { leave: "1" }, true); }
  });
})();
