// The console's entry point: sign in with an API key, then one page at a time
// by the address's fragment (#datasets, #training, #models/<name>,
// #try/<name>).

import { ApiError, apiKey, call, forgetApiKey, setApiKey } from './api.js';
import { datasetsPage } from './datasets.js';
import { modelsPage } from './models.js';
import { trainingPage } from './training.js';
import { tryPage } from './tryit.js';
import { byId, hideError, showError } from './ui.js';

const PAGES = { datasets: datasetsPage, training: trainingPage, models: modelsPage, try: tryPage };

function showOnly(id) {
  for (const section of document.querySelectorAll('main > section')) section.hidden = section.id !== id;
}

async function route() {
  if (!apiKey()) {
    byId('nav').hidden = true;
    showOnly('page-sign-in');
    byId('api-key').focus();
    return;
  }
  byId('nav').hidden = false;
  const [name, argument] = location.hash.slice(1).split('/');
  const page = PAGES[name] ? name : 'datasets';
  for (const link of document.querySelectorAll('nav a')) {
    if (link.dataset.page === page) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  showOnly(`page-${page}`);
  document.body.dataset.page = page;
  await PAGES[page].show(argument ? decodeURIComponent(argument) : undefined);
  document.body.dataset.ready = page;
}

// Checks the key against GET /v2 (read scope): an unknown key is refused
// here; a key without read scope (predict only) still signs in.
async function signIn(event) {
  event.preventDefault();
  const error = byId('sign-in-error');
  hideError(error);
  const key = byId('api-key').value.trim();
  setApiKey(key);
  try {
    await call('GET', '/v2');
  } catch (failure) {
    if (!(failure instanceof ApiError && failure.status === 403)) {
      forgetApiKey();
      showError(error, failure);
      return;
    }
  }
  byId('api-key').value = '';
  if (location.hash) route();
  else location.hash = '#datasets';  // routes through hashchange
}

function signOut() {
  forgetApiKey();
  route();
}

for (const page of Object.values(PAGES)) page.init();
byId('sign-in-form').addEventListener('submit', signIn);
byId('sign-out').addEventListener('click', signOut);
window.addEventListener('hashchange', () => {
  delete document.body.dataset.ready;
  route();
});
route();
