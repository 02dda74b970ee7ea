// The composer's live feedback: each chosen account's card shows, while typing, its text
// counted the way its network counts (mirroring harken.networks.counting; the server's
// check below the cards is the authority) and a preview of the post. An empty card text
// means "the shared text". Previews are built with textContent: nothing typed is HTML.
(function () {
  "use strict";

  var URL_RE = /https?:\/\/[^\s<>"]+[^\s<>"'.,;:!?)\]]/g;
  var segmenter = typeof Intl !== "undefined" && Intl.Segmenter ? new Intl.Segmenter(undefined, { granularity: "grapheme" }) : null;

  function graphemes(text) {
    if (segmenter) { var n = 0; for (var _ of segmenter.segment(text)) { n++; } return n; }
    return Array.from(text).length;
  }

  function xWeight(rest) {
    var weight = 0;
    var clusters = segmenter ? Array.from(segmenter.segment(rest.normalize("NFC")), function (s) { return s.segment; }) : Array.from(rest);
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

  // [count, unit] as harken.networks.counting.text_length counts it.
  function counted(text, unit, urlWeight) {
    var links = text.match(URL_RE) || [];
    var rest = text.replace(URL_RE, "");
    if (unit === "graphemes") { return [graphemes(text), "graphemes"]; }
    if (unit === "x") { return [xWeight(rest) + urlWeight * links.length, "characters"]; }
    if (unit === "urls") { return [Array.from(rest).length + urlWeight * links.length, "characters"]; }
    return [text.length, "characters"];
  }

  function shared() {
    var box = document.querySelector("[data-shared-text]");
    return box ? box.value : "";
  }

  function chosen(id) {
    var toggle = document.querySelector('[data-account-toggle="' + id + '"]');
    return toggle ? toggle.checked : false;
  }

  // The preview: paragraphs and links as the network shows them, built as DOM nodes.
  function render(target, text) {
    target.textContent = "";
    text.split(/\n{2,}/).forEach(function (para) {
      var p = document.createElement("p");
      var last = 0;
      para.replace(URL_RE, function (url, at) {
        p.appendChild(document.createTextNode(para.slice(last, at)));
        var a = document.createElement("span");
        a.className = "preview-link";
        a.textContent = url;
        p.appendChild(a);
        last = at + url.length;
        return url;
      });
      p.appendChild(document.createTextNode(para.slice(last)));
      target.appendChild(p);
    });
  }

  function update(card) {
    var id = card.dataset.account;
    card.hidden = !chosen(id);
    var box = card.querySelector("[data-variant-text]");
    var text = (box.value.trim() ? box.value : shared()).replace(/\r\n/g, "\n");
    var limit = parseInt(box.dataset.countLimit || "", 10);
    var result = counted(text, box.dataset.countUnit, parseInt(box.dataset.urlWeight || "0", 10));
    var out = card.querySelector("[data-count-for]");
    out.textContent = result[0] + (isNaN(limit) ? "" : " / " + limit) + " " + result[1];
    out.classList.toggle("over", !isNaN(limit) && result[0] > limit);
    render(card.querySelector("[data-preview-for]"), text);
    // The network's own fields (Reddit's title and subreddit): counted and previewed.
    card.querySelectorAll("[data-post-field]").forEach(function (input) {
      var name = input.dataset.postField;
      var max = parseInt(input.dataset.countLimit || "", 10);
      var shown = card.querySelector('[data-field-count="' + name + '"]');
      var used = Array.from(input.value.trim()).length;
      if (shown && !isNaN(max)) {
        shown.textContent = used + " / " + max + " characters";
        shown.classList.toggle("over", used > max);
      }
      var preview = card.querySelector('[data-preview-field="' + name + '"]');
      if (preview) {
        var value = input.value.trim();
        preview.textContent = name === "subreddit" && value ? "r/" + value.replace(/^\/?r\//, "") : value;
      }
    });
  }

  function updateAll() {
    document.querySelectorAll(".compose-card").forEach(update);
  }

  document.addEventListener("input", function (event) {
    if (event.target.closest && event.target.closest("#compose-form")) { updateAll(); }
  });
  document.addEventListener("change", function (event) {
    if (event.target.closest && event.target.closest("#compose-form")) { updateAll(); }
  });
  document.addEventListener("DOMContentLoaded", updateAll);
})();
