// Supervisor dashboard: live agent table, campaign statistics, pacing chart and controls.
"use strict";

(() => {
  const $ = (selector) => document.querySelector(selector);
  const select = $("#campaign"), form = $("#controls"), message = $("#control-message");
  const actions = $("#campaign-actions");
  const chart = new PacingChart($("#pacing-chart"));
  window.pacingChart = chart;  // for the browser tests
  const agents = new Map();
  const ORDER = ["on_call", "wrap_up", "reserved", "ready", "paused", "logged_out"];
  const OUTCOME_COLOURS = { connected: "#2f6fed", ivr: "#0e9384", abandoned: "#d92d20", machine: "#7a5af8",
    busy: "#d98a00", no_answer: "#98a2b3", congestion: "#f79009", failed: "#667085", lost: "#344054" };
  let target = null, statsTimer = null;

  const campaign = () => select.value;
  const campaignId = () => (select.selectedOptions[0] ? select.selectedOptions[0].dataset.id : undefined);
  const isMine = (event) => event.campaign === campaign()
    || (event.campaign_id !== undefined && String(event.campaign_id) === campaignId());

  function agentRow(agent, now) {
    const inState = agent.since ? (now - Date.parse(agent.since)) / 1000 : null;
    const hasAllowance = agent.allowance_s !== null && agent.allowance_s !== undefined;
    const overrun = agent.state === "paused"
      && (agent.overrun === true || (hasAllowance && inState !== null && inState > agent.allowance_s));
    let detail = "";
    if (agent.state === "paused") detail = agent.reason || "";
    else if (agent.debtor_id) detail = `case #${agent.debtor_id}`;
    const badge = dialer.el("span", { class: `badge state-${agent.state}` }, dialer.stateLabel(agent.state));
    const detailCell = dialer.el("td", {}, detail);
    if (overrun) {
      const over = hasAllowance && inState !== null ? `+${dialer.duration(inState - agent.allowance_s)}` : "overrun";
      detailCell.append(dialer.el("span", { class: "flag", title: "break overrun" }, over));
    }
    return dialer.el("tr", { class: overrun ? "overrun" : "", "data-login": agent.login, "data-state": agent.state },
      dialer.el("td", {}, dialer.el("a", { href: `/agent/${encodeURIComponent(agent.login)}`, class: "agent-link" },
        dialer.el("b", {}, agent.name || agent.login)), " ",
        dialer.el("span", { class: "muted small" }, agent.login)),
      dialer.el("td", {}, badge), dialer.el("td", { class: "time" }, inState === null ? "–" : dialer.duration(inState)), detailCell);
  }

  function renderAgents() {
    const body = $("#agents tbody"), now = Date.now();
    const list = [...agents.values()].sort((a, b) =>
      ORDER.indexOf(a.state) - ORDER.indexOf(b.state) || a.login.localeCompare(b.login));
    body.replaceChildren(...list.map((agent) => agentRow(agent, now)));
    if (list.length === 0) body.append(dialer.el("tr", {}, dialer.el("td", { class: "empty", colspan: 4 }, "No agents signed in")));
    const count = (state) => list.filter((a) => a.state === state).length;
    $("#agent-summary").textContent =
      `${count("on_call")} talking · ${count("ready")} ready · ${count("wrap_up")} wrap-up · ${count("paused")} paused`;
  }

  async function loadAgents() {
    try {
      for (const agent of await dialer.api("GET", "/api/agents")) agents.set(agent.login, agent);
      renderAgents();
    } catch (error) { console.warn("agents", error); }
  }

  function setKpi(key, value, sub, level) {
    const kpi = document.querySelector(`[data-kpi="${key}"]`);
    if (!kpi) return;
    kpi.querySelector(".value").textContent = value;
    kpi.querySelector(".sub").textContent = sub || "";
    kpi.className = `kpi${level ? " " + level : ""}`;
  }

  function abandonLevel(pct) {
    const limit = target === null ? 3 : target;
    return pct >= limit ? "bad" : pct >= 0.8 * limit ? "warn" : "ok";
  }

  function renderOutcomes(counts) {
    const keys = Object.keys(OUTCOME_COLOURS).filter((k) => counts[k] > 0);
    const total = keys.reduce((sum, k) => sum + counts[k], 0);
    const bar = $("#outcomes");
    bar.replaceChildren(...keys.map((k) => {
      const span = dialer.el("span", { title: `${k}: ${counts[k]}` }, counts[k] / total > 0.06 ? counts[k] : "");
      span.style.width = `${(100 * counts[k]) / total}%`; span.style.background = OUTCOME_COLOURS[k];
      return span;
    }));
    let legend = bar.nextElementSibling;
    if (!legend || !legend.classList.contains("outcome-legend")) {
      legend = dialer.el("div", { class: "outcome-legend" }); bar.after(legend);
    }
    legend.replaceChildren(...keys.map((k) => {
      const swatch = dialer.el("i"); swatch.style.background = OUTCOME_COLOURS[k];
      return dialer.el("span", {}, swatch, `${k.replace("_", " ")} ${counts[k]} (${((100 * counts[k]) / total).toFixed(1)}%)`);
    }));
  }

  async function loadStats() {
    if (!campaign()) return;
    try {
      const stats = await dialer.api("GET", `/api/campaigns/${encodeURIComponent(campaign())}/stats`);
      const c = stats.counts, pct = (n, d) => (d ? `${((100 * n) / d).toFixed(1)}%` : "–");
      setKpi("dialled", c.dialled.toLocaleString(), `${c.pending} in progress`);
      setKpi("human", c.human.toLocaleString(), `${pct(c.human, c.dialled)} of dialled`);
      setKpi("connected", c.connected.toLocaleString(), `${c.ivr} to IVR`);
      setKpi("machine", c.machine.toLocaleString(), `${pct(c.machine, c.answered)} of answered`);
      for (const rate of stats.abandon) {
        setKpi(`abandon_${rate.window}`, `${rate.abandon_pct.toFixed(2)}%`,
          `${rate.abandoned} of ${rate.live_calls} live`, abandonLevel(rate.abandon_pct));
      }
      setKpi("penetration", `${stats.penetration_pct.toFixed(1)}%`,
        `${stats.debtors_attempted} of ${stats.debtors_total} debtors`);
      setStatus(stats.status);
      renderOutcomes(c);
      if (!chart.live) {
        // No live pacing in this process: draw the stored attempts instead.
        setRatioLegend("calls per connect");
        chart.setPoints(stats.buckets.map((b) => ({ t: Date.parse(b.start), ratio: b.dial_ratio, abandon: b.running_abandon_pct })));
      }
    } catch (error) { console.warn("stats", error); }
  }

  function setRatioLegend(text) { $("#ratio-legend").textContent = text; }

  const pacingPoint = (p) => ({ t: dialer.millis(p.at), ratio: p.ratio,
    abandon: p.abandon_pct !== undefined ? p.abandon_pct : p.predicted_abandon_pct });

  function goLive(points) {
    if (!chart.live) { chart.live = true; chart.setPoints(points); setRatioLegend("dial ratio"); }
  }

  async function loadPacingHistory() {
    try {
      const mine = (await dialer.api("GET", "/api/pacing/history")).filter(isMine);
      if (mine.length) goLive(mine.map(pacingPoint));
    } catch (error) { console.warn("pacing history", error); }
  }

  function refreshStatsSoon() {
    clearTimeout(statsTimer);
    statsTimer = setTimeout(loadStats, 500);
  }

  function setStatus(status) {
    const badge = $("#campaign-status");
    badge.textContent = status; badge.className = `badge status-${status}`;
  }

  function showDecision(p) {
    const predicted = p.predicted_abandon_pct !== undefined ? `, predicted abandon ${Number(p.predicted_abandon_pct).toFixed(2)}%` : "";
    const dial = p.dial !== undefined ? `dial ${p.dial}` : "";
    $("#decision").textContent = `${p.mode || ""} · ratio ${Number(p.ratio).toFixed(2)}${predicted} · ${dial} ${p.reason ? "— " + p.reason : ""}`;
    $("#decision").classList.remove("muted");
  }

  function fillControls(view) {
    for (const key of ["mode", "target_abandon_pct", "max_ratio", "intensity"]) {
      if (view[key] !== undefined && view[key] !== null && document.activeElement !== form.elements[key]) {
        form.elements[key].value = view[key];
      }
    }
    target = view.target_abandon_pct; chart.setTarget(target);
    if (view.status) setStatus(view.status);
    showDecision(view);
  }

  function enableControls(enabled, note) {
    for (const element of [...form.elements, ...actions.querySelectorAll("button")]) element.disabled = !enabled;
    message.textContent = note || "";
  }

  async function loadPacing() {
    if (!campaign()) { enableControls(false, "No campaigns yet."); return; }
    try {
      fillControls(await dialer.api("GET", `/api/campaigns/${encodeURIComponent(campaign())}/pacing`));
      enableControls(true);
    } catch (error) {
      if (error.status === 503) enableControls(false, "No dialer runs in this process: controls are off.");
      else if (error.status === 404) enableControls(true, "Campaign not loaded in the dialer yet.");
      else enableControls(false, error.message);
    }
  }

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { mode: form.elements.mode.value };
    for (const key of ["target_abandon_pct", "max_ratio", "intensity"]) {
      if (form.elements[key].value !== "") body[key] = Number(form.elements[key].value);
    }
    try {
      fillControls(await dialer.api("PUT", `/api/campaigns/${encodeURIComponent(campaign())}/pacing`, body));
      message.textContent = "Pacing settings applied.";
    } catch (error) { message.textContent = `Not applied: ${error.message}`; }
  });

  actions.addEventListener("click", async (event) => {
    const action = event.target.dataset && event.target.dataset.action;
    if (!action) return;
    try {
      const reply = await dialer.api("POST", `/api/campaigns/${encodeURIComponent(campaign())}/${action}`);
      if (reply.pacing) fillControls(reply.pacing);
      message.textContent = `Campaign ${campaign()}: ${action} done.`;
    } catch (error) { message.textContent = `${action} refused: ${error.message}`; }
  });

  select.addEventListener("change", () => {
    chart.live = false; chart.setPoints([]);
    history.replaceState(null, "", `/?campaign=${encodeURIComponent(campaign())}`);
    loadPacingHistory(); loadStats(); loadPacing();
  });

  const agentChanged = (a) => {
    agents.set(a.login, { ...agents.get(a.login), ...a, since: a.since || new Date().toISOString() });
    renderAgents();
  };

  dialer.stream({
    agent_state: agentChanged,
    break_overrun: agentChanged,
    pacing: (p) => {
      if (!isMine(p)) return;
      goLive([]);
      chart.add(pacingPoint(p));
      if (p.target_abandon_pct !== undefined) { target = p.target_abandon_pct; chart.setTarget(target); }
      showDecision(p);
    },
    campaign: (c) => { if (isMine(c)) { setStatus(c.status); refreshStatsSoon(); } },
    stats: (s) => { if ((!s.campaign && !s.campaign_id) || isMine(s)) refreshStatsSoon(); },
    attempt: (a) => { if (isMine(a)) refreshStatsSoon(); },
    result: () => refreshStatsSoon(),
  }, $("#stream"));

  setInterval(renderAgents, 1000);
  setInterval(loadStats, 15000);
  loadAgents(); loadPacingHistory().then(loadStats); loadPacing();
})();
