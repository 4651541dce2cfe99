// The access review page: everything is embedded (see report.py for the data layout); blocks of
// grants are inflated only when a view needs them, and every list is paged.
"use strict";
(function () {
  const PAGE = 100;
  const started = performance.now();
  let M = null; // the meta block
  const blocks = []; // Int32Array per grants block, once inflated
  let entsByOwner = null; // node index -> entitlement indexes
  let byPrincipal = null; // node index -> global triple offsets, once every block is in
  let holdingCount = null; // Int32Array: holdings per node
  const state = { page: {} };

  // ------------------------------------------------------------------ data
  async function inflate(id) {
    const text = document.getElementById(id).textContent;
    const bin = atob(text);
    const bytes = new Uint8Array(bin.length);
    for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
    const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
    return new Response(stream).arrayBuffer();
  }

  async function block(b) {
    if (!blocks[b]) blocks[b] = new Int32Array(await inflate("grants-" + b));
    return blocks[b];
  }

  async function allBlocks() {
    for (let b = 0; b < M.blocks.length; b++) await block(b);
    if (!byPrincipal) {
      byPrincipal = new Map();
      holdingCount = new Int32Array(M.nodes.length);
      for (let b = 0; b < M.blocks.length; b++) {
        const t = blocks[b];
        for (let i = 0; i < t.length; i += 3) {
          const p = t[i + 1];
          holdingCount[p]++;
          let list = byPrincipal.get(p);
          if (!list) byPrincipal.set(p, (list = []));
          list.push(b, i);
        }
      }
    }
  }

  // The triples of one resource: only the blocks whose entitlement range covers its entitlements.
  async function triplesOf(node) {
    const ents = entsByOwner.get(node) || [];
    const wanted = new Set(ents);
    const out = [];
    if (!ents.length) return out;
    const lo = Math.min(...ents), hi = Math.max(...ents);
    for (let b = 0; b < M.blocks.length; b++) {
      const info = M.blocks[b];
      if (info.last < lo || info.first > hi) continue;
      const t = await block(b);
      for (let i = 0; i < t.length; i += 3) if (wanted.has(t[i])) out.push([t[i], t[i + 1], t[i + 2]]);
    }
    return out;
  }

  // ------------------------------------------------------------------ names
  const num = (n) => Number(n).toLocaleString("en-US");
  const esc = (s) => String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const ref = (n) => M.types[M.nodes[n][0]] + ":" + M.nodes[n][1];
  const name = (n) => M.nodes[n][2];
  const isAccount = (n) => M.userTypes.includes(M.types[M.nodes[n][0]]);
  // An account's last-active date (the 8th node field, present only when the sync has one).
  const lastActive = (n) => (M.nodes[n][7] || "").slice(0, 10);
  function findNode(text) {
    for (let n = 0; n < M.nodes.length; n++) if (ref(n) === text) return n;
    return -1;
  }
  function nodeLink(n) {
    const [, , nm, key, email, kind, status] = M.nodes[n];
    const target = isAccount(n) ? "account" : "resource";
    let html = `<a href="#${target}=${encodeURIComponent(ref(n))}" data-ref="${esc(ref(n))}">${esc(nm)}</a>`;
    if (key) html += ` <span class="muted">${esc(key)}</span>`;
    if (email) html += ` <span class="muted">${esc(email)}</span>`;
    if (kind === "service") html += ` <span class="badge service">app</span>`;
    if (status === "disabled" || status === "deleted") html += ` <span class="badge ${status}">${status}</span>`;
    return html;
  }
  // How a holding came about: [direct?, [source nodes]].
  function route(code) {
    if (code === 0) return [true, []];
    const list = M.vias[Math.abs(code) - 1];
    return [code < 0, list.map((e) => M.entitlements[e][0])];
  }
  function howText(code) {
    const [direct, via] = route(code);
    const parts = direct ? ["direct"] : [];
    for (const g of via) parts.push("via " + nodeLink(g));
    return parts.join(", ") || "derived (source not recorded)";
  }

  // ------------------------------------------------------------------ paging
  function paged(key, rows, render) {
    const page = Math.min(state.page[key] || 0, Math.max(0, Math.ceil(rows.length / PAGE) - 1));
    const shown = rows.slice(page * PAGE, page * PAGE + PAGE);
    const pages = Math.max(1, Math.ceil(rows.length / PAGE));
    const pager = rows.length > PAGE
      ? `<div class="pager">page ${page + 1} of ${pages} (${rows.length} rows)` +
        `<button data-pager="${key}" data-to="${page - 1}" ${page === 0 ? "disabled" : ""}>previous</button>` +
        `<button data-pager="${key}" data-to="${page + 1}" ${page + 1 >= pages ? "disabled" : ""}>next</button></div>`
      : "";
    return pager + render(shown) + pager;
  }
  function table(headers, rows, cls) {
    if (!rows.length) return `<p class="note">none</p>`;
    return `<table class="${cls || ""}"><thead><tr>${headers.map((h) => `<th>${h}</th>`).join("")}</tr></thead><tbody>` +
      rows.map((r) => `<tr>${r.map((c) => `<td>${c}</td>`).join("")}</tr>`).join("") + `</tbody></table>`;
  }
  function cutNote(key, shown) {
    const total = M.highlightTotals[key];
    return total ? ` <span class="count">(showing ${shown} of ${total}; the export has them all)</span>` : "";
  }

  // ------------------------------------------------------------------ highlights
  function renderHighlights() {
    const h = M.highlights;
    const admin = [...h.adminSlugs.filter((s) => !s.startsWith(h.adminPrefix)), h.adminPrefix + "*"].join(", ");
    const total = (key) => M.highlightTotals[key] || h[key].length;
    const c = M.changes;
    const summary = [
      ...activitySummary(),
      ["inactive", `${num(total("inactive"))} disabled or deleted accounts still hold access`],
      ["service-admins", `${num(total("serviceAdmins"))} app accounts with ${esc(admin)}`],
      ["open", `${num(total("open"))} resources open to classes of users (anonymous and the like)`],
      ["many-admins", `${num(total("manyAdmins"))} accounts with ${esc(admin)} on ${h.manyThreshold} or more resources`],
      ["direct-users", `${num(total("directUsers"))} accounts granted access directly, not via groups`],
      ["changes", c ? `since the previous sync: ${num(c.grants_added.count)} grants added, ${num(c.grants_removed.count)} removed, ` +
        `${num(c.resources_added.count)} resources added, ${num(c.resources_removed.count)} removed` : "no earlier sync to compare with"],
    ];
    let html = `<ul class="summary">${summary.map(([id, line]) => `<li><a href="#tab=highlights" data-jump="h-${id}">${line}</a></li>`).join("")}</ul>`;
    html += renderActivity() + renderSite();
    html += `<h2 id="h-inactive">Disabled or deleted accounts that still hold access <span class="count">${M.highlightTotals.inactive || h.inactive.length}</span>${cutNote("inactive", h.inactive.length)}</h2>`;
    html += table(["account", "status", "holdings"], h.inactive.map(([n, c]) => [nodeLink(n), esc(M.nodes[n][6]), c]), "inactive");
    html += `<h2 id="h-service-admins">App accounts with ${esc(admin)} <span class="count">${h.serviceAdmins.length}</span></h2>`;
    html += table(["account", "administers"], h.serviceAdmins.map(([n, rs]) => [nodeLink(n), rs.map(nodeLink).join(", ")]), "service-admins");
    html += `<h2 id="h-open">Open to classes of users (anonymous and the like) <span class="count">${h.open.length}</span>${cutNote("open", h.open.length)}</h2>`;
    html += table(["resource", "granted to", "permissions"], h.open.map(([r, who, slugs]) => [nodeLink(r), esc(name(who)) + ` <span class="muted">${esc(ref(who))}</span>`, esc(slugs.join(", "))]), "open");
    html += `<h2 id="h-many-admins">Accounts with ${esc(admin)} on ${h.manyThreshold} or more resources <span class="count">${h.manyAdmins.length}</span>${cutNote("manyAdmins", h.manyAdmins.length)}</h2>`;
    html += table(["account", "resources administered"], h.manyAdmins.map(([n, c]) => [nodeLink(n), c]), "many-admins");
    html += `<h2 id="h-direct-users">Access granted to accounts directly, not via groups <span class="count">${M.highlightTotals.directUsers || h.directUsers.length} accounts</span>${cutNote("directUsers", h.directUsers.length)}</h2>`;
    html += table(["account", "direct grants"], h.directUsers.map(([n, c]) => [nodeLink(n), c]), "direct-users");
    html += renderChanges();
    document.getElementById("highlights").innerHTML = html;
  }

  // ------------------------------------------------------------------ dormant accounts and the site (issue 20)
  function idleText() {
    const a = M.highlights.activity;
    return `no activity for ${a.days} days before the sync ended (${esc(a.now.slice(0, 10))}), or never`;
  }
  function activitySummary() {
    const h = M.highlights;
    const site = h.site;
    const lines = [];
    if (h.activity.synced) {
      lines.push(["dormant-admins", `${num(total("dormantAdmins"))} dormant administrators (${idleText()})`]);
      lines.push(["dormant", `${num(total("dormant"))} dormant accounts still hold access`]);
    } else {
      lines.push(["dormant", notSynced()]);
    }
    if (site.resources.length) lines.push(["site", `${num(new Set(site.admins.map(([n]) => n)).size)} accounts can administer the site`]);
    return lines;
    function total(key) { return M.highlightTotals[key] || h[key].length; }
  }
  function notSynced() {
    const option = M.highlights.activity.option;
    return `last activity not synced${option ? " (" + esc(option) + ")" : ""}: no account in this sync has a last-active date`;
  }
  function renderActivity() {
    const h = M.highlights;
    if (!h.activity.synced) {
      return `<h2 id="h-dormant">Dormant accounts</h2><p class="note" id="activity-missing">${notSynced()}.</p>`;
    }
    const when = (n) => lastActive(n) || `<span class="badge never">never</span>`;
    let html = `<h2 id="h-dormant-admins" class="${h.dormantAdmins.length ? "finding" : ""}">Dormant administrators <span class="count">${M.highlightTotals.dormantAdmins || h.dormantAdmins.length}</span>${cutNote("dormantAdmins", h.dormantAdmins.length)}</h2>`;
    html += `<p class="muted">Accounts that administer the site or a space, with ${idleText()}.</p>`;
    html += table(["account", "last active", "administers"], h.dormantAdmins.map(([n, rs]) => [nodeLink(n), when(n), rs.map(nodeLink).join(", ")]), "dormant-admins");
    html += `<h2 id="h-dormant">Dormant accounts that still hold access <span class="count">${M.highlightTotals.dormant || h.dormant.length}</span>${cutNote("dormant", h.dormant.length)}</h2>`;
    html += `<p class="muted">Enabled accounts with ${idleText()}; never active first, then the longest idle.</p>`;
    html += table(["account", "last active", "holdings"], h.dormant.map(([n, c]) => [nodeLink(n), when(n), c]), "dormant");
    return html;
  }
  function renderSite() {
    const site = M.highlights.site;
    if (!site.resources.length) return "";
    const who = (n) => nodeLink(n) + (isAccount(n) ? "" : ` <span class="muted">${esc(ref(n))}</span>`);
    let html = `<h2 id="h-site">Site-wide permissions of ${site.resources.map(nodeLink).join(", ")}</h2>`;
    html += table(["permission", "accounts", "granted directly to", "via groups (members)"], site.permissions.map(([e, accounts, direct, directTotal, groups]) => [
      esc(M.entitlements[e][1]),
      num(accounts),
      direct.map(who).join(", ") + (directTotal > direct.length ? ` <span class="count">(showing ${direct.length} of ${directTotal})</span>` : ""),
      groups.map(([g, c]) => `${nodeLink(g)} (${num(c)})`).join(", "),
    ]), "site-permissions");
    const more = site.adminsTotal > site.admins.length ? ` <span class="count">(showing ${site.admins.length} of ${site.adminsTotal})</span>` : "";
    html += `<h3 id="h-site-admins">Who can administer the site <span class="count">${site.adminsTotal}</span>${more}</h3>`;
    const dormant = new Set(M.highlights.dormant.map(([n]) => n));
    const idle = (n) => (lastActive(n) || (M.highlights.activity.synced ? "never" : "")) + (dormant.has(n) ? ` <span class="badge dormant">dormant</span>` : "");
    const admins = [...site.admins].sort((a, b) => name(a[0]).localeCompare(name(b[0])) || M.entitlements[a[1]][1].localeCompare(M.entitlements[b[1]][1]));
    html += table(["account", "permission", "how", "last active"], admins.map(([n, e, code]) => [nodeLink(n), esc(M.entitlements[e][1]), howText(code), idle(n)]), "site-admins");
    return html;
  }

  function renderChanges() {
    const c = M.changes;
    if (!c) return `<h2 id="h-changes">Changes</h2><p class="note">The file holds no earlier full sync to compare with.</p>`;
    let html = `<h2 id="h-changes">Changes since sync ${esc(c.from)} <span class="count">(ended ${esc(c.fromEnded)})</span></h2>`;
    const kinds = ["resource", "entitlement", "grant"];
    html += table(["", "added", "removed"], kinds.map((k) => [k + "s", c[k + "s_added"].count, c[k + "s_removed"].count]));
    for (const k of kinds) for (const change of ["added", "removed"]) {
      const part = c[k + "s_" + change];
      if (!part.count) continue;
      const more = part.count > part.ids.length ? ` <span class="count">(showing ${part.ids.length} of ${part.count})</span>` : "";
      html += `<details><summary>${k}s ${change}: ${part.count}${more}</summary><ul>` +
        part.ids.map((id, i) => `<li>${esc(part.labels[i])} <span class="muted">${esc(id)}</span></li>`).join("") + `</ul></details>`;
    }
    return html;
  }

  // ------------------------------------------------------------------ resources
  function resourceTypes() {
    const owners = new Set([...entsByOwner.keys()].map((n) => M.nodes[n][0]));
    return [...owners].map((t) => M.types[t]);
  }
  function renderResourceList() {
    const type = document.getElementById("resource-type").value;
    const q = document.getElementById("resource-q").value.trim().toLowerCase();
    const rows = [...entsByOwner.keys()].filter((n) => M.types[M.nodes[n][0]] === type)
      .filter((n) => !q || [M.nodes[n][1], M.nodes[n][2], M.nodes[n][3]].some((s) => String(s).toLowerCase().includes(q)))
      .sort((a, b) => name(a).localeCompare(name(b)));
    document.getElementById("resource-list").innerHTML = `<p class="count">${rows.length} of type ${esc(type)}</p>` +
      paged("resources", rows, (shown) => table(["name", "id", "entitlements"], shown.map((n) => [nodeLink(n), esc(M.nodes[n][1]), entsByOwner.get(n).length])));
  }
  async function renderResource(n) {
    const detail = document.getElementById("resource-detail");
    detail.innerHTML = `<p class="note">loading…</p>`;
    const ents = entsByOwner.get(n) || [];
    const column = new Map(ents.map((e, i) => [e, i]));
    const rows = new Map(); // principal -> codes per column
    for (const [e, p, code] of await triplesOf(n)) {
      if (!rows.has(p)) rows.set(p, new Array(ents.length).fill(null));
      rows.get(p)[column.get(e)] = code;
    }
    const filter = (state.matrixQ || "").toLowerCase();
    const principals = [...rows.keys()].filter((p) => !filter || (name(p) + " " + M.nodes[p][4] + " " + ref(p)).toLowerCase().includes(filter))
      .sort((a, b) => name(a).localeCompare(name(b)));
    const cell = (code) => {
      if (code === null) return "";
      const [direct, via] = route(code);
      const title = esc([direct ? "direct" : "", ...via.map((g) => "via " + name(g))].filter(Boolean).join(", "));
      const mark = direct && via.length ? `<span class="dg" title="${title}">D+G</span>` : direct ? `<span class="d" title="${title}">D</span>` : `<span class="g" title="${title}">G</span>`;
      return mark;
    };
    const head = `<tr><th>principal</th>${ents.map((e) => `<th class="perm">${esc(M.entitlements[e][1])}</th>`).join("")}</tr>`;
    detail.innerHTML = `<h2>${nodeLink(n)} <span class="count">${esc(ref(n))}: ${rows.size} principals</span></h2>` +
      `<p class="muted">D: granted directly; G: via a group (hover for which); D+G: both.</p>` +
      `<div class="filters"><label>Filter principals <input id="matrix-q" type="search" value="${esc(state.matrixQ || "")}"></label></div>` +
      paged("matrix", principals, (shown) => `<table class="matrix"><thead>${head}</thead><tbody>` +
        shown.map((p) => `<tr><td>${nodeLink(p)}</td>${rows.get(p).map((c) => `<td class="cell">${cell(c)}</td>`).join("")}</tr>`).join("") +
        `</tbody></table>`);
    const input = document.getElementById("matrix-q");
    input.addEventListener("change", () => { state.matrixQ = input.value; state.page.matrix = 0; settle("resource", () => renderResource(n)); });
  }

  // ------------------------------------------------------------------ accounts
  function matchingAccounts() {
    const q = document.getElementById("account-q").value.trim().toLowerCase();
    const status = document.getElementById("account-status").value;
    const kind = document.getElementById("account-type").value;
    const holding = document.getElementById("account-holding").checked;
    const out = [];
    for (let n = 0; n < M.nodes.length; n++) {
      if (!isAccount(n)) continue;
      const [, id, nm, , email, k, st] = M.nodes[n];
      if (status && st !== status) continue;
      if (kind && k !== kind) continue;
      if (holding && !holdingCount[n]) continue;
      if (q && !(id.toLowerCase().includes(q) || nm.toLowerCase().includes(q) || email.toLowerCase().includes(q))) continue;
      out.push(n);
    }
    return out.sort((a, b) => name(a).localeCompare(name(b)));
  }
  async function renderAccounts() {
    const list = document.getElementById("account-list");
    if (!byPrincipal) list.innerHTML = `<p class="note">loading access…</p>`;
    await allBlocks();
    const rows = matchingAccounts();
    list.innerHTML = `<p class="count" id="account-count">${rows.length} accounts</p>` +
      paged("accounts", rows, (shown) => table(["account", "id", "type", "status", "holdings", "last active"],
        shown.map((n) => [nodeLink(n), esc(M.nodes[n][1]), esc(M.nodes[n][5] || "-"), esc(M.nodes[n][6] || "-"), holdingCount[n], esc(lastActive(n))]), "accounts"));
    if (rows.length === 1) await renderAccount(rows[0]);
    else document.getElementById("account-detail").innerHTML = "";
  }
  async function renderAccount(n) {
    await allBlocks();
    if (state.accessFor !== n) Object.assign(state, { accessFor: n, accessQ: "", accessHow: "" });
    const entries = [];
    const list = byPrincipal.get(n) || [];
    for (let i = 0; i < list.length; i += 2) {
      const t = blocks[list[i]], o = list[i + 1];
      entries.push([t[o], t[o + 2]]);
    }
    const owner = (e) => M.entitlements[e][0];
    entries.sort((a, b) => name(owner(a[0])).localeCompare(name(owner(b[0]))) || M.entitlements[a[0]][1].localeCompare(M.entitlements[b[0]][1]));
    const q = (state.accessQ || "").toLowerCase();
    const how = state.accessHow || "";
    const shownEntries = entries.filter(([e, code]) => {
      const [direct, via] = route(code);
      if (how === "direct" && !direct) return false;
      if (how === "via" && !via.length) return false;
      const r = owner(e);
      return !q || [name(r), M.nodes[r][3], ref(r), M.entitlements[e][1]].some((s) => String(s).toLowerCase().includes(q));
    });
    const [, , nm, , email, kind, status] = M.nodes[n];
    const detail = document.getElementById("account-detail");
    detail.innerHTML =
      `<h2 id="account-title">${esc(nm)} <span class="count">${esc(ref(n))}</span></h2>` +
      `<p>${email ? esc(email) + " · " : ""}account type ${esc(kind || "unspecified")} · status <span class="badge ${esc(status)}">${esc(status || "unspecified")}</span> · ${entries.length} holdings${lastActive(n) ? " · last active " + esc(lastActive(n)) : ""}</p>` +
      `<div class="filters"><label>Filter <input id="access-q" type="search" placeholder="resource, key or permission" value="${esc(state.accessQ || "")}"></label>` +
      `<label>How <select id="access-how"><option value="">direct or via a group</option><option value="direct">direct</option><option value="via">via a group</option></select></label>` +
      `<span class="count" id="access-count">${shownEntries.length} shown</span></div>` +
      paged("account", shownEntries, (shown) => table(["resource", "entitlement", "how"],
        shown.map(([e, code]) => [nodeLink(owner(e)), esc(M.entitlements[e][1]), howText(code)]), "access"));
    const select = document.getElementById("access-how");
    select.value = how;
    const refine = () => {
      state.accessQ = document.getElementById("access-q").value;
      state.accessHow = select.value;
      state.page.account = 0;
      settle("account", () => renderAccount(n));
    };
    document.getElementById("access-q").addEventListener("change", refine);
    select.addEventListener("change", refine);
  }

  // ------------------------------------------------------------------ restricted content
  // M.restricted (report_layered.py): items [node, container, layers, effective count, [effective (cut)], [[blocked, reasons]]].
  function renderRestricted() {
    const r = M.restricted;
    const items = r ? r.items : [];
    let html = `<h2>Restricted content <span class="count">${num(items.length)}</span></h2>`;
    html += `<p class="note">Who can actually ${esc(r ? r.slug : "view")} each item: ${esc(r ? r.gate : "")} on its ` +
      `container and listed (directly or through a group) on every restriction of the item and its ancestors. ` +
      `"Listed but blocked" are named by the item's own list and still cannot.</p>`;
    const byContainer = new Map();
    for (const item of items) {
      if (!byContainer.has(item[1])) byContainer.set(item[1], []);
      byContainer.get(item[1]).push(item);
    }
    const people = (count, ns) => count ? `<details><summary>${num(count)}</summary>${ns.map(nodeLink).join("<br>")}` +
      (count > ns.length ? `<br><span class="count">(showing ${ns.length}; inspect restricted -o json has them all)</span>` : "") +
      `</details>` : "0";
    for (const [container, rows] of byContainer) {
      html += `<h3 class="restricted-space">${container >= 0 ? nodeLink(container) : "(no container)"} <span class="count">${rows.length}</span></h3>`;
      html += paged(`restricted-${container}`, rows, (shown) => table(["item", "restriction layers", "can view", "listed but blocked"],
        shown.map(([n, , layers, count, eff, blocked]) => [nodeLink(n), layers, people(count, eff),
          blocked.map(([u, why]) => `${nodeLink(u)} <span class="muted">${esc(why.join("; "))}</span>`).join("<br>") || "none"]), "restricted"));
    }
    document.getElementById("restricted").innerHTML = html;
  }

  // ------------------------------------------------------------------ routing
  function params() { return new URLSearchParams(location.hash.slice(1)); }
  function show(tab) {
    for (const s of document.querySelectorAll("section.tab")) s.hidden = s.id !== tab;
    for (const a of document.querySelectorAll("nav a")) a.classList.toggle("active", a.dataset.tab === tab);
  }
  // Every view change goes through here: body[data-ready] names the view once it is drawn, and
  // data-view-ms says how long that took (data-gen counts the changes; the latest one wins).
  let generation = 0;
  async function settle(view, work) {
    const mine = ++generation;
    const t0 = performance.now();
    document.body.dataset.ready = "";
    document.body.dataset.gen = String(mine);
    const shown = (await work()) || view;
    if (mine !== generation) return;
    document.body.dataset.viewMs = String(Math.round(performance.now() - t0));
    document.body.dataset.readyMs = String(Math.round(performance.now() - started));
    document.body.dataset.ready = shown;
  }

  const route_ = () => settle("", routeNow);
  async function routeNow() {
    const p = params();
    let view = p.get("tab") || "highlights";
    if (p.get("account")) {
      show("accounts");
      const n = findNode(p.get("account"));
      // the list narrowed to this account, so that its access shows right under it
      if (n >= 0) document.getElementById("account-q").value = M.nodes[n][1];
      await renderAccounts();
      if (n >= 0) await renderAccount(n);
      view = "account";
    } else if (p.get("resource")) {
      show("resources");
      const n = findNode(p.get("resource"));
      if (n >= 0) {
        document.getElementById("resource-type").value = M.types[M.nodes[n][0]];
        document.getElementById("resource-q").value = M.nodes[n][1];
        renderResourceList();
        await renderResource(n);
      }
      view = "resource";
    } else if (view === "accounts") {
      show("accounts");
      if (p.has("q")) document.getElementById("account-q").value = p.get("q");
      if (p.has("status")) document.getElementById("account-status").value = p.get("status");
      if (p.has("type")) document.getElementById("account-type").value = p.get("type");
      await renderAccounts();
    } else if (view === "restricted") {
      show("restricted");
      renderRestricted();
    } else if (view === "resources") {
      show("resources");
      if (p.has("type")) document.getElementById("resource-type").value = p.get("type");
      if (p.has("q")) document.getElementById("resource-q").value = p.get("q");
      renderResourceList();
      document.getElementById("resource-detail").innerHTML = "";
    } else {
      show("highlights");
    }
    return view;
  }

  async function start() {
    M = JSON.parse(new TextDecoder().decode(await inflate("meta")));
    entsByOwner = new Map();
    M.entitlements.forEach(([owner], e) => {
      if (!entsByOwner.has(owner)) entsByOwner.set(owner, []);
      entsByOwner.get(owner).push(e);
    });
    const accounts = M.nodes.filter((_, n) => isAccount(n)).length;
    document.getElementById("summary").textContent =
      `${M.file}, sync ${M.sync.id} (ended ${M.sync.ended}): ${accounts} accounts, ${entsByOwner.size} resources with entitlements, ${num(M.grants)} grants.`;
    const types = resourceTypes().sort((a, b) => (M.groupTypes.includes(a) - M.groupTypes.includes(b)) || a.localeCompare(b));
    document.getElementById("resource-type").innerHTML = types.map((t) => `<option>${esc(t)}</option>`).join("");
    renderHighlights();
    document.getElementById("restricted-tab").hidden = !(M.restricted && M.restricted.items.length);
    document.body.dataset.firstMs = String(Math.round(performance.now() - started));

    document.addEventListener("click", (ev) => {
      const jump = ev.target.closest("a[data-jump]");
      if (jump) {
        ev.preventDefault();
        document.getElementById(jump.dataset.jump).scrollIntoView();
        return;
      }
      const button = ev.target.closest("button[data-pager]");
      if (!button) return;
      state.page[button.dataset.pager] = Number(button.dataset.to);
      route_();
    });
    const refilter = (key, fn) => () => { state.page[key] = 0; settle(key, fn); };
    document.getElementById("account-q").addEventListener("input", refilter("accounts", renderAccounts));
    for (const id of ["account-status", "account-type", "account-holding"]) document.getElementById(id).addEventListener("change", refilter("accounts", renderAccounts));
    document.getElementById("resource-q").addEventListener("input", refilter("resources", renderResourceList));
    document.getElementById("resource-type").addEventListener("change", refilter("resources", renderResourceList));
    window.addEventListener("hashchange", () => { state.page = {}; route_(); });
    await route_();
  }

  start().catch((err) => {
    document.getElementById("summary").textContent = "The review data could not be read: " + err;
    document.body.dataset.ready = "error";
  });
})();
