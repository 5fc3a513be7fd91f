// DOM helpers shared by the pages. Text from the server is only ever set as
// text (never parsed as HTML).

// el('td', {class: 'num'}, '12') → <td class="num">12</td>. Attributes set to
// null/false are left out; `true` sets an empty one; functions under
// on<event> become listeners.
export function el(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') node.addEventListener(name.slice(2), value);
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function byId(id) { return document.getElementById(id); }

export function replace(node, ...children) {
  node.replaceChildren();
  node.append(...children.flat().filter((child) => child !== null && child !== undefined));
}

// Shows the server's message (and its code) in an alert element.
export function showError(node, error) {
  node.textContent = error.code ? `${error.message} (${error.code})` : String(error.message || error);
  node.hidden = false;
}

export function hideError(node) {
  node.textContent = '';
  node.hidden = true;
}

// Runs `work`, showing its error in `errorNode`; false when it failed.
export async function guarded(errorNode, work) {
  hideError(errorNode);
  try {
    await work();
    return true;
  } catch (error) {
    showError(errorNode, error);
    return false;
  }
}

export function formatNumber(value) {
  if (value === null || value === undefined) return '—';
  if (typeof value !== 'number') return String(value);
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return Math.abs(value) >= 1000 ? value.toFixed(1) : value.toPrecision(4);
}

export function formatBytes(bytes) {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return (unit === 0 ? value : value.toFixed(1)) + ' ' + units[unit];
}

// A scrollable table: headers and rows of cells (a cell is text, a number,
// which is right-aligned, or a Node).
export function table(headers, rows, caption) {
  const head = el('tr', {}, headers.map((header) => el('th', { scope: 'col' }, header)));
  const body = rows.map((cells) => el('tr', {}, cells.map((cell) =>
    el('td', typeof cell === 'number' ? { class: 'num' } : {}, typeof cell === 'number' ? formatNumber(cell) : cell))));
  return el('div', { class: 'table-wrap' },
    el('table', {}, caption ? el('caption', { class: 'hint' }, caption) : null, el('thead', {}, head), el('tbody', {}, body)));
}

// <dl> of [term, value] pairs.
export function stats(pairs) {
  return el('dl', { class: 'stats' }, pairs.flatMap(([term, value]) => [el('dt', {}, term), el('dd', {}, formatNumber(value))]));
}

// Fills a <select> with [value, text] pairs, keeping the selection when it
// is still offered.
export function fillSelect(select, options, preferred) {
  const keep = preferred ?? select.value;
  replace(select, options.map(([value, text]) => el('option', { value }, text)));
  if (options.some(([value]) => value === keep)) select.value = keep;
}
