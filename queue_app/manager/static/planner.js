/* The staffing planner: a Chart.js chart of recommended vs planned counters per hour, following the
   planned counts as the manager types them; a row whose plan falls short of the recommendation is
   marked (class "short") as soon as it does. The table is the chart's text alternative. */
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("planner-data").textContent);
  const canvas = document.getElementById("plan-chart");
  const rows = Array.from(document.querySelectorAll("#plan-table tbody tr"));

  function plannedOf(row) {
    const input = row.querySelector("input[type=number]");
    const value = input.value.trim();
    return /^\d+$/.test(value) ? Number(value) : null;
  }

  // The inputs hold what the manager typed (also after a refused save): they are the plan shown.
  data.planned = rows.map(plannedOf);

  let chart = null;
  if (canvas && window.Chart) {
    const reduced = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    chart = new window.Chart(canvas, {
      data: {
        labels: data.labels,
        datasets: [
          { type: "bar", label: data.texts.recommended, data: data.recommended,
            backgroundColor: "rgba(11, 92, 173, 0.55)", borderColor: "#0b5cad", borderWidth: 1 },
          { type: "line", label: data.texts.planned, data: data.planned, spanGaps: false,
            borderColor: "#a4161a", backgroundColor: "#a4161a", pointRadius: 4, pointStyle: "rectRot",
            borderWidth: 3 },
        ],
      },
      options: {
        animation: reduced ? false : undefined,
        maintainAspectRatio: false,
        scales: {
          x: { title: { display: true, text: data.texts.hour } },
          y: { beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: data.texts.counters } },
        },
      },
    });
  }

  function follow(row, index) {
    const planned = plannedOf(row);
    const short = planned !== null && planned < Number(row.dataset.recommended);
    row.classList.toggle("short", short);
    if (chart) {
      chart.data.datasets[1].data[index] = planned;
      chart.update();
    }
  }

  rows.forEach(function (row, index) {
    const input = row.querySelector("input[type=number]");
    if (input) input.addEventListener("input", function () { follow(row, index); });
    row.classList.toggle("short", plannedOf(row) !== null && plannedOf(row) < Number(row.dataset.recommended));
  });
})();
