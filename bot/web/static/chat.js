// The web chat page: renders the transcript, sends text, button presses and photos, and polls
// for messages that arrive later (answers to tickets, notices).
(function () {
  "use strict";
  const log = document.getElementById("log");
  const form = document.getElementById("composer");
  const input = document.getElementById("text");
  const photo = document.getElementById("photo");
  const lang = (navigator.language || "zh").toLowerCase().startsWith("zh") ? "zh" : "en";
  let lastId = 0;
  let busy = false;

  function el(tag, cls, text) {
    const e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }

  function render(m) {
    if (m.id <= lastId) return;
    lastId = m.id;
    const b = m.body || {};
    const row = el("div", "msg " + m.direction);
    row.dataset.id = m.id;
    row.appendChild(el("div", "avatar", m.direction === "in" ? "我" : "邻"));
    const col = el("div", "col");
    if (b.text) col.appendChild(el("div", "bubble", b.text));
    for (const key of ["photo", "image"]) {
      const url = typeof b[key] === "string" ? b[key] : (b[key] && b[key].url);
      if (url) { const bub = el("div", "bubble"); const img = el("img"); img.src = url; img.alt = "图片"; bub.appendChild(img); col.appendChild(bub); }
    }
    if (b.document && b.document.url) {
      const bub = el("div", "bubble"); const a = el("a", "", "📄 " + b.document.filename); a.href = b.document.url; a.target = "_blank"; bub.appendChild(a); col.appendChild(bub);
    }
    if (b.location) col.appendChild(el("div", "bubble", "📍 " + (b.location.label || (b.location.latitude + ", " + b.location.longitude))));
    if (m.direction === "out" && b.buttons && b.buttons.length) {
      const box = el("div", "buttons");
      for (const r of b.buttons) for (const btn of r) {
        const x = el("button", "", btn.label);
        x.type = "button";
        x.dataset.payload = btn.payload;
        x.addEventListener("click", () => send({ payload: btn.payload, label: btn.label }));
        box.appendChild(x);
      }
      col.appendChild(box);
    }
    row.appendChild(col);
    log.appendChild(row);
    log.scrollTop = log.scrollHeight;
  }

  function system(text, isError) {
    const s = el("div", "system" + (isError ? " error" : ""), text);
    log.appendChild(s);
    log.scrollTop = log.scrollHeight;
  }

  async function call(method, url, body) {
    const opts = { method, credentials: "same-origin", headers: {} };
    if (body instanceof FormData) opts.body = body;
    else if (body !== undefined) { opts.body = JSON.stringify(body); opts.headers["Content-Type"] = "application/json"; }
    const r = await fetch(url, opts);
    let data = {};
    try { data = await r.json(); } catch (e) { /* not JSON */ }
    if (!r.ok) throw new Error(data.error || "网络异常，请稍后再试");
    return data;
  }

  // Messages go out one at a time, in the order the visitor sent them; none is dropped while an
  // earlier one is still on its way.
  let queue = Promise.resolve();
  function send(msg) {
    queue = queue.then(async () => {
      busy = true;
      try {
        const data = await call("POST", "/api/chat/messages", Object.assign({ lang }, msg));
        data.messages.forEach(render);
      } catch (e) {
        system(e.message, true);
      } finally {
        busy = false;
      }
    });
    return queue;
  }

  form.addEventListener("submit", (ev) => {
    ev.preventDefault();
    const text = input.value.trim();
    if (!text) return;
    input.value = "";
    send({ text });
  });

  photo.addEventListener("change", async () => {
    const f = photo.files && photo.files[0];
    photo.value = "";
    if (!f) return;
    const fd = new FormData();
    fd.append("file", f);
    try {
      const up = await call("POST", "/api/chat/uploads", fd);
      const caption = input.value.trim();
      input.value = "";
      await send({ photo: up.token, text: caption || undefined });
    } catch (e) {
      system(e.message, true);
    }
  });

  async function poll() {
    try {
      const data = await call("GET", "/api/chat/messages?after=" + lastId);
      data.messages.forEach(render);
    } catch (e) { /* offline for a moment: try again next tick */ }
  }

  (async function init() {
    await poll();
    if (lastId === 0) await send({ text: "/start" });
    setInterval(() => { if (!busy) poll(); }, 3000);
  })();
})();
