// The datasets page: upload with a progress bar, the list, and a dataset's
// profile — a histogram per numeric column (from its rows, at most
// PROFILE_ROWS of them) and the top categories of each categorical one.

import { call, path, uploadDataset } from './api.js';
import { barChart, histogram } from './charts.js';
import { byId, el, formatBytes, formatNumber, guarded, hideError, replace, showError, stats, table } from './ui.js';

const PROFILE_ROWS = 10000;

function nameFromFile(fileName) {
  const base = fileName.replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 64);
  return base || 'dataset';
}

function formatOf(fileName) {
  if (/\.csv$/i.test(fileName)) return 'csv';
  if (/\.(jsonl|ndjson|json)$/i.test(fileName)) return 'jsonl';
  return null;
}

async function upload(event) {
  event.preventDefault();
  const file = byId('upload-file').files[0];
  const progress = byId('upload-progress');
  const status = byId('upload-status');
  const error = byId('upload-error');
  hideError(error);
  if (!file) return;
  const query = { name: byId('upload-name').value, on_error: byId('upload-on-error').value };
  const format = formatOf(file.name);
  if (format) query.format = format;
  progress.value = 0;
  status.textContent = `Uploading ${file.name} (${formatBytes(file.size)})…`;
  const started = performance.now();
  try {
    const dataset = await uploadDataset(file, query, (loaded, total) => {
      progress.value = (100 * loaded) / total;
      const seconds = (performance.now() - started) / 1000;
      status.textContent = `${formatBytes(loaded)} of ${formatBytes(total)}` +
        (seconds > 0 ? ` at ${formatBytes(loaded / seconds)}/s` : '');
    });
    progress.value = 100;
    status.textContent = `Uploaded ${dataset.name}: ${formatNumber(dataset.rows)} rows (${dataset.id}).`;
    await listDatasets();
    showProfile(dataset);
  } catch (failure) {
    status.textContent = '';
    showError(error, failure);
  }
}

async function listDatasets() {
  await guarded(byId('datasets-error'), async () => {
    const { datasets } = await call('GET', '/v1/datasets');
    const rows = datasets.map((dataset) => [
      el('button', { type: 'button', class: 'secondary', 'aria-label': `Profile of ${dataset.name} (${dataset.id})`,
        onclick: () => openProfile(dataset.id) }, dataset.name),
      el('code', {}, dataset.id), dataset.rows, formatBytes(dataset.bytes), dataset.lineage?.source ?? '', dataset.created_at]);
    replace(byId('datasets-list'), datasets.length === 0 ? el('p', { class: 'hint' }, 'No datasets yet.')
      : table(['Name', 'Id', 'Rows', 'Size', 'Source', 'Created'], rows));
  });
}

async function openProfile(id) {
  await guarded(byId('datasets-error'), async () => showProfile(await call('GET', path('/v1/datasets/{}', id))));
}

async function showProfile(dataset) {
  const target = byId('dataset-profile');
  const profile = dataset.profile;
  if (!profile) {
    replace(target, el('p', { class: 'hint' }, 'This dataset has no profile.'));
    return;
  }
  const numeric = profile.columns.filter((column) => column.type === 'int64' || column.type === 'float64');
  let rows = [];
  if (numeric.length > 0 && dataset.rows > 0) {
    const limit = Math.min(dataset.rows, PROFILE_ROWS);
    rows = (await call('GET', path('/v1/datasets/{}/rows', dataset.id) + `?offset=0&limit=${limit}`)).rows;
  }
  const note = dataset.rows > rows.length && rows.length > 0
    ? `Histograms of the first ${formatNumber(rows.length)} of ${formatNumber(dataset.rows)} rows.` : null;
  const cards = profile.columns.map((column) => columnCard(column, rows));
  replace(target, el('h3', { id: 'profile-title' }, `Profile of ${dataset.name}`),
    el('p', { class: 'hint' }, `${formatNumber(profile.num_rows)} rows, ${profile.columns.length} columns, id ${dataset.id}. `, note),
    el('div', { class: 'profile' }, cards.map((card) => card.figure)));
  for (const card of cards) card.draw?.();
}

// A figure for one column: its statistics, and a chart drawn once attached.
function columnCard(column, rows) {
  const pairs = [['type', column.type], ['count', column.count], ['missing', column.missing_count],
    ['distinct', column.distinct_count + (column.distinct_approximate ? ' (approx.)' : '')]];
  if (column.mean !== undefined) {
    pairs.push(['min', column.min], ['mean', column.mean], ['max', column.max], ['std', column.std_sample]);
  }
  if (column.true_count !== undefined) pairs.push(['true', column.true_count]);
  const canvas = el('canvas', { 'aria-label': `Distribution of ${column.name}`, role: 'img' });
  const figure = el('figure', { class: 'column', 'data-column': column.name },
    el('figcaption', {}, column.name), stats(pairs), el('div', { class: 'chart' }, canvas));
  let draw = null;
  if (column.mean !== undefined && column.min !== null && column.max !== null) {
    const values = rows.map((row) => row[column.name]).filter((value) => typeof value === 'number');
    const { labels, counts } = histogram(values, column.min, column.max, column.type === 'int64');
    draw = () => barChart(canvas, labels, counts, 'rows');
  } else if (column.top_categories) {
    const top = column.top_categories;
    draw = () => barChart(canvas, top.map((entry) => entry.value), top.map((entry) => entry.count), 'rows');
  } else if (column.true_count !== undefined) {
    // count is of present values.
    draw = () => barChart(canvas, ['false', 'true'], [column.count - column.true_count, column.true_count], 'rows');
  }
  if (!draw) canvas.parentElement.hidden = true;
  return { figure, draw };
}

export const datasetsPage = {
  init() {
    byId('upload-form').addEventListener('submit', upload);
    byId('upload-file').addEventListener('change', (event) => {
      const file = event.target.files[0];
      if (file) byId('upload-name').value = nameFromFile(file.name);
    });
  },
  show() { return listDatasets(); },
};
