// Helpers shared by the pages: JSON fetch, the live event stream, formatting.
"use strict";

const dialer = {
  async api(method, url, body) {
    const options = { method, headers: { Accept: "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    const response = await fetch(url, options);
    const text = await response.text();
    const data = text ? JSON.parse(text) : null;
    if (!response.ok) {
      const error = new Error((data && data.error) || response.statusText);
      error.status = response.status;
      throw error;
    }
    return data;
  },

  // Subscribe to /api/events; handlers maps event type to a function of the parsed data.
  stream(handlers, indicator) {
    const source = new EventSource("/api/events");
    source.onopen = () => { if (indicator) { indicator.className = "dot on"; indicator.textContent = "live"; } };
    source.onerror = () => { if (indicator) { indicator.className = "dot off"; indicator.textContent = "reconnecting"; } };
    for (const [type, handler] of Object.entries(handlers)) {
      source.addEventListener(type, (message) => handler(JSON.parse(message.data)));
    }
    return source;
  },

  // Event times come as ISO strings or as epoch seconds.
  millis(at) {
    if (typeof at === "number") return at < 1e12 ? at * 1000 : at;
    const parsed = at ? Date.parse(at) : NaN;
    return Number.isNaN(parsed) ? Date.now() : parsed;
  },

  duration(seconds) {
    seconds = Math.max(0, Math.floor(seconds));
    const h = Math.floor(seconds / 3600), m = Math.floor((seconds % 3600) / 60), s = seconds % 60;
    const two = (n) => String(n).padStart(2, "0");
    return h ? `${h}:${two(m)}:${two(s)}` : `${m}:${two(s)}`;
  },

  stateLabel(state) {
    return { ready: "Ready", reserved: "Reserved", on_call: "On call", wrap_up: "Wrap-up",
      paused: "Paused", logged_out: "Logged out" }[state] || state;
  },

  el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null) continue;
      if (key === "class") node.className = value; else node.setAttribute(key, value);
    }
    for (const child of children) {
      if (child === null || child === undefined) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  },

  when(iso) {
    if (!iso) return "";
    const d = new Date(iso);
    return d.toLocaleString(undefined, { year: "numeric", month: "2-digit", day: "2-digit",
      hour: "2-digit", minute: "2-digit" });
  },
};
