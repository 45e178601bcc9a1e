// Framescope dashboard: every figure comes from the JSON API of the server that served this page.
// No inline script and no eval (the page runs under a strict Content-Security-Policy): Vega reads
// chart expressions with vega-interpreter, and text is put on the page as text nodes, never as HTML.
"use strict";

(function () {
  const $ = (id) => document.getElementById(id);
  const VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json";
  const EMBED_OPTIONS = {
    renderer: "svg",
    actions: { export: true, source: false, compiled: false, editor: false },
    defaultStyle: false, // its <style> element would be inline CSS; dashboard.css styles the menu
    forceActionsMenu: true, // the menu, although defaultStyle is off
    ast: true,
    expr: window.vegaInterpreter.expressionInterpreter,
    tooltip: { disableDefaultStyle: true },
  };
  const STANCE_COLOURS = { favor: "#1b7837", against: "#b2182b", neutral: "#878787" };
  const state = { outlets: [], groupOutlets: {} };

  function problemMessage(body, status) {
    if (!body || typeof body !== "object") return `HTTP ${status}`;
    const fields = (body.errors || []).map((e) => `${e.field || ""}: ${e.detail || ""}`.trim());
    return [body.detail || body.title || `HTTP ${status}`, ...fields].join(" — ");
  }

  // GET a /v1 URL as JSON; a problem+json answer becomes an Error carrying its detail.
  async function api(url) {
    const headers = { Accept: "application/json" };
    const key = $("api-key").value.trim();
    if (key) headers.Authorization = `Bearer ${key}`;
    const response = await fetch(url, { headers, credentials: "same-origin" });
    const body = await response.json().catch(() => null);
    if (!response.ok) throw new Error(problemMessage(body, response.status));
    return body;
  }

  // Every page of a cursor-paginated list (follows `next`).
  async function allPages(url) {
    const items = [];
    let next = url;
    while (next) {
      const page = await api(next);
      items.push(...page.items);
      next = page.next;
    }
    return items;
  }

  function setStatus(message, isError) {
    $("status").textContent = message;
    $("status").classList.toggle("error", Boolean(isError));
  }

  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  function option(value, label, selected) {
    const node = element("option", { value }, label);
    node.selected = Boolean(selected);
    return node;
  }

  async function loadChoices() {
    const params = new URLSearchParams(window.location.search);
    const [events, outlets] = await Promise.all([
      allPages("/v1/events?limit=500"),
      allPages("/v1/outlets?limit=500"),
    ]);
    state.outlets = outlets;
    state.loaded = true;
    const eventSelect = $("event");
    eventSelect.replaceChildren(option("all", "All events (tests stratified by event)"));
    for (const event of events) {
      const label = event.title && event.title !== event.key ? `${event.title} (${event.key})` : event.key;
      eventSelect.append(option(event.key, label, params.get("event") === event.key));
    }
    if (!params.get("event") && events.length === 1) eventSelect.value = events[0].key;
    const attributes = new Set();
    for (const outlet of outlets) {
      Object.keys(outlet.attributes || {}).forEach((name) => attributes.add(name));
      if (outlet.country) attributes.add("country");
      if (outlet.language) attributes.add("language");
    }
    const groupBy = $("group-by");
    groupBy.replaceChildren(option("", "outlets"));
    for (const name of [...attributes].sort()) {
      groupBy.append(option(name, `groups by ${name}`, params.get("group_by") === name));
    }
    if (params.get("interval")) $("interval").value = params.get("interval");
    const ticked = new Set((params.get("outlets") || "").split(",").filter(Boolean));
    const box = $("outlets");
    box.querySelectorAll("label").forEach((label) => label.remove());
    for (const outlet of outlets) {
      const input = element("input", { type: "checkbox", name: "outlet", value: outlet.key });
      input.checked = ticked.has(outlet.key);
      box.append(element("label", { class: "outlet" }, input, ` ${outlet.name}`));
    }
    if (!events.length) setStatus("No events are stored yet: post articles with an `event` first (see the README).", true);
  }

  function choices() {
    const outlets = [...document.querySelectorAll("#outlets input:checked")].map((input) => input.value);
    return {
      event: $("event").value,
      groupBy: $("group-by").value,
      interval: $("interval").value,
      outlets,
    };
  }

  function comparisonUrl(choice, extra) {
    const query = new URLSearchParams(extra);
    if (choice.groupBy) query.set("group_by", choice.groupBy);
    if (choice.outlets.length) query.set("outlets", choice.outlets.join(","));
    if (choice.event === "all") {
      query.set("events", "all");
      return `/v1/comparisons?${query}`;
    }
    return `/v1/events/${encodeURIComponent(choice.event)}/comparison?${query}`;
  }

  async function embed(target, spec, onClick) {
    spec.$schema = VEGA_LITE_SCHEMA; // same spec; says which Vega-Lite the page compiles it with
    const result = await window.vegaEmbed(target, spec, EMBED_OPTIONS);
    if (onClick) {
      result.view.addEventListener("click", (_event, item) => {
        if (item && item.datum) onClick(item.datum);
      });
    }
    return result;
  }

  function showError(target, error) {
    target.replaceChildren(element("p", { class: "error" }, error.message));
  }

  function stanceSpec(rows, unit) {
    const order = ["favor", "neutral", "against"];
    const colour = {
      field: "stance",
      type: "nominal",
      title: "Stance",
      sort: order,
      scale: { domain: order, range: order.map((label) => STANCE_COLOURS[label]) },
    };
    const percent = (field, title) => ({ field, type: "quantitative", format: ".1%", title });
    return {
      data: { values: rows },
      title: { text: `Stance by ${unit}`, subtitle: "Share of articles per label toward the target; line: 95% interval", anchor: "start" },
      height: { step: 18 },
      width: 420,
      encoding: {
        y: { field: unit, type: "nominal", title: unit[0].toUpperCase() + unit.slice(1), axis: { labelLimit: 240 } },
        yOffset: { field: "stance", type: "nominal", sort: order },
      },
      layer: [
        {
          mark: { type: "bar", cursor: "pointer" },
          encoding: {
            x: { field: "share", type: "quantitative", title: "Share of articles", scale: { domain: [0, 1] }, axis: { format: ".0%" } },
            color: colour,
            tooltip: [
              { field: unit, type: "nominal" },
              { field: "stance", type: "nominal" },
              { field: "count", type: "quantitative", title: "articles with this stance" },
              { field: "n", type: "quantitative", title: "articles with a stance on the target" },
              percent("share", "share"),
              percent("ci_low", "95% interval from"),
              percent("ci_high", "95% interval to"),
            ],
          },
        },
        {
          mark: { type: "rule", color: "#1f2328", strokeWidth: 1.5 },
          encoding: { x: { field: "ci_low", type: "quantitative" }, x2: { field: "ci_high" } },
        },
      ],
    };
  }

  const percent = (value) => `${Math.round(value * 100)}%`;

  // The heatmap's cells as table rows, each with a button to its articles (no pointer needed).
  function prevalenceTable(choice, rows, unit) {
    $("unit-heading").textContent = unit === "group" ? "Group" : "Outlet";
    $("prevalence-rows").replaceChildren(
      ...rows.map((row) => {
        const button = element("button", { type: "button" }, "Articles");
        button.disabled = row.count === 0;
        button.addEventListener("click", () => openEvidence(choice, row, "frame"));
        return element(
          "tr",
          {},
          element("th", { scope: "row" }, String(row[unit])),
          element("td", {}, row.frame),
          element("td", {}, `${row.count} of ${row.n}`),
          element("td", {}, percent(row.share)),
          element("td", {}, `${percent(row.ci_low)}–${percent(row.ci_high)}`),
          element("td", {}, button),
        );
      }),
    );
  }

  async function openEvidence(choice, datum, kind) {
    const unit = choice.groupBy ? "group" : "outlet";
    const name = datum[unit];
    const label = datum[kind];
    if (name === undefined || label === undefined) return;
    const query = new URLSearchParams({ [kind]: label, limit: "50" });
    query.set("events", choice.event);
    if (choice.groupBy) {
      query.set("group_by", choice.groupBy);
      query.set("group", name);
      if (choice.outlets.length) query.set("outlets", choice.outlets.join(","));
    } else {
      query.set("outlets", name);
    }
    const panel = $("evidence-panel");
    panel.hidden = false;
    $("evidence-title").textContent = `Evidence: ${name} · ${kind === "frame" ? "frame" : "stance"} ${label}`;
    $("evidence-summary").textContent = "Loading…";
    $("evidence").replaceChildren();
    try {
      const body = await api(`/v1/evidence?${query}`);
      const shown = body.articles.length;
      $("evidence-summary").textContent =
        `${body.n_articles} article${body.n_articles === 1 ? "" : "s"}` +
        (shown < body.n_articles ? ` (first ${shown} shown)` : "") +
        `; model ${body.model.version}. Highlighted: the sentences that carry the label.`;
      $("evidence").replaceChildren(...body.articles.map(window.framescopeEvidence.articleCard));
      panel.scrollIntoView({ behavior: "smooth", block: "start" });
    } catch (error) {
      $("evidence-summary").textContent = "";
      showError($("evidence"), error);
    }
  }

  async function show() {
    const choice = choices();
    const query = new URLSearchParams({ event: choice.event, interval: choice.interval });
    if (choice.groupBy) query.set("group_by", choice.groupBy);
    if (choice.outlets.length) query.set("outlets", choice.outlets.join(","));
    window.history.replaceState(null, "", `?${query}`);
    $("evidence-panel").hidden = true;
    setStatus("Comparing…");
    const unit = choice.groupBy ? "group" : "outlet";
    const heatmap = api(comparisonUrl(choice, { format: "vega-lite" }))
      .then((spec) => embed("#heatmap", spec, (datum) => openEvidence(choice, datum, "frame")))
      .catch((error) => showError($("heatmap"), error));
    const stance = api(comparisonUrl(choice, {}))
      .then((body) => {
        prevalenceTable(choice, body.tables.prevalence, unit);
        const rows = body.tables.stance.filter((row) => row.n > 0);
        const meta = body.metadata;
        const units = choice.groupBy ? meta.groups : meta.outlets;
        const n = Array.isArray(units) ? units.length : Object.keys(units || {}).length;
        setStatus(`Model ${meta.model.version}; ${n} ${unit}s, ${meta.n_articles} articles compared.`);
        return embed("#stance", stanceSpec(rows, unit), (datum) => openEvidence(choice, datum, "stance"));
      })
      .catch((error) => {
        setStatus(error.message, true);
        showError($("stance"), error);
      });
    const trendQuery = new URLSearchParams({ interval: choice.interval, format: "vega-lite" });
    if (choice.event !== "all") trendQuery.set("event", choice.event);
    if (choice.groupBy) trendQuery.set("group_by", choice.groupBy);
    if (choice.outlets.length) trendQuery.set("outlets", choice.outlets.join(","));
    const trends = api(`/v1/trends?${trendQuery}`)
      .then((spec) => embed("#trends", spec))
      .catch((error) => showError($("trends"), error));
    await Promise.all([heatmap, stance, trends]); // then start() sets body[data-ready] (tests, screenshots)
  }

  // Load the events and outlets once (again after a failure, e.g. before a key was typed), then chart.
  async function start(submitted) {
    document.body.dataset.ready = "false";
    try {
      if (!state.loaded) await loadChoices();
      const asked = submitted || new URLSearchParams(window.location.search).get("event");
      if ($("event").options.length > 1 || asked) await show();
    } catch (error) {
      const hint = /API key/.test(error.message) ? " Type a key above and press Show." : "";
      setStatus(error.message + hint, true);
    } finally {
      document.body.dataset.ready = "true";
    }
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("controls").addEventListener("submit", (event) => {
      event.preventDefault();
      start(true);
    });
    start(false);
  });
})();
