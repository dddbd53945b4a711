// "Copy link to this setup": the address bar already holds the whole state.

import { $ } from '../dom.js';

/** Wires the share button. */
export function installShare(app) {
  $('#share').addEventListener('click', async () => {
    const status = $('#share-status');
    const url = location.href;
    try {
      await navigator.clipboard.writeText(url);
      status.textContent = app.csv ? 'Link copied (it cannot carry your uploaded CSV).' : 'Link copied.';
    } catch {
      status.textContent = `Copy this link: ${url}`;
    }
  });
}
