(...args) => {
  const s = document.querySelector('#iv-status .iv-status');
  if (s) { s.className = 'iv-status iv-busy'; s.textContent = 'Sent. Waiting for the interviewer…'; }
  return args;
}
