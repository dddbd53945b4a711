// The side of the page where the tour and the point card sit, so they never cover what they explain:
// at 1,100 px and wider a column at the right that the page makes room for; narrower, a bottom sheet
// (at most about 45% of the height) that the page leaves room below it for.

import { $ } from '../dom.js';

/** Wide enough for the column. */
const WIDE = '(min-width: 1100px)';

/** Adds app.side: changed() when a box in it shows or hides; sheetTop(), the sheet's top edge (px). */
export function installSide(app) {
  const side = $('#side');
  const wide = matchMedia(WIDE);

  function changed() {
    const open = [...side.children].some((c) => !c.hidden);
    document.body.classList.toggle('has-side', open);
    measure();
  }

  /** The sheet's height, for the room the page leaves below its content. */
  function measure() {
    const hgt = document.body.classList.contains('has-side') && !wide.matches ? side.getBoundingClientRect().height : 0;
    document.body.style.setProperty('--side-h', `${Math.ceil(hgt)}px`);
  }

  new ResizeObserver(measure).observe(side);
  wide.addEventListener('change', measure);

  app.side = {
    changed,
    /** Where the visible page ends above the sheet: its top, or the viewport's bottom. */
    sheetTop: () => (wide.matches || !document.body.classList.contains('has-side') ? window.innerHeight : side.getBoundingClientRect().top),
    element: side,
  };
}
