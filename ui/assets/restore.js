(b) => {
  let raw = null;
  try { raw = sessionStorage.getItem('interviewer-tab-session'); } catch (e) {}
  let mine = null;
  try { mine = JSON.parse(raw); } catch (e) { mine = raw ? { session_id: raw } : null; }
  window.__ivRestored = true;
  const value = Object.assign({}, b || {});
  if (mine && typeof mine === 'object' && mine.session_id) {
    const owned = Object.assign({}, value.owned || {});
    value.session_id = mine.session_id;
    value.token = mine.token || owned[mine.session_id] || null;
    if (value.token) owned[mine.session_id] = value.token;
    value.owned = owned;
  }
  return [value];
}
