// The document viewer of the KYC review: page-through, zoom and rotate, by buttons and keys.
// - Each [data-viewer] shows one page's preview; its page links (one per page) are the list
//   of pages, so without JavaScript the links open each page as a plain image.
// - Zoom and rotation are CSS classes on the frame (zoom-1..4, rotate-90/180/270): no inline
//   style, which the strict CSP would refuse.
// - The frame takes the focus; Left/Right (and PageUp/PageDown) turn pages, + and - zoom,
//   R rotates.
(function () {
  "use strict";

  var ZOOMS = 4;

  function setUp(viewer) {
    var tools = viewer.querySelector("[data-viewer-tools]");
    var frame = viewer.querySelector("[data-viewer-frame]");
    var image = viewer.querySelector("[data-viewer-image]");
    if (!tools || !frame || !image) return;
    var status = viewer.querySelector("[data-viewer-status]");
    var links = Array.prototype.slice.call(viewer.querySelectorAll("[data-viewer-pages] a"));
    // Each page's preview, and its thumbnail, shown until the officer zooms in (or on a
    // high-density screen, where the thumbnail would look soft).
    var previews = links.length
      ? links.map(function (a) { return a.href; })
      : [image.getAttribute("data-preview") || image.src];
    var thumbnails = links.length
      ? links.map(function (a) { return a.getAttribute("data-thumbnail") || a.href; })
      : [image.getAttribute("src")];
    var sharp = window.devicePixelRatio > 1.5;
    var page = 0;
    var zoom = 1;
    var turn = 0;

    function show() {
      var source = (zoom > 1 || sharp ? previews : thumbnails)[page];
      if (image.getAttribute("src") !== source) image.src = source;
      var alt = image.getAttribute("data-alt-template");
      if (alt) image.alt = alt.replace("%(page)s", String(page + 1));
      var template = frame.getAttribute("data-status-template");
      if (status && template) {
        status.textContent = template
          .replace("%(page)s", String(page + 1))
          .replace("%(pages)s", String(previews.length));
      }
      for (var z = 1; z <= ZOOMS; z++) frame.classList.toggle("zoom-" + z, z === zoom);
      [90, 180, 270].forEach(function (deg) {
        frame.classList.toggle("rotate-" + deg, deg === turn);
      });
      var previous = tools.querySelector('[data-viewer-action="previous"]');
      var next = tools.querySelector('[data-viewer-action="next"]');
      if (previous) previous.disabled = page === 0;
      if (next) next.disabled = page === previews.length - 1;
      links.forEach(function (a, i) {
        if (i === page) a.setAttribute("aria-current", "page");
        else a.removeAttribute("aria-current");
      });
    }

    function act(action) {
      if (action === "previous" && page > 0) page -= 1;
      else if (action === "next" && page < previews.length - 1) page += 1;
      else if (action === "zoom-in" && zoom < ZOOMS) zoom += 1;
      else if (action === "zoom-out" && zoom > 1) zoom -= 1;
      else if (action === "rotate") turn = (turn + 90) % 360;
      else return false;
      show();
      return true;
    }

    // From here the script picks the image; the browser's own choice served pages without it.
    image.removeAttribute("srcset");
    tools.hidden = false;
    frame.tabIndex = 0;
    frame.setAttribute("role", "group");
    tools.addEventListener("click", function (event) {
      var button = event.target.closest("[data-viewer-action]");
      if (button) act(button.getAttribute("data-viewer-action"));
    });
    links.forEach(function (a, i) {
      a.addEventListener("click", function (event) {
        event.preventDefault();
        page = i;
        show();
      });
    });
    var KEYS = {
      ArrowLeft: "previous",
      PageUp: "previous",
      ArrowRight: "next",
      PageDown: "next",
      "+": "zoom-in",
      "=": "zoom-in",
      "-": "zoom-out",
      r: "rotate",
      R: "rotate",
    };
    frame.addEventListener("keydown", function (event) {
      if (event.altKey || event.ctrlKey || event.metaKey) return;
      var action = KEYS[event.key];
      if (action && act(action)) event.preventDefault();
    });
    show();
  }

  function setUpAll(root) {
    var viewers = root.querySelectorAll("[data-viewer]");
    for (var i = 0; i < viewers.length; i++) setUp(viewers[i]);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  } else {
    setUpAll(document);
  }
})();
