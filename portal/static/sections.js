/* The person page's section bar (loaded with defer, no inline code: CSP): the link of the section being read
   is marked (aria-current="location"), as the page scrolls, after a jump and after a section loads. */
(function () {
  "use strict";
  var nav = document.querySelector(".section-nav");
  if (!nav) { return; }
  var links = Array.prototype.slice.call(nav.querySelectorAll("a[href^='#']"));
  var pending = false;

  function current() {
    var line = nav.getBoundingClientRect().bottom + 32, found = links[0];
    var atEnd = window.innerHeight + window.scrollY >= document.documentElement.scrollHeight - 2;
    links.forEach(function (link) {
      var section = document.getElementById(link.getAttribute("href").slice(1));
      if (section && section.getBoundingClientRect().top <= line) { found = link; }
    });
    if (!atEnd || window.scrollY === 0) { return found; }
    var jumped = links.filter(function (link) { return link.getAttribute("href") === window.location.hash; })[0];
    var target = jumped && document.getElementById(jumped.getAttribute("href").slice(1));
    var top = target && target.getBoundingClientRect().top;
    return target && top >= 0 && top < window.innerHeight ? jumped : links[links.length - 1];  /* the end: what was asked */
  }

  function mark() {
    pending = false;
    var link = current();
    links.forEach(function (a) {
      if (a === link) { a.setAttribute("aria-current", "location"); } else { a.removeAttribute("aria-current"); }
    });
    if (link.offsetLeft < nav.scrollLeft || link.offsetLeft + link.offsetWidth > nav.scrollLeft + nav.clientWidth) {
      nav.scrollLeft = link.offsetLeft - 16;  /* a bar that scrolls sideways keeps the marked link in view */
    }
  }

  function later() {
    if (!pending) { pending = true; window.requestAnimationFrame(mark); }
  }

  /* A jump to a section below sections still loading, by the bar or by the page's address (#counselling, or a
     place inside a section such as #counselling-entries): each section that loads above it changes the heights,
     so what was asked for is put back in view until those have loaded, it has loaded itself, or the reader
     does something else. A place inside a section not loaded yet is held by its section until it comes. */
  var jumped = null;
  function loadingAbove(target) {
    return Array.prototype.some.call(document.querySelectorAll(".section-slot"), function (slot) {
      return slot !== target && (slot.compareDocumentPosition(target) & Node.DOCUMENT_POSITION_FOLLOWING);
    });
  }
  function held(id) {
    var target = document.getElementById(id);
    if (target) { return target; }
    var section = links.filter(function (link) { return id.indexOf(link.getAttribute("href").slice(1) + "-") === 0; })[0];
    return section && document.getElementById(section.getAttribute("href").slice(1));
  }
  function waiting(target) {
    return target.classList.contains("section-slot") || loadingAbove(target);
  }
  links.forEach(function (link) {
    link.addEventListener("click", function () {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      jumped = target && loadingAbove(target) ? target.id : null;
    });
  });
  function stay() {
    var target = jumped && held(jumped);
    if (!target) { return; }
    target.scrollIntoView();
    if (!waiting(target)) { jumped = null; }
  }
  var asked = window.location.hash.slice(1);  /* the page opened at a section's address */
  if (asked && held(asked) && waiting(held(asked))) { jumped = asked; stay(); }
  function forget(event) {
    if (!nav.contains(event.target)) { jumped = null; }
  }
  ["wheel", "touchstart", "keydown", "mousedown"].forEach(function (type) {
    document.addEventListener(type, forget, {passive: true, capture: true});
  });
  document.body.addEventListener("htmx:afterSettle", stay);

  window.addEventListener("scroll", later, {passive: true});
  window.addEventListener("resize", later);
  window.addEventListener("hashchange", later);
  document.body.addEventListener("htmx:afterSettle", later);
  mark();
}());
