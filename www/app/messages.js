// Messages to the learner: the error box (engine and input errors, as text only: they can quote the
// user's CSV headers) and the notice box (what a link could not carry, methods left out, ...).

import { $, byTestId } from '../dom.js';

/** Adds app.showError, app.clearError and app.notice. */
export function installMessages(app) {
  const errorBox = $('#error-box');
  const errorText = byTestId('error');
  const noticeBox = $('#notice-box');

  /** Notices kept at most: a link with a thousand problems gets a sentence, not a thousand. */
  const MAX_NOTICES = 6;
  const retry = $('#error-retry');
  let onRetry = null;
  retry.addEventListener('click', () => onRetry?.());

  /**
   * Shows an engine or input error. Text only: messages can quote the user's CSV headers. `retry`:
   * what a Retry button beside it does (none when absent).
   */
  app.showError = (message, { retry: action = null } = {}) => {
    errorText.textContent = String(message);
    onRetry = action;
    retry.hidden = !action;
    errorBox.hidden = false;
  };

  app.clearError = () => {
    errorText.textContent = '';
    onRetry = null;
    retry.hidden = true;
    errorBox.hidden = true;
  };
  $('#error-close').addEventListener('click', () => app.clearError());

  const notices = [];
  let dropped = 0;
  app.notice = (message) => {
    if (notices.includes(message)) return;
    if (notices.length < MAX_NOTICES) notices.push(message);
    else dropped += 1;
    const more = dropped ? [`… and ${dropped.toLocaleString('en')} more notice${dropped === 1 ? '' : 's'} like these.`] : [];
    $('#notice-text').replaceChildren(...[...notices, ...more].map((n) => Object.assign(document.createElement('p'), { textContent: n })));
    noticeBox.hidden = false;
  };
  $('#notice-close').addEventListener('click', () => {
    notices.length = 0;
    dropped = 0;
    $('#notice-text').replaceChildren();
    noticeBox.hidden = true;
  });
}
