// The admin home's chart (Chart.js): roster gaps per day ahead; the same figures are in its label and list.
(function () {
  "use strict";
  var source = document.getElementById("gaps-data");
  if (!source || typeof Chart === "undefined") return;
  var data = JSON.parse(source.textContent);
  new Chart(document.getElementById("gaps-chart"), {
    type: "bar",
    data: { labels: data.days, datasets: [{ label: data.label, data: data.gaps, backgroundColor: "#b3261e" }] },
    options: { responsive: true, maintainAspectRatio: false, animation: false,
               scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } }
  });
})();
