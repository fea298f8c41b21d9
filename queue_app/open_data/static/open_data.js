// The open-data chart: average wait per day, one line per centre (the tables hold the same figures).
(function () {
  "use strict";
  var source = document.getElementById("open-data-chart");
  if (!source || typeof Chart === "undefined") return;
  var chart = JSON.parse(source.textContent);
  var palette = ["#1f5fa8", "#2e7d32", "#b3261e", "#6a3d9a", "#8a5a00"];
  new Chart(document.getElementById("waits"), {
    type: "line",
    data: {
      labels: chart.days,
      datasets: chart.series.map(function (s, i) {
        var colour = palette[i % palette.length];
        return { label: s.label, borderColor: colour, backgroundColor: colour, spanGaps: true,
                 data: chart.days.map(function (d) { return s.values[d] === undefined ? null : s.values[d]; }) };
      })
    },
    options: { responsive: true, maintainAspectRatio: false, animation: false, scales: { y: { beginAtZero: true } } }
  });
})();
