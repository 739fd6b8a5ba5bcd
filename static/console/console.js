/* Joinery console: small behaviours on server-rendered pages, no libraries.
 *
 *  - dependent selects: <select data-choices="/console/choices/tables"
 *      data-depends="source=id_reference_source schema=id_reference_schema" data-params="tracked=1">
 *    refill their options from the JSON endpoint whenever an element they depend on changes;
 *  - repeatable rows (Django formsets): [data-formset] clones its <template data-row-template>;
 *  - [data-show-when="name=value"] is shown only while the radio/select `name` has that value;
 *  - form[data-confirm] asks before submitting.
 */
(function () {
  "use strict";

  function dependencies(select) {
    return (select.dataset.depends || "").split(/\s+/).filter(Boolean).map(function (pair) {
      var parts = pair.split("=");
      return { param: parts[0], element: document.getElementById(parts[1]) };
    }).filter(function (dependency) { return dependency.element; });
  }

  function setOptions(select, choices) {
    var previous = select.value;
    select.replaceChildren(new Option("—", ""));
    choices.forEach(function (choice) { select.add(new Option(choice.label, choice.value)); });
    select.value = choices.some(function (c) { return c.value === previous; }) ? previous : "";
    select.dispatchEvent(new Event("change", { bubbles: true }));
  }

  function refresh(select) {
    var query = new URLSearchParams(select.dataset.params || "");
    var missing = dependencies(select).some(function (dependency) {
      query.set(dependency.param, dependency.element.value);
      return !dependency.element.value;
    });
    if (missing) { setOptions(select, []); return; }
    var url = select.dataset.choices + "?" + query.toString();
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { choices: [] }; })
      .then(function (body) { setOptions(select, body.choices || []); })
      .catch(function () { setOptions(select, []); });
  }

  function wireDependents(root) {
    root.querySelectorAll("select[data-choices]").forEach(function (select) {
      if (select.dataset.wired) { return; }
      select.dataset.wired = "1";
      dependencies(select).forEach(function (dependency) {
        dependency.element.addEventListener("change", function () { refresh(select); });
      });
    });
  }

  function addRow(formset) {
    var total = formset.querySelector('input[name$="-TOTAL_FORMS"]');
    var template = formset.querySelector("template[data-row-template]");
    var index = parseInt(total.value, 10);
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    formset.querySelector("[data-rows]").appendChild(row);
    total.value = String(index + 1);
    wireDependents(row);
    row.querySelectorAll("select[data-choices]").forEach(refresh);
    var first = row.querySelector("select, input");
    if (first) { first.focus(); }
  }

  function clearRow(row) {
    row.querySelectorAll("input, select, textarea").forEach(function (control) {
      if (control.type === "checkbox" || control.type === "radio") { control.checked = false; }
      else { control.value = ""; }
    });
    row.hidden = true;
  }

  function controlValue(form, name) {
    var checked = form.querySelector('input[name="' + name + '"]:checked');
    if (checked) { return checked.value; }
    var control = form.querySelector('[name="' + name + '"]:not([type="radio"])');
    return control ? control.value : "";
  }

  function applyShowWhen(form) {
    form.querySelectorAll("[data-show-when]").forEach(function (section) {
      var rule = section.dataset.showWhen.split("=");
      section.hidden = controlValue(form, rule[0]) !== rule[1];
    });
  }

  document.addEventListener("click", function (event) {
    var add = event.target.closest("[data-add-row]");
    if (add) { addRow(add.closest("[data-formset]")); return; }
    var remove = event.target.closest("[data-remove-row]");
    if (remove) { clearRow(remove.closest("[data-row]")); }
  });

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form) { applyShowWhen(form); }
  });

  document.addEventListener("submit", function (event) {
    var message = event.target.dataset.confirm;
    if (message && !window.confirm(message)) { event.preventDefault(); }
  });

  wireDependents(document);
  document.querySelectorAll("form").forEach(applyShowWhen);
})();
