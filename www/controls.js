// Form controls bound to one config key of the URL table: each reads its value from the resolved
// config, and writes back through app.setConfig (which updates the URL and rebuilds the session).

import { h } from './dom.js';
import { PARAM, getPath, parseValue, formatValue } from './state.js';
import { unmet } from './requirements.js';

let nextId = 0;

/**
 * What the engine's schema says of a key's control: its name, help, choices, slider and the control
 * that suits its kind. A panel's spec overrides any of it.
 */
function fromSchema(p) {
  if (!p) return {};
  const choices = p.choices ?? (p.kind === 'enum' ? p.options?.map((o) => ({ value: o, label: o })) : undefined);
  const control = choices ? 'select' : p.kind === 'bool' ? 'checkbox' : p.slider ? 'range' : p.kind === 'intList' ? 'text' : 'number';
  return {
    label: p.label,
    help: p.help,
    control,
    options: choices?.map((c) => [String(c.value), c.label]),
    ...(p.slider ? { min: p.slider[0], max: p.slider[1], step: p.slider[2] } : {}),
    ...(p.kind === 'intList' ? { inputMode: 'numeric' } : {}),
  };
}

/**
 * A labelled control for config key `path`; its name, help, choices, limits and kind of control come
 * from the engine's schema (installSchema), unless the spec gives them.
 * spec: {path, label?, control?: 'select'|'number'|'range'|'text'|'checkbox', options?: [[value, text]],
 *        min?, max?, step?, help?, testid?, format?(value) for a range's read-out}
 * Returns {node, sync(config), input}.
 */
export function field(app, given) {
  const spec = { ...fromSchema(PARAM[given.path]), ...given };
  spec.label ??= given.path;
  const param = () => PARAM[spec.path];
  const id = `f${++nextId}-${spec.path.replace(/\W/g, '-')}`;
  const control = spec.control ?? 'number';
  let input;
  let output = null;
  if (control === 'select') {
    input = h('select', { id, name: spec.path });
    for (const [value, text] of spec.options ?? []) input.append(h('option', { value, text }));
  } else if (control === 'checkbox') {
    input = h('input', { id, name: spec.path, type: 'checkbox' });
  } else if (control === 'range') {
    input = h('input', { id, name: spec.path, type: 'range', min: spec.min, max: spec.max, step: spec.step ?? 'any' });
    output = h('output', { className: 'range-value', attrs: { for: id } });
  } else if (control === 'text') {
    input = h('input', { id, name: spec.path, type: 'text', inputMode: spec.inputMode ?? 'text', spellcheck: false, autocomplete: 'off' });
  } else {
    input = h('input', { id, name: spec.path, type: 'number', inputMode: 'decimal', step: spec.step ?? 'any' });
  }
  if (spec.testid) input.dataset.testid = spec.testid;
  const help = spec.help ? h('span', { className: 'help', text: spec.help, id: `${id}-help` }) : null;
  if (help) input.setAttribute('aria-describedby', help.id);

  const commit = () => {
    const text = control === 'checkbox' ? String(input.checked) : input.value;
    let value;
    try {
      value = parseValue(param(), text, app.catalogue);
    } catch (e) {
      input.setAttribute('aria-invalid', 'true');
      app.showError(`${spec.label}: ${e.message}`);
      return;
    }
    input.removeAttribute('aria-invalid');
    app.setConfig(spec.path, value);
  };
  if (control === 'range') {
    input.addEventListener('input', () => {
      output.textContent = spec.format ? spec.format(Number(input.value)) : input.value;
    });
  }
  input.addEventListener('change', commit);

  const label = h('label', { htmlFor: id, text: spec.label });
  const node =
    control === 'checkbox'
      ? h('div', { className: 'field field-check' }, [input, label, help])
      : h('div', { className: 'field' }, [label, output ? h('div', { className: 'range-row' }, [input, output]) : input, help]);

  return {
    node,
    input,
    sync(config) {
      // A key that does not matter in this config (the engine's `needs`: a synthetic teacher's noise
      // with a trained one, pixel shifts off image data; an uploaded table is never an image) is off.
      const needs = param()?.needs;
      if (needs) {
        const off = Boolean(unmet([needs], config)) || (needs === 'image_data' && Boolean(app.csv));
        input.disabled = off;
        node.classList.toggle('is-disabled', off);
      }
      const value = getPath(config, spec.path);
      if (value === undefined) return;
      if (document.activeElement === input && control !== 'select' && control !== 'checkbox') return;
      input.removeAttribute('aria-invalid');
      const p = param();
      if (control === 'number' && p) {
        // The engine's limits; open-ended ones leave the attribute off.
        const lo = spec.min ?? p.min;
        const hi = spec.max ?? p.max;
        if (Number.isFinite(lo)) input.min = String(lo);
        if (Number.isFinite(hi)) input.max = String(hi);
        if (p.kind === 'int') {
          input.inputMode = 'numeric';
          if (spec.step === undefined) input.step = '1';
        }
      }
      if (control === 'checkbox') input.checked = Boolean(value);
      else if (control === 'range') {
        input.value = String(value);
        output.textContent = spec.format ? spec.format(Number(value)) : formatValue(p, value);
      } else input.value = formatValue(p, value);
      if (p?.kind === 'intList' && input.value === '-') input.value = '';
    },
    setDisabled(disabled) {
      input.disabled = disabled;
      node.classList.toggle('is-disabled', disabled);
    },
  };
}

/** A group of fields with one sync. */
export function fieldGroup(fields) {
  return {
    nodes: fields.map((f) => f.node),
    sync(config) {
      for (const f of fields) f.sync(config);
    },
  };
}
