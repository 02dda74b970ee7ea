// The inbox's small behaviours: the reply box counts characters the way the network
// counts them, the Reply / Internal note tabs, and the keyboard (j/k move, Enter or o
// opens, r reply, n note, e resolve, ? help). Event delegation on the document, so the
// conversation panel that htmx swaps in keeps working. No inline script: a strict CSP.
(function () {
  "use strict";

  var URL_RE = /https?:\/\/[^\s<>"]+[^\s<>"'.,;:!?)\]]/g;
  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  function graphemes(text) {
    if (segmenter) { var n = 0; for (var _ of segmenter.segment(text)) { n++; } return n; }
    return Array.from(text).length;
  }

  function xWeight(text) {
    var urls = text.match(URL_RE) || [];
    var rest = text.replace(URL_RE, "");
    var weight = 23 * urls.length;
    var clusters = segmenter ? Array.from(segmenter.segment(rest), function (s) { return s.segment; }) : Array.from(rest);
    clusters.forEach(function (cluster) {
      var cps = Array.from(cluster).map(function (c) { return c.codePointAt(0); });
      if (cps.some(function (c) { return c >= 0x1f000 || c === 0x200d || c === 0xfe0f; })) { weight += 2; return; }
      cps.forEach(function (c) {
        var light = (c <= 4351) || (c >= 8192 && c <= 8205) || (c >= 8208 && c <= 8223) || (c >= 8242 && c <= 8247);
        weight += light ? 1 : 2;
      });
    });
    return weight;
  }

  function counted(box) {
    var text = box.value.replace(/\r\n/g, "\n").trim();
    var unit = box.dataset.countUnit;
    var urlWeight = parseInt(box.dataset.urlWeight || "23", 10);
    if (unit === "graphemes") { return [graphemes(text), "graphemes"]; }
    if (unit === "x") { return [xWeight(text), "characters"]; }
    if (unit === "urls") {
      var urls = text.match(URL_RE) || [];
      return [Array.from(text.replace(URL_RE, "")).length + urlWeight * urls.length, "characters"];
    }
    return [text.length, "characters"];
  }

  function updateCount(box) {
    var out = document.getElementById(box.getAttribute("aria-describedby"));
    if (!out) { return; }
    var result = counted(box);
    var limit = parseInt(box.dataset.countLimit || "", 10);
    out.textContent = result[0] + (isNaN(limit) ? "" : " / " + limit) + " " + result[1];
    var over = !isNaN(limit) && result[0] > limit;
    out.classList.toggle("over", over);
    var send = box.form && box.form.querySelector("button[type=submit]");
    if (send) { send.disabled = over; }
  }

  document.addEventListener("input", function (event) {
    if (event.target.matches && event.target.matches("textarea[data-count-unit]")) { updateCount(event.target); }
  });

  document.addEventListener("click", function (event) {
    var tab = event.target.closest && event.target.closest(".composer-tabs [data-tab]");
    if (!tab) { return; }
    var composer = tab.closest(".composer");
    composer.querySelectorAll("[data-tab]").forEach(function (t) {
      var on = t === tab;
      t.setAttribute("aria-selected", on ? "true" : "false");
      var panel = document.getElementById(t.dataset.tab);
      if (panel) { panel.hidden = !on; }
    });
    var area = document.getElementById(tab.dataset.tab);
    var field = area && area.querySelector("textarea");
    if (field) { field.focus(); }
  });

  // Keyboard --------------------------------------------------------------------------
  function typing(target) {
    return target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  function rows() { return Array.from(document.querySelectorAll("[data-row]")); }

  function move(step) {
    var all = rows();
    if (!all.length) { return; }
    var current = all.findIndex(function (r) { return r.classList.contains("is-current"); });
    var next = Math.max(0, Math.min(all.length - 1, current + step));
    if (current >= 0) { all[current].classList.remove("is-current"); }
    all[next].classList.add("is-current");
    var link = all[next].querySelector("a");
    if (link) { link.focus(); }
  }

  function tabTo(id) {
    var tab = document.querySelector('.composer-tabs [data-tab="' + id + '"]');
    if (tab && !tab.disabled) { tab.click(); }
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) { return; }
    var help = document.getElementById("inbox-keys");
    switch (event.key) {
      case "j": move(1); break;
      case "k": move(-1); break;
      case "r": tabTo("reply-form"); break;
      case "n": tabTo("note-form"); break;
      case "e": var resolve = document.querySelector('[data-key="e"]'); if (resolve) { resolve.click(); } break;
      case "?": if (help) { help.hidden = !help.hidden; } break;
      default: return;
    }
    event.preventDefault();
  });
})();

// A select marked data-autosubmit sends its form when it changes (the button stays for
// keyboards and for browsers without JavaScript).
document.addEventListener("change", function (event) {
  var select = event.target;
  if (select.matches && select.matches("select[data-autosubmit]") && select.form) {
    select.form.requestSubmit();
  }
});
