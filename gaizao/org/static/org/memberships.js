/* The account form's 岗位 rows (角色与所在组织机构): 添加岗位 adds a row from the formset's empty
   form (its "__prefix__" replaced by the next index) and counts it in TOTAL_FORMS, up to MAX_NUM. */
(function () {
  "use strict";
  var button = document.querySelector("[data-add-membership]");
  if (!button) { return; }
  var prefix = button.getAttribute("data-prefix");
  var rows = document.getElementById(prefix + "-rows");
  var template = document.getElementById(prefix + "-empty");
  var total = document.getElementById("id_" + prefix + "-TOTAL_FORMS");
  var max = parseInt(document.getElementById("id_" + prefix + "-MAX_NUM_FORMS").value, 10);

  function refresh() {
    button.disabled = parseInt(total.value, 10) >= max;
  }

  button.addEventListener("click", function () {
    var index = parseInt(total.value, 10);
    if (index >= max) { return; }
    var holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    var row = holder.firstElementChild;
    rows.appendChild(row);
    total.value = String(index + 1);
    var first = row.querySelector("select, input");
    if (first) { first.focus(); }
    refresh();
  });
  refresh();
}());
