// The metrics page's charts (Chart.js from npm, served from our static files). The numbers come from the
// page's json_script block "metrics-data"; the tables beside each chart show the same numbers, so the page
// works without JavaScript. No inline script: the Content-Security-Policy allows only our own files.
(function () {
  "use strict";
  const source = document.getElementById("metrics-data");
  if (!source || typeof window.Chart === "undefined") {
    return;
  }
  const data = JSON.parse(source.textContent);
  const palette = ["#15803d", "#b45309", "#c2410c", "#b91c1c", "#64748b"];

  function draw(id, config) {
    const canvas = document.getElementById(id);
    if (canvas) {
      config.options = Object.assign({ responsive: true, aspectRatio: 2.5, animation: false }, config.options || {});
      new window.Chart(canvas, config);
    }
  }

  draw("chart-rates", {
    type: "bar",
    data: {
      labels: data.rates.labels,
      datasets: [
        { label: "Value %", data: data.rates.values, backgroundColor: "#2563eb" },
        { label: "Target %", data: data.rates.targets, backgroundColor: "#94a3b8" },
      ],
    },
    options: { scales: { y: { beginAtZero: true, suggestedMax: 100 } } },
  });

  draw("chart-lead-time", {
    type: "bar",
    data: {
      labels: data.lead_time.labels,
      datasets: [
        { label: "Lead time (h)", data: data.lead_time.lead, backgroundColor: "#2563eb" },
        { label: "Review completion (h)", data: data.lead_time.review, backgroundColor: "#7c3aed" },
        { label: "Time to recover (min)", data: data.lead_time.mttr, backgroundColor: "#c2410c" },
      ],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });

  draw("chart-volume", {
    type: "bar",
    data: {
      labels: data.volume.types,
      datasets: data.volume.risks.map((risk, index) => ({
        label: risk.label, data: risk.values, backgroundColor: palette[index % palette.length],
      })),
    },
    options: { scales: { x: { stacked: true }, y: { stacked: true, beginAtZero: true } } },
  });

  draw("chart-calibration", {
    type: "bar",
    data: {
      labels: data.calibration.labels,
      datasets: [
        { label: "Failed or rolled back %", data: data.calibration.failure, backgroundColor: "#b91c1c" },
        { label: "Tolerated %", data: data.calibration.tolerated, type: "line", borderColor: "#64748b",
          backgroundColor: "#64748b" },
      ],
    },
    options: { scales: { y: { beginAtZero: true } } },
  });

  draw("chart-scores", {
    type: "bar",
    data: {
      labels: data.scores.labels,
      datasets: [
        { label: "Success score %", data: data.scores.values, backgroundColor: "#15803d" },
        { label: "Target %", data: data.scores.labels.map(() => data.scores.target), type: "line",
          borderColor: "#64748b", backgroundColor: "#64748b" },
      ],
    },
    options: { scales: { y: { beginAtZero: true, suggestedMax: 100 } } },
  });
})();
