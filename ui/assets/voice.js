// Voice in the Interview tab (ui/voice.py): the microphone control and reading the interviewer's messages aloud.
// Runs once per page; every handler is delegated from the document, so Gradio may redraw the panel freely.
if (!window.__ivVoice) {
  window.__ivVoice = true;
  const MAX_SECONDS = 600;      // the server's limit too (interviewer/speech/transcribe.py MAX_TAKE_S)
  const SEND_EVERY_MS = 1000;   // audio goes to the server about once a second
  const SILENCE_STOP_MS = 3000; // "stop after 3 s of silence"
  const SPEECH_LEVEL = 0.01;    // RMS above this counts as speech for the silence stop
  const KEYS = { tts: 'interviewer-voice-tts', autostop: 'interviewer-voice-autostop' };
  let rec = null;               // the recording in progress
  let busyStopping = false;

  const $ = (sel) => document.querySelector(sel);
  const stored = (k) => { try { return localStorage.getItem(k) === '1'; } catch (e) { return false; } };
  const store = (k, on) => { try { localStorage.setItem(k, on ? '1' : '0'); } catch (e) {} };
  const say = (html, kind) => {
    const s = $('#voice-status');
    if (s) { s.innerHTML = html; s.className = 'iv-voice-status' + (kind ? ' iv-voice-' + kind : ''); }
  };
  const esc = (t) => String(t).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c]));
  const button = () => $('#voice-btn');
  const setButton = (recording) => {
    const b = button();
    if (!b) return;
    b.textContent = recording ? '■ Stop' : '● Speak your answer';
    b.setAttribute('aria-pressed', recording ? 'true' : 'false');
    b.classList.toggle('iv-recording', recording);
  };
  const session = () => {
    try {
      const s = JSON.parse(sessionStorage.getItem('interviewer-tab-session') || 'null');
      return s && s.session_id ? s : null;
    } catch (e) { return null; }
  };

  // -- the server: Gradio's REST protocol (POST, then read the event's result) ----------------------------
  async function call(data) {
    const url = new URL('gradio_api/call/voice_chunk', document.baseURI).href;
    const r = await fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ data }) });
    if (!r.ok) throw new Error('the server refused the audio (HTTP ' + r.status + ')');
    const { event_id } = await r.json();
    const s = await fetch(url + '/' + event_id);
    const text = await s.text();
    const blocks = text.split('\n\n');
    for (const block of blocks) {
      const ev = (block.match(/^event: (.*)$/m) || [])[1];
      const payload = (block.match(/^data: (.*)$/m) || [])[1];
      if (ev === 'complete') return JSON.parse(payload)[0];
      if (ev === 'error') throw new Error('the server could not transcribe the audio');
    }
    throw new Error('no answer from the server');
  }

  function pcmBase64(buffers) {
    let n = 0;
    for (const b of buffers) n += b.length;
    const out = new Int16Array(n);
    let i = 0;
    for (const b of buffers) for (let j = 0; j < b.length; j++) {
      const v = Math.max(-1, Math.min(1, b[j]));
      out[i++] = v < 0 ? v * 32768 : v * 32767;
    }
    const bytes = new Uint8Array(out.buffer);
    let bin = '';
    for (let k = 0; k < bytes.length; k += 0x8000) bin += String.fromCharCode.apply(null, bytes.subarray(k, k + 0x8000));
    return btoa(bin);
  }

  // -- the answer box: the transcript joins what was typed; an edit during the take is kept -----------------
  function writeBox(transcript) {
    const box = $('#answer-box textarea');
    if (!box || !rec) return;
    const words = transcript.split(/\s+/).filter(Boolean);
    if (box.value !== rec.lastWritten) { // the candidate typed during the take: keep it, continue after it
      rec.before = box.value;
      rec.offset = rec.lastWords;
    }
    const spoken = words.slice(rec.offset).join(' ');
    const head = rec.before.replace(/\s+$/, '');
    box.value = head && spoken ? head + ' ' + spoken : head || spoken;
    rec.lastWritten = box.value;
    rec.lastWords = words.length;
    box.dispatchEvent(new Event('input', { bubbles: true })); // Gradio's value, and the draft for the grader
  }

  // The audio heard since the last chunk, at most `max` samples of it (a buffer is cut where it must be).
  function takeUpTo(max) {
    const out = [];
    let n = 0;
    while (rec.buffers.length && n < max) {
      const b = rec.buffers[0];
      if (n + b.length <= max) { out.push(b); n += b.length; rec.buffers.shift(); }
      else { out.push(b.subarray(0, max - n)); rec.buffers[0] = b.subarray(max - n); n = max; }
    }
    return out;
  }

  // Sends what was heard in chunks of at most CHUNK_SAMPLES (4 s at 48 kHz; the server refuses chunks over
  // twice that): on a busy server a reply can take longer than the audio it answers, and the audio heard
  // meanwhile must not become one chunk too large. Only the last chunk carries `final`; the last reply is
  // returned.
  const CHUNK_SAMPLES = 4 * 48000;
  async function send(final) {
    const s = rec.session;
    const max = CHUNK_SAMPLES;
    let res;
    do {
      const part = takeUpTo(max);
      const last = !rec.buffers.length;
      res = await call([s.session_id, s.token || '', rec.id, pcmBase64(part), rec.rate, final && last]);
      if (!rec || (res && res.error)) return res;
    } while (rec.buffers.length);
    return res;
  }

  async function pump() {
    if (!rec || rec.sending || !rec.active || !rec.buffers.length) return;
    rec.sending = true;
    try {
      const res = await send(false);
      if (!rec) return;
      if (res.error) { fail(res.error); return; }
      if (res.text) writeBox(res.text);
      if (rec && rec.active) say('Listening… ' + Math.floor(res.seconds || 0) + ' s. Press <b>Stop</b> when you are done.', 'live');
    } catch (e) {
      fail(e.message || String(e));
    } finally {
      if (rec) rec.sending = false;
    }
  }

  function release() {
    if (!rec) return;
    rec.active = false;
    clearInterval(rec.timer);
    try { rec.proc.disconnect(); rec.source.disconnect(); } catch (e) {}
    try { rec.stream.getTracks().forEach((t) => t.stop()); } catch (e) {}
    try { rec.ctx.close(); } catch (e) {}
  }

  function fail(message) {
    release();
    rec = null;
    setButton(false);
    say(esc('Voice stopped: ' + message + '. Everything in the answer box is kept.'), 'error');
  }

  async function stop(reason) {
    if (!rec || busyStopping) return;
    busyStopping = true;
    release();
    setButton(false);
    const b = button();
    if (b) b.disabled = true;
    say((reason ? esc(reason) + ' ' : '') + 'Finishing the transcript…', 'live');
    try {
      while (rec.sending) await new Promise((r) => setTimeout(r, 50));
      const res = await send(true);
      if (res.error) { fail(res.error); return; }
      if (res.text) writeBox(res.text);
      if (!res.heard) {
        say('I heard no speech in that recording: check that the right microphone is chosen and not muted. ' +
            'Nothing in the answer box was changed.', 'error');
      } else {
        say(esc((res.note ? res.note + '. ' : '') + 'Transcript done (' + Math.round(res.seconds) +
            ' s). Check it in the answer box, then press Submit.'), 'ok');
        const d = $('#voice-delivery');
        if (d) d.innerHTML = res.delivery_html || '';
      }
    } catch (e) {
      fail(e.message || String(e));
      return;
    } finally {
      rec = null;
      busyStopping = false;
      if (b) b.disabled = false;
    }
  }

  async function start() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia || !Ctx) {
      say('This browser cannot record here: it needs the microphone and Web Audio APIs, which browsers offer only ' +
          'on https:// pages or on this machine (localhost). Type your answer instead.', 'error');
      return;
    }
    const s = session();
    if (!s) { say('Start an interview first.', 'error'); return; }
    if (window.speechSynthesis) window.speechSynthesis.cancel(); // do not record the interviewer's voice
    let stream;
    try {
      stream = await navigator.mediaDevices.getUserMedia({ audio: { channelCount: 1, echoCancellation: true, noiseSuppression: true } });
    } catch (e) {
      const why = {
        NotAllowedError: 'the browser was not allowed to use the microphone. Allow it in the address bar\'s site settings, then press Speak again.',
        SecurityError: 'the browser does not allow the microphone on this page (it needs https:// or localhost).',
        NotFoundError: 'no microphone was found. Connect one, or type your answer.',
        NotReadableError: 'the microphone is in use by another program, or the system blocked it.',
        OverconstrainedError: 'the microphone does not offer a usable format.',
      }[e && e.name] || ('the microphone could not be opened (' + (e && e.name || e) + ').');
      say(esc('No recording: ' + why + ' Nothing in the answer box was changed.'), 'error');
      return;
    }
    const box = $('#answer-box textarea');
    const ctx = new Ctx();
    const source = ctx.createMediaStreamSource(stream);
    const proc = ctx.createScriptProcessor(4096, 1, 1);
    rec = {
      id: Date.now().toString(36) + Math.random().toString(36).slice(2, 8), session: s, stream, ctx, source, proc,
      rate: ctx.sampleRate, buffers: [], samples: 0, active: true, sending: false, before: box ? box.value : '',
      lastWritten: box ? box.value : '', lastWords: 0, offset: 0, heardVoice: false, lastVoiceAt: Date.now(),
    };
    proc.onaudioprocess = (e) => {
      if (!rec || !rec.active) return;
      const data = new Float32Array(e.inputBuffer.getChannelData(0));
      rec.buffers.push(data);
      rec.samples += data.length;
      let sum = 0;
      for (let i = 0; i < data.length; i++) sum += data[i] * data[i];
      if (Math.sqrt(sum / data.length) > SPEECH_LEVEL) { rec.heardVoice = true; rec.lastVoiceAt = Date.now(); }
      const auto = $('#voice-autostop');
      if (auto && auto.checked && rec.heardVoice && Date.now() - rec.lastVoiceAt > SILENCE_STOP_MS) {
        stop('Stopped after 3 s of silence.');
      } else if (rec.samples / rec.rate >= MAX_SECONDS) {
        stop('Recordings stop at ' + MAX_SECONDS / 60 + ' minutes.');
      }
    };
    source.connect(proc);
    proc.connect(ctx.destination);
    rec.timer = setInterval(pump, SEND_EVERY_MS);
    rec.sending = true; // an empty first chunk: the server opens the take and loads its model meanwhile
    send(false).catch(() => {}).finally(() => { if (rec) rec.sending = false; });
    setButton(true);
    say('Listening… speak your answer, then press <b>Stop</b>.', 'live');
  }

  document.addEventListener('click', (e) => {
    const b = e.target && e.target.closest ? e.target.closest('#voice-btn') : null;
    if (!b || b.disabled) return;
    e.preventDefault();
    if (rec) stop(''); else start();
  });
  document.addEventListener('change', (e) => {
    const t = e.target;
    if (!t) return;
    if (t.id === 'voice-autostop') store(KEYS.autostop, t.checked);
    if (t.id === 'voice-tts') {
      store(KEYS.tts, t.checked);
      if (t.checked) { checkVoices(); spoken = Math.max(0, botMessages().length - 1); }
      else if (window.speechSynthesis) window.speechSynthesis.cancel();
    }
  });

  // -- reading the interviewer's messages aloud (the browser's own speech synthesis) -----------------------
  let spoken = -1;  // bot messages already read (or skipped); -1 until the page's chat was first seen
  const botMessages = () => Array.from(document.querySelectorAll('#chat .message-row.bot-row'))
    .filter((el) => !el.querySelector('[aria-label="Loading response"]') && el.innerText.trim());
  function checkVoices() {
    if (!window.speechSynthesis) return;
    setTimeout(() => {
      if (!window.speechSynthesis.getVoices().length) {
        say('This browser has no voices to read aloud with (on Linux, Chromium speaks through speech-dispatcher: ' +
            'install the speech-dispatcher and espeak-ng packages). The questions stay on screen.', 'error');
      }
    }, 1500);
  }
  setInterval(() => {
    // the panel is redrawn by Gradio at times: put the remembered choices back
    const tts = $('#voice-tts');
    if (tts && !tts.dataset.init) {
      tts.dataset.init = '1';
      if (!window.speechSynthesis) { tts.disabled = true; tts.parentElement.title = 'This browser cannot read aloud'; }
      else if (stored(KEYS.tts)) tts.checked = true;
    }
    const auto = $('#voice-autostop');
    if (auto && !auto.dataset.init) { auto.dataset.init = '1'; if (stored(KEYS.autostop)) auto.checked = true; }
    const msgs = botMessages();
    const status = $('#iv-status .iv-status');
    if (status && status.classList.contains('iv-busy')) return; // the reply is still streaming
    if (spoken < 0) { if (msgs.length) spoken = msgs.length - 1; else return; }
    if (msgs.length < spoken) spoken = 0; // a new interview
    if (!tts || !tts.checked || !window.speechSynthesis || rec) { spoken = msgs.length; return; }
    for (; spoken < msgs.length; spoken++) {
      const u = new SpeechSynthesisUtterance(msgs[spoken].innerText.replace(/\s+/g, ' ').trim());
      u.lang = 'en-US';
      window.speechSynthesis.speak(u);
    }
  }, 500);
}
