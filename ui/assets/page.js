// Runs once per page: keeps the elapsed-time clocks ticking and adds Ctrl/Cmd+Enter to submit an answer.
if (!window.__ivPage) {
  window.__ivPage = true;
  const pad = (n) => String(n).padStart(2, '0');
  setInterval(() => {
    document.querySelectorAll('.iv-elapsed[data-started]').forEach((el) => {
      if (el.dataset.stopped) return;
      const s = Math.max(0, Math.floor((Date.now() - Date.parse(el.dataset.started)) / 1000));
      const m = Math.floor(s / 60);
      el.textContent = (m >= 60 ? Math.floor(m / 60) + ':' + pad(m % 60) : pad(m)) + ':' + pad(s % 60);
    });
  }, 1000);
  document.addEventListener('keydown', (e) => {
    if (e.key !== 'Enter' || !(e.ctrlKey || e.metaKey)) return;
    const box = e.target && e.target.closest ? e.target.closest('#answer-box') : null;
    if (!box) return;
    e.preventDefault();
    const button = document.querySelector('#submit-btn');
    if (button && !button.disabled) button.click();
  }, true);
}
