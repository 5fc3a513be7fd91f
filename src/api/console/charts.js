// Charts through Debian's Chart.js (the global `Chart`, loaded by index.html
// from /console/chart.js before the modules run).

const COLORS = ['#1f5fbf', '#d9480f', '#2b8a3e', '#7048e8', '#c2255c', '#0b7285'];

function create(canvas, config) {
  Chart.getChart(canvas)?.destroy();
  config.options = {
    animation: false,
    responsive: true,
    maintainAspectRatio: false,
    ...config.options,
  };
  return new Chart(canvas, config);
}

export function barChart(canvas, labels, values, label) {
  return create(canvas, {
    type: 'bar',
    data: { labels, datasets: [{ label, data: values, backgroundColor: COLORS[0] }] },
    options: {
      plugins: { legend: { display: false } },
      scales: { x: { ticks: { maxRotation: 60, autoSkip: true } }, y: { beginAtZero: true } },
    },
  });
}

// An empty line chart whose series appear as addPoint names them.
export function lineChart(canvas, yTitle) {
  return create(canvas, {
    type: 'line',
    data: { labels: [], datasets: [] },
    options: {
      scales: { x: { title: { display: true, text: 'epoch' } }, y: { title: { display: true, text: yTitle } } },
    },
  });
}

// Sets series `name` at x label `x` (adding the label and series as needed).
export function addPoint(chart, x, name, y) {
  let index = chart.data.labels.indexOf(x);
  if (index < 0) {
    chart.data.labels.push(x);
    index = chart.data.labels.length - 1;
  }
  let series = chart.data.datasets.find((dataset) => dataset.label === name);
  if (!series) {
    const color = COLORS[chart.data.datasets.length % COLORS.length];
    series = { label: name, data: [], borderColor: color, backgroundColor: color, borderDash: name.startsWith('val_') ? [6, 3] : [] };
    chart.data.datasets.push(series);
  }
  series.data[index] = y;
}

// Equal-width bins over [min, max]: {labels, counts}. Integer columns with
// few values get one bin per integer.
export function histogram(values, min, max, integer) {
  const span = max - min;
  const bins = integer && span < 30 ? span + 1 : Math.min(20, Math.max(1, Math.ceil(Math.sqrt(values.length))));
  const width = span === 0 ? 1 : (integer && span < 30 ? 1 : span / bins);
  const counts = new Array(bins).fill(0);
  for (const value of values) {
    const bin = Math.max(0, Math.min(bins - 1, Math.floor((value - min) / width)));
    counts[bin] += 1;
  }
  const round = (x) => (integer ? String(Math.round(x)) : x.toPrecision(3));
  const labels = counts.map((_, bin) => (integer && span < 30 ? round(min + bin)
    : `${round(min + bin * width)}–${round(min + (bin + 1) * width)}`));
  return { labels, counts };
}
