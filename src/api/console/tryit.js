// The try-it page: a form built from a model version's inputs (its KServe v2
// metadata: one tensor per raw column, with its datatype) → one prediction
// through POST /v1/models/{name}[/versions/{v}]:predict.

import { call, path } from './api.js';
import { byId, el, fillSelect, guarded, replace, stats } from './ui.js';

let inputs = [];  // [{name, datatype}] of the chosen model version

function field(input, index) {
  const id = `try-field-${index}`;
  const label = el('label', { for: id }, `${input.name} `, el('span', { class: 'hint' }, input.datatype));
  let control;
  if (input.datatype === 'BOOL') {
    control = el('select', { id, name: input.name },
      el('option', { value: '' }, '(missing)'), el('option', { value: 'true' }, 'true'), el('option', { value: 'false' }, 'false'));
  } else if (input.datatype === 'BYTES') {
    control = el('input', { id, name: input.name, type: 'text' });
  } else {
    control = el('input', { id, name: input.name, type: 'number', step: input.datatype === 'INT64' ? 1 : 'any' });
  }
  return el('div', {}, label, control);
}

function version() { return byId('try-version').value; }

async function loadInputs() {
  const name = byId('try-model').value;
  replace(byId('try-fields'));
  replace(byId('try-result'));
  if (!name) return;
  const metadata = await call('GET', version()
    ? path('/v2/models/{}/versions/{}', name, version()) : path('/v2/models/{}', name));
  inputs = metadata.inputs;
  replace(byId('try-fields'), inputs.map(field));
}

async function loadVersions() {
  const name = byId('try-model').value;
  if (!name) return;
  const model = await call('GET', path('/v1/models/{}', name));
  const byName = model.aliases?.production ? `production (version ${model.aliases.production})` : `latest (version ${model.latest_version})`;
  fillSelect(byId('try-version'), [['', byName],
    ...(model.versions ?? []).map((entry) => [String(entry.version), `version ${entry.version}`])], '');
  await loadInputs();
}

function record() {
  const values = {};
  inputs.forEach((input, index) => {
    const raw = byId(`try-field-${index}`).value.trim();
    if (raw === '') return;  // missing
    if (input.datatype === 'BOOL') values[input.name] = raw === 'true';
    else if (input.datatype === 'BYTES') values[input.name] = raw;
    else values[input.name] = Number(raw);
  });
  return values;
}

async function predict(event) {
  event.preventDefault();
  const name = byId('try-model').value;
  await guarded(byId('try-error'), async () => {
    const target = version() ? path('/v1/models/{}/versions/{}:predict', name, version()) : path('/v1/models/{}:predict', name);
    const answer = await call('POST', target, { instances: [record()] });
    const prediction = answer.predictions[0];
    const pairs = [['model', answer.model], ['version', answer.model_version]];
    if ('label' in prediction) pairs.push(['label', String(prediction.label)]);
    if ('probability' in prediction) pairs.push(['probability', prediction.probability]);
    for (const [label, p] of Object.entries(prediction.probabilities ?? {})) pairs.push([`p(${label})`, p]);
    if ('prediction' in prediction) pairs.push(['prediction', prediction.prediction]);
    replace(byId('try-result'), el('div', { class: 'result', id: 'prediction' }, el('h3', {}, 'Prediction'), stats(pairs)));
  });
}

export const tryPage = {
  init() {
    byId('try-model').addEventListener('change', () => guarded(byId('try-error'), loadVersions));
    byId('try-version').addEventListener('change', () => guarded(byId('try-error'), loadInputs));
    byId('try-pick').addEventListener('submit', (event) => event.preventDefault());
    byId('try-form').addEventListener('submit', predict);
  },
  async show(name) {
    await guarded(byId('try-error'), async () => {
      const { models } = await call('GET', '/v1/models');
      fillSelect(byId('try-model'), models.map((model) => [model.name, model.name]), name);
      await loadVersions();
    });
  },
};
