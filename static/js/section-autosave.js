// Nothing typed in a section is lost.
// - A field is saved when it changes, when the focus leaves it, and after a pause in typing:
//   a POST of the whole section with action=autosave, whose answer (the save state, and out
//   of band the version, the stepper, the heading and each field's errors) htmx swaps in.
// - A link or another form (the language, the tenant, log out) that leaves the page while
//   something is unsaved waits for that save, then goes. Back and closing the tab send it
//   with keepalive, which outlives the page.
// - The browser asks before leaving only when a save was refused or did not get through, or
//   when one is still under way and what was typed since cannot follow it.
// Without JavaScript the section's buttons save as before; nothing here is needed for that.
(function () {
  "use strict";

  var PAUSE_MS = 1500;
  // Browsers refuse a keepalive request whose body would take the page past 64 KiB in all.
  var KEEPALIVE_MAX = 60000;
  var NOT_TYPED = { csrfmiddlewaretoken: true, version: true, conflict: true, action: true };

  var baseline = null; // the section's fields as last saved, or as the page was loaded
  var failed = false; // the last save was refused, or did not reach the server
  var sending = null; // the autosave under way: {typed}
  var waiting = 0; // autosaves asked for and not yet done (under way or waiting their turn)
  var htmxSaves = new WeakMap(); // htmx's saves of the section (buttons, rows), by request
  var htmxUnderWay = 0;
  var htmxIdle = [];
  var chain = Promise.resolve(true);
  var pause = null;
  var discarding = false; // the person asked to drop their entries ("Reload the case")

  function sectionForm() {
    var form = document.getElementById("section-form");
    return form && form.hasAttribute("data-autosave") ? form : null;
  }

  function inSection(element) {
    var form = sectionForm();
    return form !== null && element instanceof Element && form.contains(element);
  }

  // The section's fields as the form would send them, without its token and version.
  function fieldsOf(form) {
    var fields = {};
    new FormData(form).forEach(function (value, name) {
      if (!NOT_TYPED[name] && typeof value === "string") {
        (fields[name] = fields[name] || []).push(value);
      }
    });
    return fields;
  }

  function typed(form) {
    return JSON.stringify(fieldsOf(form));
  }

  function same(one, other) {
    return (one || []).join("\u0000") === (other || []).join("\u0000");
  }

  // What was typed while a save of the whole section was under way: its answer redraws the
  // section as it was sent, so these are put back into the new one, to be saved in turn.
  function typedMeanwhile(sent, now) {
    var changed = {};
    Object.keys(sent)
      .concat(Object.keys(now))
      .forEach(function (name) {
        if (!same(sent[name], now[name])) {
          changed[name] = now[name] || [];
        }
      });
    return changed;
  }

  function putBack(form, changed) {
    Object.keys(changed).forEach(function (name) {
      var values = changed[name];
      var position = 0;
      form.querySelectorAll('[name="' + CSS.escape(name) + '"]').forEach(function (field) {
        if (field.type === "checkbox" || field.type === "radio") {
          field.checked = values.indexOf(field.value) !== -1;
        } else {
          field.value = values[position] || "";
          position += 1;
        }
      });
    });
  }

  function unsaved() {
    var form = sectionForm();
    return form !== null && baseline !== null && typed(form) !== baseline;
  }

  function busy() {
    return waiting > 0 || htmxUnderWay > 0;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRFToken"] || "";
    } catch (error) {
      return "";
    }
  }

  function stateBox() {
    return document.getElementById("save-state");
  }

  function showProblem(attribute, said) {
    var form = sectionForm();
    var box = stateBox();
    if (!form || !box) {
      return;
    }
    var problem = document.createElement("span");
    problem.className = "save-conflict";
    problem.textContent = said || form.getAttribute(attribute) || "";
    box.replaceChildren(problem);
  }

  function swapIn(html) {
    var box = stateBox();
    if (box && html) {
      window.htmx.swap(box, html, { swapStyle: "innerHTML", swapDelay: 0, settleDelay: 0 });
    }
  }

  // A new onboarding's first save created it: the page now edits that onboarding.
  function adopt(url) {
    var form = sectionForm();
    var before = location.pathname;
    history.replaceState(history.state, "", url);
    document.querySelectorAll("input[name=next]").forEach(function (next) {
      if (next.value === before) {
        next.value = url;
      }
    });
    if (form) {
      form.setAttribute("action", url);
      form.setAttribute("hx-post", url);
      window.htmx.process(form);
    }
  }

  function answered(response, html, sent) {
    if (response.ok) {
      var moved = response.headers.get("HX-Replace-Url");
      if (moved) {
        adopt(moved);
      }
      swapIn(html);
      baseline = sent;
      failed = false;
      return true;
    }
    failed = true;
    var plain = (response.headers.get("Content-Type") || "").indexOf("text/plain") === 0;
    if (response.status === 409) {
      swapIn(html); // the server says why: someone else's change, or a locked section
    } else {
      // A refusal in words (too large, a field sent twice) is shown as it is worded.
      showProblem("data-not-saved", plain && response.status < 500 ? html.slice(0, 300) : "");
    }
    return false;
  }

  // Sends what is typed now, unless it is what was last saved. With `leaving`, only a
  // request that outlives the page is sent: null when there is none to send.
  function send(leaving) {
    var form = sectionForm();
    if (!form) {
      return Promise.resolve(true);
    }
    var now = typed(form);
    if (now === baseline) {
      return Promise.resolve(true);
    }
    var body = new URLSearchParams(new FormData(form));
    body.set("action", "autosave");
    var text = body.toString();
    var lasting = text.length < KEEPALIVE_MAX;
    if (leaving && !lasting) {
      return null;
    }
    var request;
    try {
      request = fetch(form.getAttribute("action"), {
        method: "POST",
        body: text,
        credentials: "same-origin",
        keepalive: lasting,
        headers: {
          "Content-Type": "application/x-www-form-urlencoded",
          "HX-Request": "true",
          "X-CSRFToken": csrfToken(),
        },
      });
    } catch (error) {
      failed = true; // more than the browser lets requests that outlive their page carry
      return leaving ? null : Promise.resolve(false);
    }
    sending = { typed: now };
    var box = stateBox();
    if (box) {
      box.classList.add("htmx-request");
    }
    return request
      .then(
        function (response) {
          return response.text().then(function (html) {
            return answered(response, html, now);
          });
        },
        function () {
          failed = true;
          showProblem("data-offline");
          return false;
        }
      )
      .finally(function () {
        sending = null;
        var state = stateBox();
        if (state) {
          state.classList.remove("htmx-request");
        }
      });
  }

  // Resolves once htmx has no save of the section under way. Checked again a task later:
  // htmx sends a save it queued right after the one before it ends, in that same task.
  function whenHtmxIdle() {
    return new Promise(function (resolve) {
      function check() {
        if (htmxUnderWay > 0) {
          htmxIdle.push(check);
          return;
        }
        setTimeout(function () {
          if (htmxUnderWay > 0) {
            htmxIdle.push(check);
          } else {
            resolve();
          }
        }, 0);
      }
      check();
    });
  }

  // One save at a time, each after the last, so that each carries the version the last
  // one left: two saves of one page never refuse each other as a conflict.
  function save() {
    clearTimeout(pause);
    waiting += 1;
    chain = chain
      .catch(function () {
        return false;
      })
      .then(whenHtmxIdle)
      .then(function () {
        return send(false);
      })
      .finally(function () {
        waiting -= 1;
      });
    return chain;
  }

  function leave(go) {
    save().then(go, go);
  }

  document.addEventListener("input", function (event) {
    if (inSection(event.target)) {
      clearTimeout(pause);
      pause = setTimeout(save, PAUSE_MS);
    }
  });
  document.addEventListener("change", function (event) {
    if (inSection(event.target)) {
      save();
    }
  });
  document.addEventListener("focusout", function (event) {
    if (inSection(event.target) && unsaved() && !busy()) {
      save();
    }
  });

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("a[href]") : null;
    if (!link || event.defaultPrevented || event.button !== 0) {
      return;
    }
    if (event.ctrlKey || event.metaKey || event.shiftKey || event.altKey) {
      return; // a new tab or window: this page stays
    }
    if (link.hasAttribute("data-discards")) {
      discarding = true;
      return;
    }
    if ((link.target && link.target !== "_self") || link.hasAttribute("download")) {
      return;
    }
    var to = new URL(link.href, location.href);
    if (to.hash && to.href.split("#")[0] === location.href.split("#")[0]) {
      return; // a place on this page, such as a field named in the list of what to fix
    }
    if (!sectionForm() || (!unsaved() && !busy())) {
      return;
    }
    event.preventDefault();
    leave(function () {
      location.assign(link.href);
    });
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (event.defaultPrevented || !(form instanceof HTMLFormElement)) {
      return;
    }
    if (form.id === "section-form" || !sectionForm() || (!unsaved() && !busy())) {
      return;
    }
    event.preventDefault();
    var submitter = event.submitter;
    leave(function () {
      if (submitter && submitter.name) {
        var pressed = document.createElement("input");
        pressed.type = "hidden";
        pressed.name = submitter.name;
        pressed.value = submitter.value;
        form.append(pressed);
      }
      HTMLFormElement.prototype.submit.call(form);
    });
  });

  window.addEventListener("beforeunload", function (event) {
    if (discarding || !sectionForm()) {
      return;
    }
    var form = sectionForm();
    var warn = false;
    if (htmxUnderWay > 0) {
      warn = true; // a button's save, which the browser would cut off
    } else if (sending !== null) {
      // The save under way outlives the page; what was typed after it cannot follow it.
      warn = typed(form) !== sending.typed;
    } else if (unsaved()) {
      if (failed) {
        warn = true;
      } else {
        var flushed = send(true);
        warn = flushed === null;
        if (flushed !== null) {
          chain = flushed;
        }
      }
    }
    if (warn) {
      event.preventDefault();
      event.returnValue = "";
    }
  });

  window.addEventListener("pagehide", function () {
    if (!discarding && unsaved() && !busy() && !failed) {
      var flushed = send(true);
      if (flushed !== null) {
        chain = flushed;
      }
    }
  });

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden" && unsaved()) {
      save();
    }
  });

  window.addEventListener("online", function () {
    if (unsaved()) {
      save();
    }
  });

  function htmxSave(event) {
    var detail = event.detail || {};
    return detail.xhr ? htmxSaves.get(detail.xhr) : undefined;
  }

  function htmxSettled(record) {
    if (record.open) {
      record.open = false;
      htmxUnderWay -= 1;
      if (htmxUnderWay === 0) {
        htmxIdle.splice(0).forEach(function (resolve) {
          resolve();
        });
      }
    }
  }

  // htmx's own saves of the section (Save draft, rows, a choice that redraws the section)
  // wait for the autosaves asked for before them, so that they carry the version those leave.
  document.addEventListener("htmx:confirm", function (event) {
    var detail = event.detail || {};
    if (detail.verb !== "post" || !inSection(detail.elt) || waiting === 0) {
      return;
    }
    event.preventDefault();
    var trigger = detail.triggeringEvent;
    var button = trigger && trigger.type === "submit" ? trigger.submitter : null;
    chain.then(function () {
      if (button && button.isConnected) {
        button.click(); // pressed again, so that the request says which button it was
      } else if (detail.elt.isConnected) {
        detail.issueRequest(true);
      }
    });
  });

  // A new onboarding's page may have become the onboarding's own since htmx read the
  // address: its saves go there, never to create another.
  document.addEventListener("htmx:configRequest", function (event) {
    var detail = event.detail || {};
    var form = sectionForm();
    if (form && detail.verb === "post" && inSection(detail.elt)) {
      detail.path = form.getAttribute("action");
    }
  });

  document.addEventListener("htmx:beforeRequest", function (event) {
    var detail = event.detail || {};
    var form = sectionForm();
    var config = detail.requestConfig || {};
    if (!form || config.verb !== "post" || !inSection(detail.elt) || !detail.xhr) {
      return;
    }
    clearTimeout(pause);
    var action = config.formData ? String(config.formData.get("action") || "") : "";
    htmxSaves.set(detail.xhr, {
      typed: typed(form),
      fields: fieldsOf(form),
      // Rows added or removed move the fields: nothing typed meanwhile is put back by name.
      rows: /^(add|remove|undo):/.test(action),
      next: action === "next",
      open: true,
    });
    htmxUnderWay += 1;
  });

  document.addEventListener("htmx:beforeSwap", function (event) {
    var record = htmxSave(event);
    var form = sectionForm();
    if (record && form && !record.rows) {
      record.meanwhile = typedMeanwhile(record.fields, fieldsOf(form));
    }
  });

  // Before htmx acts on the answer, which may be to go to the next section.
  document.addEventListener("htmx:beforeOnLoad", function (event) {
    var record = htmxSave(event);
    if (!record) {
      return;
    }
    if (event.detail.xhr.status >= 200 && event.detail.xhr.status < 300) {
      baseline = record.typed;
      failed = false;
    } else {
      failed = true;
    }
    htmxSettled(record);
  });

  document.addEventListener("htmx:afterRequest", function (event) {
    var record = htmxSave(event);
    if (!record) {
      return;
    }
    if (record.open) {
      failed = true; // no answer: the connection failed
      showProblem("data-offline");
    }
    htmxSettled(record);
    var form = sectionForm();
    if (form && !failed) {
      baseline = typed(form); // the section as the server drew it after the save
    }
    if (form && record.meanwhile && Object.keys(record.meanwhile).length) {
      putBack(form, record.meanwhile);
      save();
    }
    var stopped = record.next ? document.querySelector("#to-fix[role=alert]") : null;
    if (stopped) {
      stopped.focus(); // "Save and continue" stayed: what to fix is at the top
    }
  });

  function start() {
    var form = sectionForm();
    baseline = form ? typed(form) : null;
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
