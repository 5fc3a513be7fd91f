// The models page: a model's versions with their metrics and lineage, and an
// alias (production by default) to promote a version to or roll back.

import { call, path } from './api.js';
import { byId, el, fillSelect, formatNumber, guarded, replace, table } from './ui.js';

let current = null;  // the shown model, as GET /v1/models/{name} answered

function aliasName() { return byId('alias-name').value.trim(); }

function metricsText(values) {
  return Object.entries(values ?? {}).map(([name, value]) => `${name} ${formatNumber(value)}`).join(', ');
}

function lineage(summary) {
  const source = summary?.lineage ?? {};
  const parts = [];
  if (source.dataset_id) parts.push(`dataset ${source.dataset_id}`);
  if (source.job_id) parts.push(`job ${source.job_id}`);
  if (source.epochs !== undefined) parts.push(`${source.epochs} epochs`);
  if (source.seed !== undefined) parts.push(`seed ${source.seed}`);
  if (source.data_sha256) parts.push(`data sha256 ${source.data_sha256.slice(0, 12)}…`);
  return parts.join(', ');
}

function showVersions() {
  const model = current;
  const alias = aliasName();
  const target = model.aliases?.[alias];
  byId('alias-status').textContent = target
    ? `${model.name}: "${alias}" → version ${target}; latest is ${model.latest_version}.`
    : `${model.name}: no "${alias}" alias; latest is ${model.latest_version}.`;
  byId('rollback').disabled = !target || !previousVersion(target);
  byId('remove-alias').disabled = !target;
  const versions = [...(model.versions ?? [])].sort((a, b) => b.version - a.version);
  const rows = versions.map((version) => [
    version.version, version.aliases.join(', '), version.created_at,
    metricsText(version.summary?.metrics), metricsText(version.summary?.evaluation?.test), lineage(version.summary),
    el('button', { type: 'button', class: 'secondary', disabled: target === version.version,
      'aria-label': `Promote version ${version.version} to ${alias}`, onclick: () => setAlias(version.version) }, 'Promote')]);
  replace(byId('versions'), table(['Version', 'Aliases', 'Created', 'Training metrics', 'Test metrics', 'Lineage', ''], rows),
    el('p', {}, el('a', { href: `#try/${encodeURIComponent(model.name)}` }, `Try ${model.name}`)));
}

// The highest version below `version`, for a roll back.
function previousVersion(version) {
  const lower = (current.versions ?? []).map((entry) => entry.version).filter((v) => v < version);
  return lower.length > 0 ? Math.max(...lower) : null;
}

async function load(name) {
  await guarded(byId('models-error'), async () => {
    current = await call('GET', path('/v1/models/{}', name));
    showVersions();
  });
}

async function setAlias(version) {
  await guarded(byId('models-error'), async () => {
    await call('PUT', path('/v1/models/{}/aliases/{}', current.name, aliasName()), { version });
    await load(current.name);
  });
}

async function removeAlias() {
  await guarded(byId('models-error'), async () => {
    await call('DELETE', path('/v1/models/{}/aliases/{}', current.name, aliasName()));
    await load(current.name);
  });
}

export const modelsPage = {
  init() {
    byId('model-select').addEventListener('change', (event) => load(event.target.value));
    byId('model-form').addEventListener('submit', (event) => event.preventDefault());
    byId('alias-name').addEventListener('change', () => current && showVersions());
    byId('rollback').addEventListener('click', () => setAlias(previousVersion(current.aliases[aliasName()])));
    byId('remove-alias').addEventListener('click', removeAlias);
  },
  // `name` from the address (#models/<name>), else the one selected.
  async show(name) {
    await guarded(byId('models-error'), async () => {
      const { models } = await call('GET', '/v1/models');
      fillSelect(byId('model-select'), models.map((model) => [model.name, model.name]), name);
      if (models.length === 0) replace(byId('versions'), el('p', { class: 'hint' }, 'No models yet: train one.'));
    });
    if (byId('model-select').value) await load(byId('model-select').value);
  },
};
