// The centre page's month calendar: one tab stop, the arrow keys move between days (mirrored right to left).
(function () {
  "use strict";
  const links = Array.from(document.querySelectorAll("table.calendar a[data-day]"));
  if (!links.length) return;
  const current = links.find((a) => a.hasAttribute("aria-current")) || links[0];
  links.forEach((a) => { a.tabIndex = a === current ? 0 : -1; });
  const rtl = document.documentElement.dir === "rtl";
  const steps = {ArrowLeft: rtl ? 1 : -1, ArrowRight: rtl ? -1 : 1, ArrowUp: -7, ArrowDown: 7};
  document.querySelector("table.calendar").addEventListener("keydown", (event) => {
    const at = links.indexOf(event.target);
    if (at < 0) return;
    let to = null;
    if (event.key in steps) to = at + steps[event.key];
    else if (event.key === "Home") to = 0;
    else if (event.key === "End") to = links.length - 1;
    if (to === null) return;
    event.preventDefault();
    const next = links[Math.max(0, Math.min(links.length - 1, to))];
    event.target.tabIndex = -1;
    next.tabIndex = 0;
    next.focus();
  });
})();
