// The inbox's small behaviours: the reply box counts characters the way the network
// counts them and finds canned replies after "/", the Reply / Internal note tabs, bulk
// actions on the list, and the keyboard (j/k move, Enter or o
// opens, x select, r reply, n note, e resolve, ? help). Event delegation on the document, so the
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

  // Canned replies: "/" and a few letters in the reply box list the workspace's canned
  // replies (filled in by the server for this conversation, as plain text); Enter, Tab or
  // a tap puts the chosen one in place of "/letters". Built with textContent only.
  var SLASH_RE = /(^|\s)\/([^\s\/]{0,40})$/;
  var canned = { box: null, start: -1, results: [], active: 0, seq: 0, timer: null };

  function cannedMenu(box) { return document.getElementById(box.getAttribute("aria-controls")); }

  function closeCanned() {
    if (canned.box) {
      var menu = cannedMenu(canned.box);
      if (menu) { menu.hidden = true; menu.textContent = ""; }
      canned.box.removeAttribute("aria-activedescendant");
      canned.box.setAttribute("aria-expanded", "false");
    }
    canned.box = null; canned.start = -1; canned.results = []; canned.active = 0;
  }

  function drawCanned(box, query) {
    var menu = cannedMenu(box);
    if (!menu) { return; }
    menu.textContent = "";
    if (!canned.results.length) {
      var none = document.createElement("p");
      none.className = "canned-empty";
      none.textContent = query ? "No canned reply matches \u201c" + query + "\u201d." : "No canned replies yet: a manager adds them in Settings.";
      menu.appendChild(none);
    }
    canned.results.forEach(function (result, i) {
      var option = document.createElement("div");
      option.className = "canned-option";
      option.id = "canned-option-" + i;
      option.setAttribute("role", "option");
      option.setAttribute("aria-selected", i === canned.active ? "true" : "false");
      option.dataset.index = String(i);
      var name = document.createElement("strong");
      name.textContent = "/" + result.name;
      var text = document.createElement("span");
      text.className = "canned-text";
      text.textContent = result.text;
      option.appendChild(name);
      option.appendChild(text);
      menu.appendChild(option);
    });
    menu.hidden = false;
    box.setAttribute("aria-expanded", "true");
    if (canned.results.length) { box.setAttribute("aria-activedescendant", "canned-option-" + canned.active); }
  }

  function searchCanned(box) {
    var before = box.value.slice(0, box.selectionStart);
    var match = box.selectionStart === box.selectionEnd ? SLASH_RE.exec(before) : null;
    if (!match) { closeCanned(); return; }
    var query = match[2];
    var start = box.selectionStart - query.length - 1;
    var seq = ++canned.seq;
    clearTimeout(canned.timer);
    canned.timer = setTimeout(function () {
      fetch(box.dataset.cannedUrl + "?q=" + encodeURIComponent(query), {
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        return response.ok ? response.json() : { results: [] };
      }).then(function (data) {
        if (seq !== canned.seq) { return; }  // a later keystroke asked again
        canned.box = box; canned.start = start; canned.active = 0;
        canned.results = Array.isArray(data.results) ? data.results : [];
        drawCanned(box, query);
      }).catch(function () { closeCanned(); });
    }, 120);
  }

  function insertCanned(index) {
    var box = canned.box;
    var result = canned.results[index];
    if (!box || !result) { return; }
    var end = box.selectionStart;
    box.value = box.value.slice(0, canned.start) + result.text + box.value.slice(end);
    var caret = canned.start + result.text.length;
    closeCanned();
    canned.seq++;  // a search still in flight is no longer wanted
    box.focus();
    box.setSelectionRange(caret, caret);
    updateCount(box);
  }

  document.addEventListener("input", function (event) {
    var box = event.target;
    if (box.matches && box.matches("textarea[data-canned-url]")) { searchCanned(box); }
  });

  document.addEventListener("keydown", function (event) {
    if (!canned.box || event.target !== canned.box) { return; }
    var n = canned.results.length;
    if (event.key === "Escape") { closeCanned(); canned.seq++; event.preventDefault(); return; }
    if (!n) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      canned.active = (canned.active + (event.key === "ArrowDown" ? 1 : n - 1)) % n;
      drawCanned(canned.box, "");
    } else if (event.key === "Enter" || event.key === "Tab") {
      insertCanned(canned.active);
    } else {
      return;
    }
    event.preventDefault();
    event.stopPropagation();
  }, true);

  // mousedown keeps the focus (and the caret) in the box; click chooses.
  document.addEventListener("mousedown", function (event) {
    if (event.target.closest && event.target.closest(".canned-option")) { event.preventDefault(); }
  });
  document.addEventListener("click", function (event) {
    var option = event.target.closest && event.target.closest(".canned-option");
    if (option) { insertCanned(parseInt(option.dataset.index, 10)); return; }
    if (canned.box && event.target !== canned.box) { closeCanned(); }
  });

  // Bulk actions: the count of selected rows, select all, and x selects the current row.
  function selectBoxes() { return Array.from(document.querySelectorAll("input.row-select")); }

  function updateBulk() {
    var boxes = selectBoxes();
    var chosen = boxes.filter(function (b) { return b.checked; }).length;
    boxes.forEach(function (b) { var row = b.closest("[data-row]"); if (row) { row.classList.toggle("is-selected", b.checked); } });
    var label = document.querySelector("[data-bulk-count]");
    if (label) { label.textContent = chosen ? chosen + " selected" : "Select"; }
    var all = document.querySelector("[data-select-all]");
    if (all) { all.checked = chosen > 0 && chosen === boxes.length; all.indeterminate = chosen > 0 && chosen < boxes.length; }
    document.querySelectorAll("[data-bulk]").forEach(function (b) { b.disabled = chosen === 0; });
  }

  document.addEventListener("change", function (event) {
    var target = event.target;
    if (!target.matches) { return; }
    if (target.matches("[data-select-all]")) {
      selectBoxes().forEach(function (b) { b.checked = target.checked; });
      updateBulk();
    } else if (target.matches("input.row-select")) {
      updateBulk();
    }
  });
  document.addEventListener("DOMContentLoaded", updateBulk);
  document.addEventListener("htmx:afterSwap", updateBulk);

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

  // a / s: the conversation's assign or snooze menu takes the focus, opened where the
  // browser can (showPicker); choosing in it sends the form as a click would.
  function pick(prefix) {
    var select = document.querySelector('select[id^="' + prefix + '"]');
    if (!select) { return; }
    select.focus();
    if (typeof select.showPicker === "function") {
      try { select.showPicker(); } catch (ignored) { /* not from this gesture: focus is enough */ }
    }
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
      case "x":
        var focused = document.activeElement && document.activeElement.closest && document.activeElement.closest("[data-row]");
        var row = focused || document.querySelector("[data-row].is-current");
        var box = row && row.querySelector("input.row-select");
        if (box) { box.checked = !box.checked; updateBulk(); }
        break;
      case "a": pick("assignee-"); break;
      case "s": pick("snooze-"); break;
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
