// The report's two charts (Chart.js); the same figures are in the tables below them.
(function () {
  "use strict";
  var source = document.getElementById("report-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  var hours = data.hours.map(function (h) { return (h < 10 ? "0" : "") + h + ":00"; });
  var common = { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true } } };
  new Chart(document.getElementById("hours-chart"), {
    type: "bar",
    data: { labels: hours, datasets: [
      { label: data.labels.arrivals, data: data.arrivals, backgroundColor: "#1f5fa8" },
      { label: data.labels.served, data: data.served, backgroundColor: "#2e7d32" }
    ] },
    options: Object.assign({}, common, { scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } })
  });
  new Chart(document.getElementById("waits-chart"), {
    type: "line",
    data: { labels: hours, datasets: [
      { label: data.labels.wait, data: data.waits, borderColor: "#1f5fa8", backgroundColor: "#1f5fa8", spanGaps: true }
    ] },
    options: common
  });
})();
