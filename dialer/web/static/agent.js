// Agent screen: state buttons, the debtor's case pushed live, and the result form.
"use strict";

(() => {
  const $ = (selector) => document.querySelector(selector);
  const root = $("#agent"), login = root.dataset.login;
  const form = $("#result-form"), submit = $("#submit-result");
  const KIND_LABELS = { promise_to_pay: "Promise to pay", refusal: "Refusal", dispute: "Dispute",
    wrong_party: "Wrong party", callback: "Callback", paid_already: "Paid already", survey: "Survey" };
  let me = null, current = null;  // current = {debtor_id, attempt_id, case}

  function showState() {
    if (!me) return;
    const badge = $("#my-state");
    badge.textContent = dialer.stateLabel(me.state);
    badge.className = `badge state-${me.state}`;
    const seconds = me.since ? (Date.now() - Date.parse(me.since)) / 1000 : 0;
    const over = me.state === "paused" && (me.overrun === true
      || (me.allowance_s !== null && me.allowance_s !== undefined && seconds > me.allowance_s));
    $("#my-time").textContent = `${dialer.duration(seconds)}${me.reason && me.state === "paused" ? " · " + me.reason : ""}${over ? " · break overrun" : ""}`;
    $("#my-time").className = over ? "err-text" : "muted";
  }

  async function loadMe() {
    try {
      const list = await dialer.api("GET", "/api/agents");
      me = list.find((a) => a.login === login) || null;
      showState();
      if (me && me.debtor_id && !current) loadCase(me.debtor_id, me.attempt_id);
    } catch (error) { $("#desk-message").textContent = error.message; }
  }

  function money(amount, currency) {
    const value = Number(amount);
    return `${value.toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 })} ${currency || ""}`;
  }

  function historyRows(c) {
    const rows = [
      ...c.attempts.map((a) => ({ at: a.at, what: "Call", detail: `${a.number} · ${(a.outcome || "in progress").replace("_", " ")}`, agent: a.agent })),
      ...c.results.map((r) => ({ at: r.at, what: KIND_LABELS[r.kind] || r.kind,
        detail: [r.amount ? money(r.amount, r.currency) : "", r.promised_date ? `by ${r.promised_date}` : "",
          r.callback_at ? `at ${dialer.when(r.callback_at)}` : "", r.note].filter(Boolean).join(" · "), agent: r.agent || r.source })),
    ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));
    if (rows.length === 0) return [dialer.el("tr", {}, dialer.el("td", { class: "empty", colspan: 4 }, "First contact"))];
    return rows.map((r) => dialer.el("tr", {}, dialer.el("td", {}, dialer.when(r.at)), dialer.el("td", {}, r.what),
      dialer.el("td", {}, r.detail), dialer.el("td", {}, r.agent || "")));
  }

  function showCase(c, number) {
    $("#case-empty").hidden = true; $("#case-body").hidden = false;
    $("#case-name").textContent = c.name;
    $("#case-account").textContent = c.account_id;
    $("#case-creditor").textContent = [c.creditor, c.portfolio].filter(Boolean).join(" · ") || "—";
    $("#case-balance").textContent = money(c.balance, c.currency);
    $("#case-due").textContent = c.due_date || "—";
    $("#case-campaign").textContent = c.campaign ? `campaign ${c.campaign}` : "";
    $("#case-phones").replaceChildren(...c.phones.map((p) => dialer.el("li",
      { class: [p.bad ? "bad" : "", p.number === number ? "current" : ""].join(" ").trim() },
      `${p.number} `, dialer.el("span", { class: "muted small" }, p.kind))));
    $("#case-history tbody").replaceChildren(...historyRows(c));
    form.elements.amount.placeholder = c.currency;
    submit.disabled = false;
  }

  async function loadCase(debtorId, attemptId, number) {
    try {
      const c = await dialer.api("GET", `/api/debtors/${debtorId}`);
      current = { debtor_id: debtorId, attempt_id: attemptId || null, case: c, number };
      showCase(c, number);
    } catch (error) { $("#desk-message").textContent = `Case ${debtorId}: ${error.message}`; }
  }

  function showKindFields() {
    const kind = form.elements.kind.value;
    for (const fieldset of form.querySelectorAll("fieldset[data-for]")) fieldset.hidden = fieldset.dataset.for !== kind;
  }

  form.addEventListener("change", showKindFields);

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!current) return;
    const kind = form.elements.kind.value, out = $("#result-message");
    const body = { debtor_id: current.debtor_id, attempt_id: current.attempt_id, kind, note: form.elements.note.value };
    if (kind === "promise_to_pay") {
      body.amount = form.elements.amount.value; body.promised_date = form.elements.promised_date.value;
      body.currency = current.case.currency;
    }
    if (kind === "callback") {
      const local = form.elements.callback_at.value;
      body.callback_at = local ? new Date(local).toISOString() : "";
      body.callback_to_me = form.elements.callback_to_me.checked;
    }
    submit.disabled = true;
    try {
      const reply = await dialer.api("POST", `/api/agents/${encodeURIComponent(login)}/disposition`, body);
      out.className = "small ok-text";
      out.textContent = `Saved ${KIND_LABELS[kind].toLowerCase()} (result #${reply.id}).`;
      form.reset(); showKindFields();
      await loadCase(current.debtor_id, current.attempt_id, current.number);
    } catch (error) {
      out.className = "small err-text"; out.textContent = `Not saved: ${error.message}`;
      submit.disabled = false;
    }
  });

  root.addEventListener("click", async (event) => {
    const action = event.target.dataset && event.target.dataset.state;
    if (!action) return;
    const body = { action };
    if (action === "pause") body.reason = $("#pause-reason").value;
    try {
      me = await dialer.api("POST", `/api/agents/${encodeURIComponent(login)}/state`, body);
      $("#desk-message").textContent = "";
      showState();
    } catch (error) { $("#desk-message").textContent = `${action}: ${error.message}`; }
  });

  if (root.dataset.desk !== "live") {
    for (const button of root.querySelectorAll("button[data-state]")) button.disabled = true;
    $("#desk-message").textContent = "No ACD runs in this process: state buttons are off.";
  }

  dialer.stream({
    agent_state: (a) => { if (a.login === login) { me = { ...me, ...a, since: a.since || new Date().toISOString() }; showState(); } },
    call: (c) => {
      if (c.login !== login) return;
      $("#result-message").textContent = "";
      loadCase(c.debtor_id, c.attempt_id, c.number);
    },
    call_ended: (c) => { if (c.login === login) $("#result-message").textContent = "Call ended: save the result."; },
  }, $("#stream"));

  setInterval(showState, 1000);
  showKindFields();
  loadMe();
})();
