// Drag a post to another day on the calendar: progressive enhancement over the "move"
// form each chip links to. The server runs the same checks as scheduling and answers
// with JSON: the chip moves when it agrees, and its finding is shown when it refuses.
(function () {
  "use strict";

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (e) {
      return "";
    }
  }

  function say(text, ok) {
    var status = document.getElementById("cal-status");
    if (!status) return;
    status.textContent = text;
    status.classList.toggle("ok", !!ok);
  }

  function dropTarget(node) {
    return node && node.closest ? node.closest("[data-date]") : null;
  }

  // The time a drop means: the chip's own, or in the week's hour grid the cell's hour
  // with the chip's minutes.
  function timeFor(chip, day) {
    var time = chip.getAttribute("data-time");
    var hour = day.getAttribute("data-hour");
    if (hour === null) return time;
    return ("0" + hour).slice(-2) + ":" + time.split(":")[1];
  }

  function moveTo(chip, day, url) {
    var body = new FormData();
    body.append("date", day.getAttribute("data-date"));
    body.append("time", timeFor(chip, day));
    // A post's chip moves all its variants shown together (all or none).
    if (chip.getAttribute("data-variants")) body.append("variants", chip.getAttribute("data-variants"));
    var target = chip.getAttribute("data-move") || url.replace(/\/0\/move\/$/, "/" + chip.getAttribute("data-variant") + "/move/");
    say("Moving…", true);
    fetch(target, {
      method: "POST",
      body: body,
      credentials: "same-origin",
      headers: { "X-CSRFToken": csrfToken(), Accept: "application/json" },
    })
      .then(function (response) {
        return response.json();
      })
      .then(function (answer) {
        if (answer.ok) {
          chip.setAttribute("data-time", answer.time);
          day.appendChild(chip);
          say("Moved to " + answer.date + " at " + answer.time + ".", true);
        } else {
          say(answer.message, false);
        }
      })
      .catch(function () {
        say("The move did not reach Harken; nothing changed. Try again.", false);
      });
  }

  function enhance(board) {
    var url = board.getAttribute("data-move-url");
    var dragged = null;
    board.addEventListener("dragstart", function (event) {
      var chip = event.target.closest && event.target.closest(".chip.movable");
      if (!chip) return;
      dragged = chip;
      chip.classList.add("dragging");
      event.dataTransfer.effectAllowed = "move";
      event.dataTransfer.setData("text/plain", chip.getAttribute("data-variant"));
    });
    board.addEventListener("dragend", function () {
      if (dragged) dragged.classList.remove("dragging");
      dragged = null;
      board.querySelectorAll(".drop").forEach(function (el) {
        el.classList.remove("drop");
      });
    });
    board.addEventListener("dragover", function (event) {
      var day = dropTarget(event.target);
      if (!dragged || !day) return;
      event.preventDefault();
      event.dataTransfer.dropEffect = "move";
      board.querySelectorAll(".drop").forEach(function (el) {
        if (el !== day) el.classList.remove("drop");
      });
      day.classList.add("drop");
    });
    board.addEventListener("drop", function (event) {
      var day = dropTarget(event.target);
      if (!dragged || !day) return;
      event.preventDefault();
      day.classList.remove("drop");
      if (dragged.closest("[data-date]") !== day) moveTo(dragged, day, url);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-move-url]").forEach(enhance);
  });
})();
