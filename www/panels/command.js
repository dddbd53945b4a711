// The bridge to the command line: the exact `slam-lab run` command and config file for the setup on
// screen (the same engine, so the same numbers as "Run N seeds"), to copy or download.

import { h, setText } from '../dom.js';
import { cliCommand, CONFIG_FILE } from '../cli-command.js';

export function createCommandBox(app, root) {
  // It scrolls sideways on a phone: focusable, so a keyboard can scroll it too.
  const text = h('pre', { className: 'command-text', testid: 'command-text', tabIndex: 0, attrs: { 'aria-label': 'The command and its config file' } });
  const copy = h('button', { type: 'button', className: 'small', text: 'Copy the command', testid: 'copy-command' });
  const download = h('button', { type: 'button', className: 'small', text: `Download ${CONFIG_FILE}`, testid: 'download-config' });
  const status = h('span', { className: 'help', attrs: { role: 'status', 'aria-live': 'polite' } });
  const note = h('p', { className: 'help', testid: 'command-note' });
  root.append(
    h('h3', { text: 'The same run from the command line' }),
    h('p', { className: 'help', text: 'The page runs the engine the command line runs. In a shell, this writes the settings on screen to a config file and runs as many seeds as "Run N seeds" above: the same numbers, to the last digit.' }),
    text,
    h('div', { className: 'button-row' }, [copy, download, status]),
    note,
  );

  /** {config, args, snippet} for the current setup: as many seeds as "Run N seeds". */
  const command = () => cliCommand(app, 'run', ['--seeds', String(app.state.seeds)]);

  function refresh() {
    const c = command();
    setText(text, c.snippet);
    const k = app.state.points.length;
    setText(note, [
      k ? `${k === 1 ? 'The point' : `The ${k} points`} you added by clicking ${k === 1 ? 'is' : 'are'} not part of the command: the command line runs the data without ${k === 1 ? 'it' : 'them'}.` : '',
      app.csv ? `Put ${app.csv.name} beside the config file.` : '',
    ].filter(Boolean).join(' '));
  }

  copy.addEventListener('click', async () => {
    const c = command();
    try {
      await navigator.clipboard.writeText(c.snippet);
      setText(status, 'Command copied.');
    } catch {
      setText(status, 'Select the text above to copy it.');
    }
  });
  download.addEventListener('click', () => {
    const blob = new Blob([`${command().json}\n`], { type: 'application/json' });
    const a = h('a', { href: URL.createObjectURL(blob), download: CONFIG_FILE });
    document.body.append(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
  });

  return {
    onBuilt: refresh,
    syncState: refresh,
  };
}
