// GOV.UK timeout warning (https://design-system.service.gov.uk/patterns/... "timeout warning"):
// a dialog some time before the idle limit, with a countdown, "Stay signed in" and "Sign out".
// A file, not inline: the CSP forbids inline scripts. The server's policy is the real limit;
// this only warns. "Stay signed in" posts to the session endpoint, which counts as activity.
const dialog = document.getElementById('timeout-warning');
if (dialog) {
  const idle = Number(dialog.dataset.idleSeconds);
  const warnBefore = Math.min(Number(dialog.dataset.warningSeconds), idle);
  const countdown = dialog.querySelector('[data-timeout-countdown]');
  let deadline = Date.now() + idle * 1000;
  let ticker = null;

  const words = (seconds) => {
    if (seconds >= 60) {
      const minutes = Math.ceil(seconds / 60);
      return `${minutes} minute${minutes === 1 ? '' : 's'}`;
    }
    return `${seconds} second${seconds === 1 ? '' : 's'}`;
  };

  const signedOut = () => {
    const next = encodeURIComponent(window.location.pathname + window.location.search);
    window.location.assign(`${dialog.dataset.signInUrl}?next=${next}`);
  };

  const tick = async () => {
    const left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
    if (left <= warnBefore && !dialog.open) {
      // Another tab may have kept the session alive: ask the server before warning.
      const status = await fetch(dialog.dataset.statusUrl, { headers: { Accept: 'application/json' }, credentials: 'same-origin' });
      if (status.status === 401) return signedOut();
      const body = await status.json();
      if (body.seconds_left > warnBefore) {
        deadline = Date.now() + body.seconds_left * 1000;
        return;
      }
      deadline = Date.now() + body.seconds_left * 1000;
      dialog.showModal();
      dialog.querySelector('[data-timeout-stay]').focus();
    }
    if (dialog.open) countdown.textContent = words(left);
    if (left <= 0) {
      clearInterval(ticker);
      signedOut();
    }
  };

  dialog.querySelector('[data-timeout-stay]').addEventListener('click', async () => {
    const response = await fetch(dialog.dataset.statusUrl, {
      method: 'POST',
      headers: { Accept: 'application/json', 'X-CSRFToken': dialog.dataset.csrfToken },
      credentials: 'same-origin',
    });
    if (response.status === 401) return signedOut();
    const body = await response.json();
    deadline = Date.now() + body.seconds_left * 1000;
    dialog.close();
  });
  dialog.addEventListener('cancel', (event) => event.preventDefault()); // Escape must not silently dismiss it

  ticker = setInterval(tick, 1000);
}
