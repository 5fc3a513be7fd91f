// The training page: a job from a form (dataset, target, pipeline steps,
// layers, optimizer) → POST /v1/training-jobs, then live loss and metric
// charts fed by the job's event stream, and the recent jobs.

import { call, path, streamEvents } from './api.js';
import { addPoint, lineChart } from './charts.js';
import { byId, el, fillSelect, guarded, hideError, replace, showError, stats, table } from './ui.js';

const ACTIVATIONS = ['relu', 'tanh', 'sigmoid', 'elu', 'gelu', 'leaky_relu', 'linear'];
const OUTPUT = {
  binary_crossentropy: { activation: 'sigmoid', metrics: ['accuracy'] },
  sparse_categorical_crossentropy: { activation: 'softmax', metrics: ['accuracy'] },
  mean_squared_error: { activation: 'linear', metrics: ['mae'] },
};

let datasets = [];
let watching = null;  // the AbortController of the stream being read

let layersAdded = 0;  // numbers the controls' ids, never reused

function addLayer(units = 12, activation = 'relu') {
  const list = byId('layers');
  layersAdded += 1;
  const unitsId = `layer-units-${layersAdded}`;
  const activationId = `layer-activation-${layersAdded}`;
  const item = el('li', {},
    el('label', { for: unitsId, class: 'inline' }, 'units'),
    el('input', { id: unitsId, type: 'number', min: 1, max: 4096, step: 1, value: units, required: true, class: 'layer-units' }),
    el('label', { for: activationId, class: 'inline' }, 'activation'),
    el('select', { id: activationId, class: 'layer-activation' }, ACTIVATIONS.map((name) =>
      el('option', { value: name, selected: name === activation }, name))),
    el('button', { type: 'button', class: 'secondary', 'aria-label': 'Remove this layer', onclick: () => item.remove() }, 'Remove'));
  list.append(item);
}

function selectedDataset() { return datasets.find((dataset) => dataset.id === byId('job-dataset').value); }

// Targets: every column; the loss follows the chosen target's kind.
async function datasetChanged() {
  const dataset = selectedDataset();
  const columns = dataset?.schema ?? [];
  fillSelect(byId('job-target'), columns.map((column) => [column.name, `${column.name} (${column.type})`]),
    columns.length > 0 ? columns[columns.length - 1].name : undefined);
  if (dataset && !byId('job-model').dataset.edited) byId('job-model').value = dataset.name;
  await targetChanged();
}

async function targetChanged() {
  const dataset = selectedDataset();
  const name = byId('job-target').value;
  if (!dataset || !name) return;
  const full = await call('GET', path('/v1/datasets/{}', dataset.id));
  const column = full.profile?.columns.find((entry) => entry.name === name);
  if (!column) return;
  const classes = column.type === 'bool' || column.type === 'categorical' ||
    (column.type === 'int64' && column.distinct_count <= 10 && column.min >= 0);
  byId('job-loss').value = !classes ? 'mean_squared_error'
    : column.distinct_count === 2 ? 'binary_crossentropy' : 'sparse_categorical_crossentropy';
  byId('job-loss').dataset.classes = String(column.distinct_count);
}

function pipelineSteps() {
  const steps = [];
  if (byId('step-impute').checked) steps.push({ op: 'impute', columns: 'numeric', strategy: byId('step-impute-strategy').value });
  if (byId('step-clip').checked) steps.push({ op: 'clip_outliers', columns: 'numeric', method: 'iqr' });
  const scale = byId('step-scale').value;
  if (scale) steps.push({ op: scale, columns: 'numeric' });
  const hasCategorical = (selectedDataset()?.schema ?? []).some((column) =>
    column.type === 'categorical' && column.name !== byId('job-target').value);
  if (byId('step-one-hot').checked && hasCategorical) steps.push({ op: 'one_hot', columns: 'categorical', unknown: 'ignore' });
  return steps;
}

function jobRequest() {
  const loss = byId('job-loss').value;
  const output = OUTPUT[loss];
  const units = loss === 'sparse_categorical_crossentropy' ? Number(byId('job-loss').dataset.classes || 2) : 1;
  const layers = [...byId('layers').children].map((item) => ({
    class_name: 'Dense',
    config: { units: Number(item.querySelector('.layer-units').value), activation: item.querySelector('.layer-activation').value },
  }));
  layers.push({ class_name: 'Dense', config: { units, activation: output.activation } });
  return {
    dataset: byId('job-dataset').value,
    target: byId('job-target').value,
    register_as: byId('job-model').value,
    pipeline: { steps: pipelineSteps() },
    model: { class_name: 'Sequential', config: { layers } },
    compile: {
      loss,
      optimizer: { class_name: byId('job-optimizer').value, config: { learning_rate: Number(byId('job-learning-rate').value) } },
      metrics: output.metrics,
    },
    fit: {
      epochs: Number(byId('job-epochs').value),
      batch_size: Number(byId('job-batch-size').value),
      validation_split: Number(byId('job-validation').value),
    },
  };
}

async function submit(event) {
  event.preventDefault();
  const error = byId('job-error');
  hideError(error);
  try {
    const job = await call('POST', '/v1/training-jobs', jobRequest());
    watch(job.id);
    listJobs();
  } catch (failure) {
    showError(error, failure);
  }
}

// Reads the job's event stream into the charts until it ends.
async function watch(id) {
  watching?.abort();
  const controller = new AbortController();
  watching = controller;
  byId('job-watch').hidden = false;
  byId('job-title').textContent = `Job ${id}`;
  replace(byId('job-result'));
  hideError(byId('watch-error'));
  const lossChart = lineChart(byId('loss-chart'), 'loss');
  const metricChart = lineChart(byId('metric-chart'), 'value');
  const progress = byId('job-progress');
  let epochEvents = 0;
  let finalJob = null;
  const onEvent = (type, data) => {
    if (type === 'state' || type === 'end') {
      byId('job-state').textContent = `State: ${data.state}` + (data.error ? ` — ${data.error}` : '');
      // The first state carries the epochs that ended before the stream
      // opened; plotted first, they keep the chart in epoch order.
      if (type === 'state') for (const entry of data.history ?? []) plotEpoch(lossChart, metricChart, entry);
      if (type === 'end') finalJob = data;
    } else if (type === 'progress') {
      progress.max = data.batches;
      progress.value = data.batch;
      byId('job-state').textContent = `Epoch ${data.epoch + 1} of ${data.epochs}, batch ${data.batch} of ${data.batches}`;
    } else if (type === 'epoch') {
      epochEvents += 1;
      byId('loss-chart').dataset.epochEvents = String(epochEvents);
      plotEpoch(lossChart, metricChart, data);
    }
  };
  try {
    await streamEvents(path('/v1/training-jobs/{}/events', id), onEvent, controller.signal);
    if (controller.signal.aborted || !finalJob) return;
    const job = await call('GET', path('/v1/training-jobs/{}', id));
    // The final history, once more: plotting an epoch again sets the same
    // points, and fills any the stream did not carry.
    for (const entry of job.history ?? []) plotEpoch(lossChart, metricChart, entry);
    showResult(job);
    listJobs();
  } catch (failure) {
    showError(byId('watch-error'), failure);
  }
}

function plotEpoch(lossChart, metricChart, entry) {
  const x = String(entry.epoch + 1);
  for (const [name, value] of Object.entries(entry.values)) {
    addPoint(/(^|_)loss$/.test(name) ? lossChart : metricChart, x, name, value);
  }
  lossChart.update();
  metricChart.update();
}

function showResult(job) {
  const pairs = [['state', job.state]];
  for (const [name, value] of Object.entries(job.validation ?? {})) pairs.push([`validation ${name}`, value]);
  for (const [name, value] of Object.entries(job.test ?? {})) pairs.push([`test ${name}`, value]);
  if (job.samples_per_second) pairs.push(['samples/s', job.samples_per_second]);
  const model = job.model
    ? el('p', {}, 'Registered ', el('a', { href: `#models/${encodeURIComponent(job.model.name)}`, id: 'job-model-link' },
      `${job.model.name} version ${job.model.version}`), '.') : null;
  replace(byId('job-result'), stats(pairs), model, job.error ? el('p', { class: 'error' }, job.error) : null);
}

async function listJobs() {
  await guarded(byId('jobs-error'), async () => {
    const jobs = (await call('GET', '/v1/training-jobs')).training_jobs
      .sort((a, b) => b.created_at.localeCompare(a.created_at) || b.id.localeCompare(a.id)).slice(0, 10);
    replace(byId('jobs-list'), jobs.length === 0 ? el('p', { class: 'hint' }, 'No jobs yet.')
      : table(['Job', 'State', 'Dataset', 'Model', 'Created', ''], jobs.map((job) => [
        el('code', {}, job.id), job.state, job.spec?.dataset ?? job.dataset_id,
        job.model ? `${job.model.name} v${job.model.version}` : (job.spec?.register_as ?? ''), job.created_at,
        el('button', { type: 'button', class: 'secondary', 'aria-label': `Watch job ${job.id}`, onclick: () => watch(job.id) }, 'Watch')])));
  });
}

export const trainingPage = {
  init() {
    byId('job-form').addEventListener('submit', submit);
    byId('add-layer').addEventListener('click', () => addLayer(8, 'relu'));
    byId('job-dataset').addEventListener('change', () => guarded(byId('job-error'), datasetChanged));
    byId('job-target').addEventListener('change', () => guarded(byId('job-error'), targetChanged));
    byId('job-model').addEventListener('input', (event) => { event.target.dataset.edited = '1'; });
    addLayer(12, 'relu');
    addLayer(8, 'relu');
  },
  async show() {
    await guarded(byId('job-error'), async () => {
      datasets = (await call('GET', '/v1/datasets')).datasets;
      fillSelect(byId('job-dataset'), datasets.map((dataset) => [dataset.id, `${dataset.name} (${dataset.id})`]));
      await datasetChanged();
    });
    await listJobs();
  },
};
