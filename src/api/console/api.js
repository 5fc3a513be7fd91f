// The HTTP API as the console calls it. Every call carries the API key the
// user signed in with, kept in sessionStorage only (gone when the tab closes).
// Errors become ApiError with the server's {"error": {"code", "message"}}.

const KEY_ITEM = 'modelhost.apiKey';

export function apiKey() { return sessionStorage.getItem(KEY_ITEM); }
export function setApiKey(key) { sessionStorage.setItem(KEY_ITEM, key); }
export function forgetApiKey() { sessionStorage.removeItem(KEY_ITEM); }

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function authHeaders() { return { Authorization: 'Bearer ' + (apiKey() || '') }; }

// The ApiError of a failed answer, from its body's error object when it has one.
function errorOf(status, statusText, text) {
  try {
    const body = JSON.parse(text);
    const error = body.error;
    if (error && typeof error === 'object') return new ApiError(status, error.code, error.message);
    if (typeof error === 'string') return new ApiError(status, 'error', error);
  } catch (e) { /* not JSON: fall through */ }
  return new ApiError(status, 'http_' + status, `HTTP ${status} ${statusText}`.trim());
}

function networkError(error) {
  return new ApiError(0, 'network', 'cannot reach the server: ' + error.message);
}

// method, path (with query) and an optional JSON body → the parsed answer
// (null for 204).
export async function call(method, path, body) {
  const headers = authHeaders();
  const init = { method, headers };
  if (body !== undefined) {
    headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(path, init);
  } catch (error) {
    throw networkError(error);
  }
  const text = await response.text();
  if (!response.ok) throw errorOf(response.status, response.statusText, text);
  return text === '' ? null : JSON.parse(text);
}

export function path(template, ...parts) {
  let index = 0;
  return template.replace(/\{\}/g, () => encodeURIComponent(parts[index++]));
}

// Uploads `file` as a dataset; XMLHttpRequest because fetch() cannot report
// upload progress. onProgress(loaded, total) as the bytes leave.
export function uploadDataset(file, query, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/v1/datasets?' + new URLSearchParams(query));
    xhr.setRequestHeader('Authorization', authHeaders().Authorization);
    if (/\.csv$/i.test(file.name)) xhr.setRequestHeader('Content-Type', 'text/csv');
    else xhr.setRequestHeader('Content-Type', 'application/x-ndjson');
    xhr.upload.addEventListener('progress', (event) => {
      if (event.lengthComputable) onProgress(event.loaded, event.total);
    });
    xhr.addEventListener('load', () => {
      if (xhr.status >= 200 && xhr.status < 300) resolve(JSON.parse(xhr.responseText));
      else reject(errorOf(xhr.status, xhr.statusText, xhr.responseText));
    });
    xhr.addEventListener('error', () => reject(networkError(new Error('upload failed'))));
    xhr.send(file);
  });
}

// Server-Sent Events, parsed by hand: EventSource cannot send the
// Authorization header. push() takes decoded text as it arrives and returns
// the complete events in it as {type, data}.
export class SseParser {
  constructor() {
    this.buffer = '';
    this.type = '';
    this.data = [];
  }

  push(text) {
    this.buffer += text;
    const events = [];
    let match;
    // A lone '\r' at the end may be the first half of '\r\n': wait for more.
    while ((match = /\r\n|\r(?!$)|\n/.exec(this.buffer)) !== null) {
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      this.line(line, events);
    }
    return events;
  }

  line(line, events) {
    if (line === '') {
      if (this.data.length > 0) events.push({ type: this.type || 'message', data: this.data.join('\n') });
      this.type = '';
      this.data = [];
      return;
    }
    if (line.startsWith(':')) return;
    const colon = line.indexOf(':');
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    if (field === 'event') this.type = value;
    else if (field === 'data') this.data.push(value);
  }
}

function parseEventData(event) {
  try {
    return JSON.parse(event.data);
  } catch (error) {
    throw new ApiError(0, 'bad_event', `the "${event.type}" event is not JSON: ${error.message}`);
  }
}

// Reads the event stream at `path` until it ends or `signal` aborts, calling
// onEvent(type, parsed JSON data) for each event.
export async function streamEvents(path, onEvent, signal) {
  let response;
  try {
    response = await fetch(path, { headers: { ...authHeaders(), Accept: 'text/event-stream' }, signal });
  } catch (error) {
    if (error.name === 'AbortError') return;
    throw networkError(error);
  }
  if (!response.ok) throw errorOf(response.status, response.statusText, await response.text());
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  const parser = new SseParser();
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      for (const event of parser.push(value)) onEvent(event.type, parseEventData(event));
    }
  } catch (error) {
    if (error.name === 'AbortError') return;
    throw error instanceof ApiError ? error : networkError(error);
  }
}
