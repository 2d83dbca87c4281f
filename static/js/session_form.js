// The session page: add and remove items and actions in place, show the fields that fit the
// format, and keep the balance card up to date. The card is rendered by the server (the same
// template and numbers as the saved record): this script only posts the form as typed, a
// moment after the last change, and swaps the card's contents in. Without JavaScript the page
// still works: the "Add" buttons submit, and the server adds an empty form and a fresh card.
(function () {
  "use strict";
  var form = document.getElementById("session-form");
  if (!form) return;
  var card = document.getElementById("tally");
  var tallyUrl = form.getAttribute("data-tally-url");
  var WAIT_MS = 300;
  // What moves the tally: an item's minutes, functions or removal, and the duration.
  var TALLY_FIELD = /^(items-\d+-(minutes|functions|DELETE)|duration_minutes)$/;

  function addForm(kind) {
    var prefix = kind === "item" ? "items" : "actions";
    var total = form.querySelector("#id_" + prefix + "-TOTAL_FORMS");
    var index = parseInt(total.value, 10);
    var template = document.getElementById(kind + "-template");
    var html = template.innerHTML.replace(/__prefix__/g, String(index));
    var holder = document.getElementById(kind + "-forms");
    holder.insertAdjacentHTML("beforeend", html);
    total.value = String(index + 1);
    var added = holder.lastElementChild;
    var first = added.querySelector("input[type=text], textarea, select");
    if (first) first.focus();
  }

  document.querySelectorAll("[data-add]").forEach(function (button) {
    button.addEventListener("click", function (event) {
      event.preventDefault();
      addForm(button.getAttribute("data-add"));
    });
  });

  function showForFormat() {
    var checked = form.querySelector("input[name=format]:checked");
    var format = checked ? checked.value : "one_to_one";
    form.querySelectorAll("[data-show-for]").forEach(function (el) {
      el.hidden = el.getAttribute("data-show-for") !== format;
    });
  }

  function markDeleted() {
    form.querySelectorAll("[data-item-form]").forEach(function (itemCard) {
      var del = itemCard.querySelector("[data-item-delete]");
      itemCard.classList.toggle("ff-deleted", !!(del && del.checked));
    });
  }

  var timer = null;
  var inFlight = null;

  // aria-busy stays "true" from the change until the fresh card is in (tests wait on it).
  function tallySoon() {
    if (!card || !tallyUrl) return;
    card.setAttribute("aria-busy", "true");
    window.clearTimeout(timer);
    timer = window.setTimeout(fetchTally, WAIT_MS);
  }

  function fetchTally() {
    if (inFlight) inFlight.abort();
    var request = new AbortController();
    inFlight = request;
    var token = form.querySelector("input[name=csrfmiddlewaretoken]");
    fetch(tallyUrl, {
      method: "POST",
      body: new FormData(form),
      headers: { "X-CSRFToken": token ? token.value : "" },
      credentials: "same-origin",
      signal: request.signal,
    })
      .then(function (response) {
        if (!response.ok) throw new Error("tally " + response.status);
        return response.text();
      })
      .then(function (html) {
        if (inFlight !== request) return;
        var parsed = document.createElement("template");
        parsed.innerHTML = html;
        var fresh = parsed.content.querySelector("#tally");
        if (!fresh) throw new Error("no tally in the answer");
        // Swap the contents, not the element: it is the live region screen readers follow.
        card.innerHTML = fresh.innerHTML;
        card.removeAttribute("data-tally-stale");
      })
      .catch(function (error) {
        if (error.name === "AbortError") return;
        card.setAttribute("data-tally-stale", "");
        if (!card.querySelector("[data-tally-stale-note]")) {
          card.querySelector(".card-body").insertAdjacentHTML(
            "beforeend",
            '<p class="small text-danger mb-0 mt-2" data-tally-stale-note>' +
              "Not updated: the balance is worked out again when you save.</p>"
          );
        }
      })
      .finally(function () {
        if (inFlight !== request) return;
        inFlight = null;
        card.setAttribute("aria-busy", "false");
      });
  }

  // Who can own an action: the supervisor, the people present as typed now, or someone named.
  // The server offers the same when it renders the page; this keeps every owner list (and the
  // template of a new action) in step while the supervisee or the attendance changes. A
  // chosen owner who is no longer present stays chosen, for the save to ask about.
  var people = {};
  try {
    people = JSON.parse(form.getAttribute("data-people") || "{}");
  } catch (error) {
    people = {};
  }

  function presentOwners() {
    var checked = form.querySelector("input[name=format]:checked");
    var owners = [];
    if (!checked || checked.value !== "group") {
      var select = form.querySelector("select[name=supervisee]");
      var id = select ? select.value : "";
      var name = id && people[id];
      owners.push(["supervisee", name ? name + " (the supervisee)" : "The supervisee"]);
      return owners;
    }
    form.querySelectorAll("input[name^=attendee_][value=present]:checked").forEach(function (radio) {
      var id = radio.name.replace("attendee_", "");
      if (people[id]) owners.push(["person:" + id, people[id]]);
    });
    return owners;
  }

  function refreshOwners(select, owners) {
    var chosen = select.value;
    var first = select.querySelector("option[value=supervisor]");
    var last = select.querySelector("option[value=other]");
    if (!first || !last) return;
    var keep = Array.prototype.slice.call(select.options).filter(function (option) {
      return option.value === chosen && option !== first && option !== last;
    });
    while (select.options.length) select.remove(0);
    select.add(first);
    var offered = {};
    owners.forEach(function (owner) {
      offered[owner[0]] = true;
      select.add(new Option(owner[1], owner[0]));
    });
    keep.forEach(function (option) {
      if (!offered[option.value]) select.add(option);
    });
    select.add(last);
    select.value = chosen;
    if (select.value !== chosen) select.value = "supervisor";
  }

  function ownersChanged() {
    var owners = presentOwners();
    form.querySelectorAll("select[name$=-owner]").forEach(function (select) {
      refreshOwners(select, owners);
    });
    var template = document.getElementById("action-template");
    if (template) {
      template.content.querySelectorAll("select[name$=-owner]").forEach(function (select) {
        refreshOwners(select, owners);
      });
    }
  }

  // "Mark everyone present" and "Mark no one": one click for the whole group (the buttons
  // are hidden without JavaScript, where everyone starts present anyway).
  var markAll = form.querySelector("[data-attendance-all]");
  if (markAll) {
    markAll.hidden = false;
    markAll.addEventListener("click", function (event) {
      var button = event.target.closest("[data-mark-all]");
      if (!button) return;
      var value = button.getAttribute("data-mark-all");
      form.querySelectorAll("input[name^=attendee_]").forEach(function (radio) {
        if (radio.value === value) radio.checked = true;
      });
      ownersChanged();
    });
  }

  form.addEventListener("input", function (event) {
    if (TALLY_FIELD.test(event.target.name || "")) tallySoon();
  });
  form.addEventListener("change", function (event) {
    var name = event.target.name || "";
    if (name === "format") showForFormat();
    if (name === "format" || name === "supervisee" || /^attendee_/.test(name)) ownersChanged();
    if (/-DELETE$/.test(name)) markDeleted();
    if (TALLY_FIELD.test(name)) tallySoon();
  });
  showForFormat();
  markDeleted();
})();
