// Draws the dashboard's daily CTR charts with uPlot, from the JSON block the page carries.
// Text reaches the page only through uPlot's labels (textContent), never as HTML.
(function drawCharts() {
  const block = document.getElementById('precis-daily');
  if (!block || typeof uPlot === 'undefined') return;
  const series = JSON.parse(block.textContent || '[]');
  const percent = (u, values) => values.map((v) => (v == null ? '' : `${(v * 100).toFixed(1)}%`));
  for (const element of document.querySelectorAll('.chart[data-series]')) {
    const entry = series[Number(element.getAttribute('data-series'))];
    if (!entry) continue;
    const seconds = entry.days.map((day) => day * 86400);
    // eslint-disable-next-line no-new
    new uPlot({
      width: 420, height: 200, legend: { live: false },
      series: [{}, { label: 'personalized', stroke: '#2563eb', width: 2, spanGaps: true },
        { label: 'control', stroke: '#ea580c', width: 2, spanGaps: true }],
      axes: [{}, { values: percent, size: 64 }],
      scales: { x: { time: true } },
    }, [seconds, entry.personalized, entry.control], element);
  }
  document.body.setAttribute('data-charts', String(document.querySelectorAll('.uplot').length));
})();
