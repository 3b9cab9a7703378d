// Humas: drag a post to another day of the calendar (it keeps its time of day), and add rows
// to the slot form. Everything here also works without this file: each post has a "Pindahkan"
// form and the slot form has empty rows.
(function () {
  "use strict";

  var calendar = document.getElementById("calendar");
  if (calendar) {
    document.body.classList.add("cal-js");
    var token = calendar.getAttribute("data-csrf") || "";
    var status = document.getElementById("cal-status");
    var dragged = null;

    var show = function (message) {
      if (!status) { return; }
      status.textContent = message;
      status.hidden = false;
      status.setAttribute("tabindex", "-1");
      status.focus();
    };

    var move = function (card, date) {
      var time = card.getAttribute("data-time");
      if (!time || !date) { return; }
      var body = new URLSearchParams();
      body.set("at", date + "T" + time);
      fetch("/posts/" + encodeURIComponent(card.getAttribute("data-post")) + "/reschedule", {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "X-CSRF-Token": token,
          "Accept": "application/json",
          "Content-Type": "application/x-www-form-urlencoded"
        },
        body: body.toString()
      }).then(function (resp) {
        return resp.json().then(function (data) { return { ok: resp.ok, data: data }; });
      }).then(function (answer) {
        if (answer.ok) {
          window.location.reload();
        } else {
          show(answer.data && answer.data.error ? answer.data.error.message : String(answer.data));
        }
      }).catch(function () {
        show(calendar.getAttribute("data-offline") || "—");
      });
    };

    calendar.querySelectorAll(".cal-card[draggable=true]").forEach(function (card) {
      card.addEventListener("dragstart", function (event) {
        dragged = card;
        card.classList.add("cal-dragging");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", card.getAttribute("data-post"));
      });
      card.addEventListener("dragend", function () {
        card.classList.remove("cal-dragging");
        dragged = null;
      });
    });

    calendar.querySelectorAll("td[data-date]").forEach(function (cell) {
      cell.addEventListener("dragover", function (event) {
        if (dragged) {
          event.preventDefault();
          event.dataTransfer.dropEffect = "move";
          cell.classList.add("cal-drop");
        }
      });
      cell.addEventListener("dragleave", function () {
        cell.classList.remove("cal-drop");
      });
      cell.addEventListener("drop", function (event) {
        event.preventDefault();
        cell.classList.remove("cal-drop");
        var card = dragged;
        dragged = null;
        if (!card || card.closest("td") === cell) { return; }
        move(card, cell.getAttribute("data-date"));
      });
    });
  }

  // The slot form: one more empty row per click.
  var add = document.getElementById("slot-add");
  var rows = document.getElementById("slot-rows");
  if (add && rows) {
    add.hidden = false;
    add.addEventListener("click", function () {
      var all = rows.querySelectorAll("tr.slot-row");
      var last = all[all.length - 1];
      if (!last) { return; }
      var index = all.length;
      var row = last.cloneNode(true);
      row.querySelectorAll("[id]").forEach(function (el) {
        el.id = el.id.replace(/-\d+$/, "-" + index);
      });
      row.querySelectorAll("label[for]").forEach(function (el) {
        el.setAttribute("for", el.getAttribute("for").replace(/-\d+$/, "-" + index));
      });
      var time = row.querySelector("input[type=time]");
      if (time) { time.value = ""; }
      var remove = row.querySelector("input[type=checkbox]");
      if (remove) { remove.checked = false; remove.value = String(index); }
      rows.appendChild(row);
      if (time) { time.focus(); }
    });
  }
})();
