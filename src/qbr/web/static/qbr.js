// Small progressive enhancements; every page works without this file.
// (Period pickers deliberately do not navigate on change: arrowing through a select must not load pages.)
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  // The print view's Print button needs this script, so it stays hidden without it.
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.hidden = false;
    button.addEventListener("click", () => window.print());
  }

  // The overview's search filters the table while typing (the form still searches server-side on Enter).
  const search = document.querySelector("input[data-filter-rows]");
  if (search) {
    const rows = document.querySelectorAll(search.dataset.filterRows);
    const status = document.getElementById(search.dataset.filterStatus);
    const filter = () => {
      const needle = search.value.trim().toLowerCase();
      let shown = 0;
      for (const row of rows) {
        const match = !needle || row.dataset.name.includes(needle);
        row.hidden = !match;
        if (match) shown += 1;
      }
      if (status) status.textContent = `${shown} of ${rows.length} organizations shown`;
    };
    search.addEventListener("input", filter);
  }

  // KPI formulas are checked against the catalog while they are typed (the server checks again on save).
  const formula = document.querySelector("input[data-formula-check]");
  if (formula) {
    const output = document.getElementById("formula-check");
    let timer = 0;
    const check = async () => {
      const url = new URL(formula.dataset.formulaCheck, window.location.href);
      url.searchParams.set("formula", formula.value);
      url.searchParams.set("kpi_name", formula.dataset.kpiName || "");
      const response = await fetch(url, { credentials: "same-origin" });
      if (!response.ok) return;
      const result = await response.json();
      output.textContent = result.message;
      output.className = `formula-check ${result.ok ? "muted" : "field-error"}`;
      formula.setAttribute("aria-invalid", result.ok ? "false" : "true");
    };
    formula.addEventListener("input", () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, 400);
    });
  }
});
