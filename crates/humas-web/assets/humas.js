// Humas: a little comfort on top of plain HTML forms. Everything works without this file.
(function () {
  "use strict";
  // The phone menu.
  var toggle = document.querySelector(".menu-toggle");
  var nav = document.getElementById("nav");
  if (toggle && nav) {
    toggle.addEventListener("click", function () {
      var open = nav.classList.toggle("open");
      toggle.setAttribute("aria-expanded", open ? "true" : "false");
    });
  }
  // Ask before a destructive action (forms marked data-confirm).
  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
      }
    });
  });
  // Move focus to a form error so screen readers announce it.
  var error = document.getElementById("form-error");
  if (error) {
    error.setAttribute("tabindex", "-1");
    error.focus();
  }
})();
