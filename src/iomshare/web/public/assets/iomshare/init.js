// Starts GOV.UK Frontend and MoJ Frontend components on every page (a file, not inline: the CSP forbids inline scripts).
import { initAll } from '/assets/vendor/govuk-frontend.min.js';
import { initAll as initMoj } from '/assets/vendor/moj-frontend.min.js';

document.body.classList.add('js-enabled');
if ('noModule' in HTMLScriptElement.prototype) document.body.classList.add('govuk-frontend-supported');
initAll();
initMoj();
