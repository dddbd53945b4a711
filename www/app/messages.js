// Messages to the learner: the error box (engine and input errors, as text only: they can quote the
// user's CSV headers) and the notice box (what a link could not carry, methods left out, ...).

import { $, byTestId } from '../dom.js';

/** Adds app.showError, app.clearError and app.notice. */
export function installMessages(app) {
  const errorBox = $('#error-box');
  const errorText = byTestId('error');
  const noticeBox = $('#notice-box');

  /** Shows an engine or input error. Text only: messages can quote the user's CSV headers. */
  app.showError = (message) => {
    errorText.textContent = String(message);
    errorBox.hidden = false;
  };

  app.clearError = () => {
    errorText.textContent = '';
    errorBox.hidden = true;
  };
  $('#error-close').addEventListener('click', () => app.clearError());

  const notices = [];
  app.notice = (message) => {
    if (!notices.includes(message)) notices.push(message);
    $('#notice-text').replaceChildren(...notices.map((n) => Object.assign(document.createElement('p'), { textContent: n })));
    noticeBox.hidden = false;
  };
  $('#notice-close').addEventListener('click', () => {
    notices.length = 0;
    $('#notice-text').replaceChildren();
    noticeBox.hidden = true;
  });
}
