// Humas composer: live counters, platform problems and coach hints per channel while typing,
// and uploads without leaving the page. The plain form works without this file: saving shows
// the same checks, rendered by the server.
(function () {
  "use strict";
  var form = document.getElementById("composer");
  if (!form || !window.fetch) {
    return;
  }
  var csrfField = form.querySelector("input[name=_csrf]");
  var csrf = csrfField ? csrfField.value : "";
  var checkUrl = form.getAttribute("data-check-url");
  var status = document.getElementById("check-status");
  var hintList = document.getElementById("coach-hints");
  var timer = null;
  var latest = 0;

  function byId(id) {
    return document.getElementById(id);
  }

  // Every element of the form, including those tied to it with form="composer".
  function fields(name) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name === name;
    });
  }

  function payload() {
    var channels = [];
    fields("channel").forEach(function (box) {
      if (box.checked) {
        var text = byId("text-" + box.value);
        var value = text && text.value.trim() !== "" ? text.value : null;
        channels.push({ account: box.value, text: value });
      }
    });
    var media = fields("media")
      .filter(function (box) { return box.checked; })
      .map(function (box) { return box.value; });
    var body = fields("body")[0];
    return { body: body ? body.value : "", channels: channels, media: media };
  }

  function clearChildren(el) {
    while (el && el.firstChild) {
      el.removeChild(el.firstChild);
    }
  }

  // Messages come from the server already translated; they are set as text, never as HTML.
  function listItem(text, severity) {
    var li = document.createElement("li");
    li.textContent = text;
    if (severity) {
      li.className = "problem-" + severity;
      li.setAttribute("data-severity", severity);
    }
    return li;
  }

  function showChannel(account, measure, problems) {
    var counter = byId("counter-" + account);
    if (counter) {
      counter.textContent = measure ? measure.text : "";
      counter.classList.toggle("over", Boolean(measure && measure.over));
    }
    var list = byId("problems-" + account);
    clearChildren(list);
    (problems || []).forEach(function (p) {
      list.appendChild(listItem(p.message, p.severity));
    });
  }

  function show(result) {
    fields("channel").forEach(function (box) {
      showChannel(box.value, null, []);
    });
    result.channels.forEach(function (c) {
      showChannel(c.account_id, c.measure, c.problems);
    });
    clearChildren(hintList);
    result.hints.forEach(function (h) {
      hintList.appendChild(listItem(h.message));
    });
    if (status) {
      var key = result.channels.length === 0 ? "data-pending"
        : result.has_errors ? "data-errors" : "data-ok";
      status.textContent = status.getAttribute(key) || "";
    }
  }

  function check() {
    var body = payload();
    var mine = ++latest;
    if (body.channels.length === 0) {
      // Nothing to check: clear what an earlier answer showed.
      show({ channels: [], hints: [], has_errors: false });
      return;
    }
    fetch(checkUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRF-Token": csrf
      },
      body: JSON.stringify(body)
    })
      .then(function (r) {
        return r.json().then(function (j) { return { ok: r.ok, body: j }; });
      })
      .then(function (res) {
        // An older answer arriving after a newer one is dropped.
        if (mine !== latest) {
          return;
        }
        if (res.ok) {
          show(res.body);
        } else if (status) {
          status.textContent = res.body && res.body.error ? res.body.error.message : "";
        }
      })
      .catch(function () {
        if (status && mine === latest) {
          status.textContent = form.getAttribute("data-check-failed") || "";
        }
      });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(check, 350);
  }

  // The preview per platform follows the text at once, without the server: the account's
  // variant or the base text, folded where that platform's feed folds it. Text is set as text,
  // never as HTML.
  function previews() {
    var base = fields("body")[0];
    var baseText = base ? base.value : "";
    Array.prototype.forEach.call(form.querySelectorAll("figure.preview"), function (fig) {
      var account = fig.id.replace("preview-", "");
      var variant = byId("text-" + account);
      var text = variant && variant.value.trim() !== "" ? variant.value : baseText;
      text = text.replace(/\s+$/, "");
      var fold = parseInt(fig.getAttribute("data-fold") || "0", 10);
      var chars = Array.from(text);
      var out = byId("preview-text-" + account);
      if (!out) {
        return;
      }
      clearChildren(out);
      if (fold > 0 && chars.length > fold) {
        out.appendChild(document.createTextNode(chars.slice(0, fold).join("")));
        var more = document.createElement("span");
        more.className = "pv-fold";
        more.textContent = fig.getAttribute("data-more") || "…";
        out.appendChild(more);
      } else {
        out.appendChild(document.createTextNode(text));
      }
    });
  }

  form.addEventListener("input", previews);
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  // Uploads: the file goes up at once and is ticked in the form, which must still be saved.
  var upload = byId("upload-form");
  var uploadError = byId("upload-error");
  if (upload && window.FormData) {
    upload.addEventListener("submit", function (event) {
      event.preventDefault();
      if (uploadError) {
        uploadError.hidden = true;
      }
      var button = upload.querySelector("button[type=submit]");
      if (button) {
        button.disabled = true;
      }
      fetch(upload.action, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Accept": "application/json", "X-CSRF-Token": csrf },
        body: new FormData(upload)
      })
        .then(function (r) {
          return r.json().then(function (j) { return { ok: r.ok, body: j }; });
        })
        .then(function (res) {
          if (!res.ok) {
            fail(res.body && res.body.error ? res.body.error.message : "");
            return;
          }
          attach(res.body);
          upload.reset();
          later();
        })
        .catch(function () { fail(""); })
        .then(function () {
          if (button) {
            button.disabled = false;
          }
        });
    });
  }

  function fail(message) {
    if (uploadError) {
      uploadError.textContent = message || upload.getAttribute("data-failed") || "";
      uploadError.hidden = false;
      uploadError.focus();
    }
  }

  function attach(media) {
    var box = document.createElement("input");
    box.type = "checkbox";
    box.name = "media";
    box.value = media.id;
    box.checked = true;
    var label = document.createElement("label");
    label.className = "check";
    label.appendChild(box);
    label.appendChild(document.createTextNode(" " + media.file_name));
    var attached = byId("attached-media");
    var none = byId("no-media");
    if (none) {
      none.parentNode.removeChild(none);
    }
    if (attached) {
      attached.appendChild(label);
    }
    var list = byId("media-list");
    if (list) {
      var li = document.createElement("li");
      var name = document.createElement("strong");
      name.textContent = media.file_name;
      var facts = document.createElement("span");
      facts.className = "muted";
      facts.textContent = " " + media.facts;
      li.appendChild(name);
      li.appendChild(facts);
      list.appendChild(li);
    }
  }
})();
