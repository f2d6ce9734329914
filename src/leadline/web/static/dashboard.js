// leadline dashboard: progressive enhancement only; every page works without it.
// Choosing a collection, an interval or a statistic shows it at once (dates wait for "Show").
"use strict";
document.addEventListener("DOMContentLoaded", () => {
  const form = document.getElementById("picker");
  if (!form) return;
  for (const id of ["subject", "interval", "stat"]) {
    const field = document.getElementById(id);
    if (field) field.addEventListener("change", () => { if (form.subject.value) form.submit(); });
  }
});
