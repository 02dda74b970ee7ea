// Harken's small behaviours, in a static file so the Content-Security-Policy needs no inline script.
// Every page works without it: each form has its own submit button in <noscript>.
(function () {
  "use strict";

  // <select data-autosubmit> sends its form as soon as a choice is made.
  document.addEventListener("change", function (event) {
    var target = event.target;
    if (target instanceof HTMLSelectElement && target.hasAttribute("data-autosubmit") && target.form) {
      if (target.form.requestSubmit) {
        target.form.requestSubmit();
      } else {
        target.form.submit();
      }
    }
  });

  // Tabs wider than a phone scroll sideways: bring the current one into view.
  function showCurrentTabs() {
    document.querySelectorAll("nav.tabs").forEach(function (nav) {
      var current = nav.querySelector("[aria-current=page]");
      if (current && nav.scrollWidth > nav.clientWidth) {
        nav.scrollLeft = current.offsetLeft - (nav.clientWidth - current.offsetWidth) / 2;
      }
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", showCurrentTabs);
  } else {
    showCurrentTabs();
  }

  // Menus (<details class="menu-host">): one open at a time; a click elsewhere or Escape closes them.
  function closeMenus(except) {
    document.querySelectorAll("details.menu-host[open]").forEach(function (menu) {
      if (menu !== except) {
        menu.removeAttribute("open");
      }
    });
  }
  document.addEventListener("click", function (event) {
    var inside = event.target instanceof Element ? event.target.closest("details.menu-host") : null;
    closeMenus(inside);
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var open = document.querySelector("details.menu-host[open]");
    if (open) {
      open.removeAttribute("open");
      var summary = open.querySelector("summary");
      if (summary) {
        summary.focus();
      }
    }
  });
})();
