// The drawing schedule: one requestAnimationFrame per change, panels off screen skipped while training,
// at most 20 redraws a second while training.

/** Adds app.scheduleDraw; returns {observe(section)} to track a panel's visibility. */
export function installDrawing(app) {
  // While training runs, a panel that is off screen skips its drawing (its dirty flags keep what
  // changed): it catches up as soon as it scrolls into view, and every panel draws when training stops.
  // Repainting the canvases nobody can see was most of this thread's work during training.
  const onScreen = new Map(); // panel section -> whether any of it is in the viewport
  const visibility = new IntersectionObserver((entries) => {
    let appeared = false;
    for (const e of entries) {
      if (e.isIntersecting && onScreen.get(e.target) === false) appeared = true;
      onScreen.set(e.target, e.isIntersecting);
    }
    if (appeared) scheduleDraw();
  });

  const hidden = (p) => app.status === 'training' && p.section !== undefined && onScreen.get(p.section) === false;

  // While training runs, panels redraw at most this often (20 times a second): the page still runs at
  // the display's frame rate, and the boundaries and curves still move smoothly, but the canvases are
  // repainted and composited a third as often as at 60 Hz, which was what held the frame rate down.
  const TRAINING_DRAW_MS = 50;
  let lastDrawAt = -Infinity;
  let drawQueued = false;
  function scheduleDraw() {
    if (drawQueued) return;
    drawQueued = true;
    requestAnimationFrame((now) => {
      const wait = app.status === 'training' ? TRAINING_DRAW_MS - (now - lastDrawAt) : 0;
      if (wait > 1) {
        setTimeout(() => {
          drawQueued = false;
          scheduleDraw();
        }, wait);
        return;
      }
      drawQueued = false;
      lastDrawAt = now;
      for (const p of app.panels) {
        if (hidden(p)) continue;
        try {
          p.draw?.();
        } catch (e) {
          console.warn('draw failed', e); // a drawing bug must not stop the page
        }
      }
    });
  }
  app.scheduleDraw = scheduleDraw;
  window.addEventListener('resize', () => {
    for (const p of app.panels) p.onResize?.();
    scheduleDraw();
  });
  return { observe: (section) => visibility.observe(section) };
}
