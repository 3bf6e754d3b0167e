// A small line chart on <canvas>: dial ratio (left axis) and abandon % (right axis) over time.
"use strict";

class PacingChart {
  constructor(canvas, { maxPoints = 240 } = {}) {
    this.canvas = canvas;
    this.points = [];  // {t: ms, ratio: number|null, abandon: number|null}
    this.target = null;
    this.maxPoints = maxPoints;
    window.addEventListener("resize", () => this.draw());
  }

  setPoints(points) { this.points = points.slice(-this.maxPoints); this.draw(); }

  add(point) {
    // A snapshot older than what is drawn (e.g. a settings reply) would fold the line back.
    const last = this.points[this.points.length - 1];
    if (last && point.t <= last.t) return;
    this.points.push(point);
    if (this.points.length > this.maxPoints) this.points.shift();
    this.draw();
  }

  setTarget(target) { this.target = target; this.draw(); }

  draw() {
    const canvas = this.canvas, ratioScale = window.devicePixelRatio || 1;
    const width = canvas.clientWidth || canvas.width, height = canvas.clientHeight || canvas.height;
    canvas.width = width * ratioScale; canvas.height = height * ratioScale;
    const g = canvas.getContext("2d");
    g.setTransform(ratioScale, 0, 0, ratioScale, 0, 0);
    g.clearRect(0, 0, width, height);
    const pad = { left: 40, right: 44, top: 12, bottom: 26 };
    const w = width - pad.left - pad.right, h = height - pad.top - pad.bottom;
    const ratios = this.points.map((p) => p.ratio).filter((v) => v !== null && v !== undefined);
    const abandons = this.points.map((p) => p.abandon).filter((v) => v !== null && v !== undefined);
    // Axis tops are multiples of 4 so the four grid steps are whole numbers.
    const ratioMax = Math.max(4, 4 * Math.ceil((Math.max(0, ...ratios) * 1.1) / 4));
    const abandonMax = Math.max(4, 4 * Math.ceil((Math.max(this.target || 0, ...abandons) * 1.1) / 4));
    g.font = "11px system-ui, sans-serif"; g.lineWidth = 1;
    // Grid and axis labels.
    for (let i = 0; i <= 4; i++) {
      const y = pad.top + h - (h * i) / 4;
      g.strokeStyle = "#edf0f5"; g.beginPath(); g.moveTo(pad.left, y); g.lineTo(pad.left + w, y); g.stroke();
      g.fillStyle = "#2f6fed"; g.textAlign = "right";
      g.fillText(String((ratioMax * i) / 4), pad.left - 6, y + 4);
      g.fillStyle = "#d92d20"; g.textAlign = "left";
      g.fillText(`${(abandonMax * i) / 4}%`, pad.left + w + 6, y + 4);
    }
    if (this.points.length === 0) {
      g.fillStyle = "#98a2b3"; g.textAlign = "center";
      g.fillText("Waiting for pacing data…", pad.left + w / 2, pad.top + h / 2);
      return;
    }
    const t0 = this.points[0].t, t1 = Math.max(this.points[this.points.length - 1].t, t0 + 60000);
    const x = (t) => pad.left + ((t - t0) / (t1 - t0)) * w;
    // Time labels.
    g.fillStyle = "#667085"; g.textAlign = "center";
    for (let i = 0; i <= 4; i++) {
      const t = t0 + ((t1 - t0) * i) / 4;
      const label = new Date(t).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
      g.fillText(label, pad.left + (w * i) / 4, height - 8);
    }
    if (this.target !== null) {
      const y = pad.top + h - (this.target / abandonMax) * h;
      g.setLineDash([5, 4]); g.strokeStyle = "#f97066";
      g.beginPath(); g.moveTo(pad.left, y); g.lineTo(pad.left + w, y); g.stroke(); g.setLineDash([]);
    }
    this.line(g, "ratio", x, (v) => pad.top + h - (v / ratioMax) * h, "#2f6fed", true);
    this.line(g, "abandon", x, (v) => pad.top + h - (v / abandonMax) * h, "#d92d20", false);
  }

  line(g, key, x, y, colour, fill) {
    const points = this.points.filter((p) => p[key] !== null && p[key] !== undefined);
    if (points.length === 0) return;
    g.strokeStyle = colour; g.lineWidth = 2; g.lineJoin = "round";
    g.beginPath();
    points.forEach((p, i) => (i ? g.lineTo(x(p.t), y(p[key])) : g.moveTo(x(p.t), y(p[key]))));
    g.stroke();
    if (fill && points.length > 1) {
      g.lineTo(x(points[points.length - 1].t), y(0)); g.lineTo(x(points[0].t), y(0)); g.closePath();
      g.fillStyle = "rgba(47, 111, 237, 0.08)"; g.fill();
    }
    const last = points[points.length - 1];
    g.fillStyle = colour; g.beginPath(); g.arc(x(last.t), y(last[key]), 3, 0, Math.PI * 2); g.fill();
  }
}
