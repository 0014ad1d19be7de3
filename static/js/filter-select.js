// Type-to-filter for long dropdowns marked data-filterable (countries, phone codes).
// A search box before the select hides the options that do not match and picks the
// first match, so an RM types "chi" and tabs on. Without JavaScript the plain select
// remains, with the browser's own type-ahead.
(function () {
  "use strict";

  var SETTLE_MS = 400;

  function normalise(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  // A label's text as a screen reader says it: without the required field's "*".
  function spokenText(label) {
    var copy = label.cloneNode(true);
    copy.querySelectorAll("[aria-hidden=true]").forEach(function (hidden) { hidden.remove(); });
    return copy.textContent.replace(/\s+/g, " ").trim();
  }

  function announce(select) {
    select.dispatchEvent(new Event("input", { bubbles: true }));
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function enhance(select) {
    if (select.dataset.filterReady) {
      return;
    }
    select.dataset.filterReady = "true";
    var options = Array.prototype.slice.call(select.options);
    var haystacks = options.map(function (option) {
      return normalise(option.text + " " + option.value);
    });
    var label = select.labels && select.labels.length ? spokenText(select.labels[0]) : "";
    var hint = document.body.dataset.filterLabel || "Filter";
    var box = document.createElement("input");
    box.type = "search";
    box.className = "select-filter";
    box.autocomplete = "off";
    box.placeholder = document.body.dataset.filterPlaceholder || "Type to filter";
    box.setAttribute("aria-label", label ? label + " (" + hint + ")" : hint);
    box.setAttribute("aria-controls", select.id);
    select.parentNode.insertBefore(box, select);
    // The field lays the box and the list side by side (app.css), so its row is no taller
    // than its neighbours'. The list itself stays where it is: htmx may be using it.
    select.parentNode.classList.add("field-filtered");

    var settle = null;
    box.addEventListener("input", function (event) {
      // Typing a filter changes nothing the RM saves: keep it from triggering autosave.
      event.stopPropagation();
      var needle = normalise(box.value.trim());
      var first = null;
      options.forEach(function (option, index) {
        var match = !needle || option.value === "" || haystacks[index].indexOf(needle) !== -1;
        option.hidden = !match;
        if (match && option.value !== "" && first === null) {
          first = option;
        }
      });
      var chosen = select.options[select.selectedIndex];
      if (needle && first !== null && (!chosen || chosen.hidden || chosen.value === "")) {
        select.value = first.value;
        clearTimeout(settle);
        settle = setTimeout(function () { announce(select); }, SETTLE_MS);
      }
    });
    box.addEventListener("keydown", function (event) {
      if (event.key === "Enter") {
        // Enter confirms the pick instead of submitting the whole form.
        event.preventDefault();
        clearTimeout(settle);
        announce(select);
        select.focus();
      }
    });
  }

  function scan(root) {
    if (!root || !root.querySelectorAll) {
      return;
    }
    if (root.matches && root.matches("select[data-filterable]")) {
      enhance(root);
    }
    root.querySelectorAll("select[data-filterable]").forEach(enhance);
  }

  document.addEventListener("DOMContentLoaded", function () { scan(document.body); });
  document.addEventListener("htmx:load", function (event) { scan(event.target); });
})();
