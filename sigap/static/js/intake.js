// Intake screens, progressive enhancement only: every form works without this file.
//
// * Contact screen: shows the caller's history as the number is typed (POSTed to
//   a JSON endpoint, never put in a URL), and times the call to fill "Durasi".
// * Report form: adds victim / perpetrator / event rows in place (the "add"
//   buttons otherwise re-render the page with one more row), shows the
//   sexual-violence forms only when "Seksual" is ticked, and hides the identity
//   fields when the reporter declines to give them, and shows the staff's "why is
//   the desa unknown" field only when "tidak diketahui" is chosen; "tanggal tidak
//   diketahui" empties the event's date.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function csrfToken(form) {
    var input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  // --- contact screen -------------------------------------------------------

  function setUpCallerCheck(form) {
    var url = form.getAttribute("data-check-url");
    var input = form.querySelector("input.caller-phone");
    var summary = document.getElementById("caller-summary");
    var button = form.querySelector("button.check-number");
    if (!url || !input || !summary) { return; }
    var timer = null;
    var lastChecked = "";
    var sequence = 0;

    function check(force) {
      var value = input.value.trim();
      var digits = value.replace(/\D/g, "");
      // Each check is an audited lookup counted against the user's limit: not before the number
      // can be complete (10 digits), and not twice for the same value.
      if (!force && (digits.length < 10 || value === lastChecked)) { return; }
      lastChecked = value;
      var mine = ++sequence;
      var body = new URLSearchParams();
      body.set("csrfmiddlewaretoken", csrfToken(form));
      body.set("caller_phone", value);
      fetch(url, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        headers: { "X-Requested-With": "fetch", "Accept": "application/json" }
      }).then(function (response) {
        // 429: the user's lookup limit was reached; the answer still carries the message to show.
        if (!response.ok && response.status !== 429) { throw new Error("status " + response.status); }
        return response.json();
      }).then(function (data) {
        if (mine === sequence) { summary.innerHTML = data.html; }  // server-rendered, escaped
      }).catch(function () {
        lastChecked = "";  // try again on the next keystroke; the button still works
      });
    }

    input.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { check(false); }, 500);
    });
    input.addEventListener("blur", function () { check(false); });
    if (button) {
      button.addEventListener("click", function (event) {
        event.preventDefault();
        check(true);
      });
    }
  }

  function setUpCallTimer(form) {
    var duration = form.querySelector("input.call-duration");
    var display = document.getElementById("call-timer");
    if (!duration || !display) { return; }
    var started = Date.now();
    var box = display.parentNode;
    box.hidden = false;
    function elapsed() {
      var seconds = Math.floor((Date.now() - started) / 1000);
      var rest = seconds % 60;
      return Math.floor(seconds / 60) + ":" + (rest < 10 ? "0" : "") + rest;
    }
    window.setInterval(function () { display.textContent = elapsed(); }, 1000);
    form.addEventListener("submit", function (event) {
      var submitter = event.submitter;
      if (submitter && submitter.name === "action") { return; }
      if (!duration.value.trim()) { duration.value = elapsed(); }
    });
  }

  // --- report form ------------------------------------------------------------

  function setUpAddRows(form) {
    var buttons = form.querySelectorAll("button.add-row");
    Array.prototype.forEach.call(buttons, function (button) {
      button.addEventListener("click", function (event) {
        var kind = button.getAttribute("data-kind");
        var section = document.getElementById(kind + "-rows");
        var template = document.getElementById(kind + "-template");
        var total = form.querySelector("input[name='" + kind + "-TOTAL_FORMS']");
        var max = form.querySelector("input[name='" + kind + "-MAX_NUM_FORMS']");
        if (!section || !template || !total) { return; }  // let the server add the row
        var count = parseInt(total.value, 10);
        var limit = max ? parseInt(max.value, 10) : 1000;
        if (isNaN(count) || count >= limit) { return; }
        event.preventDefault();
        var html = template.innerHTML.replace(/__prefix__/g, String(count)).replace(/__num__/g, String(count + 1));
        var list = section.querySelector(".row-list");
        var holder = document.createElement("div");
        holder.innerHTML = html;
        var row = holder.firstElementChild;
        list.appendChild(row);
        total.value = String(count + 1);
        // A new row starts in the desa of the row before it.
        var previous = form.querySelector("select[name='" + kind + "-" + (count - 1) + "-desa']");
        var fresh = form.querySelector("select[name='" + kind + "-" + count + "-desa']");
        if (previous && fresh) { fresh.value = previous.value; }
        var previousCode = form.querySelector("input[name='" + kind + "-" + (count - 1) + "-desa_other']");
        var freshCode = form.querySelector("input[name='" + kind + "-" + count + "-desa_other']");
        if (previousCode && freshCode && previousCode.value) {
          freshCode.value = previousCode.value;
          freshCode.closest("details").open = true;
        }
        row.dispatchEvent(new CustomEvent("sigap:row-added", { bubbles: true }));
        if (count + 1 >= limit) { button.hidden = true; }
        var first = row.querySelector("input:not([type=hidden]), select, textarea");
        if (first) { first.focus(); }
      });
    });
  }

  function setUpSexualForms(form) {
    var box = form.querySelector(".sexual-forms");
    var sexual = form.querySelector(".violence-types input[value=seksual]");
    if (!box || !sexual) { return; }
    function update() {
      var anyForm = box.querySelector("input:checked") !== null;
      var hasError = box.classList.contains("has-error");
      box.hidden = !(sexual.checked || anyForm || hasError);
    }
    sexual.addEventListener("change", update);
    update();
  }

  function setUpDeclined(form) {
    var toggle = form.querySelector(".toggle-declined input[type=checkbox]");
    var identity = form.querySelector(".identity-only");
    var declined = form.querySelector(".declined-only");
    if (!toggle || !identity || !declined) { return; }
    function update() {
      identity.hidden = toggle.checked && !identity.querySelector(".has-error");
      declined.hidden = !toggle.checked;
    }
    toggle.addEventListener("change", update);
    update();
  }

  // Staff explain an unknown desa: the reason field shows when "tidak diketahui" is chosen.
  function setUpUnknownDesa(form) {
    function update(select) {
      var box = select.closest(".row-card");
      var reason = box ? box.querySelector(".desa-unknown-only") : null;
      if (!reason) { return; }
      reason.hidden = select.value !== "tidak-tahu" && !reason.querySelector(".has-error");
    }
    Array.prototype.forEach.call(form.querySelectorAll("select.desa-select"), update);
    form.addEventListener("change", function (event) {
      if (event.target.matches && event.target.matches("select.desa-select")) { update(event.target); }
    });
    form.addEventListener("sigap:row-added", function (event) {
      Array.prototype.forEach.call(event.target.querySelectorAll("select.desa-select"), update);
    });
  }

  // "Tanggal tidak diketahui" and a date exclude each other: ticking the box empties the date and hour
  // and hides them with what only a date has (perkiraan, ketepatan); unticking shows them again (the
  // server refuses both together anyway). A field with an error message stays visible.
  var DATE_PARTS = "input[name$='-date'], input[name$='-time'], input[name$='-approximate'], " +
    "select[name$='-precision']";

  function showDateParts(box, unknown) {
    Array.prototype.forEach.call(box.querySelectorAll(DATE_PARTS), function (input) {
      var field = input.closest(".field");
      if (field) { field.hidden = unknown.checked && !field.classList.contains("has-error"); }
    });
  }

  function setUpUnknownDate(form) {
    Array.prototype.forEach.call(form.querySelectorAll("input[name$='-date_unknown']"), function (unknown) {
      var box = unknown.closest(".row-card");
      if (box) { showDateParts(box, unknown); }
    });
    form.addEventListener("change", function (event) {
      var target = event.target;
      if (!target.matches) { return; }
      var box = target.closest(".row-card");
      if (!box) { return; }
      var unknown = box.querySelector("input[name$='-date_unknown']");
      if (!unknown || target !== unknown) { return; }
      if (unknown.checked) {
        Array.prototype.forEach.call(box.querySelectorAll("input[name$='-date'], input[name$='-time']"),
          function (input) { input.value = ""; });
      }
      showDateParts(box, unknown);
    });
  }

  function focusErrors() {
    var summary = document.getElementById("report-errors");
    if (summary) { summary.focus(); }
  }

  document.addEventListener("DOMContentLoaded", function () {
    var contact = document.querySelector("form.contact-form");
    if (contact) {
      setUpCallerCheck(contact);
      setUpCallTimer(contact);
    }
    var report = document.querySelector("form.report-form");
    if (report) {
      setUpAddRows(report);
      setUpSexualForms(report);
      setUpDeclined(report);
      setUpUnknownDesa(report);
      setUpUnknownDate(report);
      focusErrors();
    }
  });
})();
