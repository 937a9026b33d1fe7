(b) => {
  if (!window.__ivRestored) return [];
  try {
    if (b && b.session_id) {
      sessionStorage.setItem('interviewer-tab-session', JSON.stringify({ session_id: b.session_id, token: b.token || null }));
    } else {
      sessionStorage.removeItem('interviewer-tab-session');
    }
  } catch (e) {}
  return [];
}
