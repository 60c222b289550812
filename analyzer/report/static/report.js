// trustmap report: filtering, sorting and collapsing only. The page is complete without this script.
// No network, no eval, no inline handlers; the CSP admits this script by its hash alone.
(function () {
  "use strict";
  var doc = document;
  doc.documentElement.classList.remove("no-js");
  doc.documentElement.classList.add("js");

  function openAncestors(el) {
    for (var node = el; node; node = node.parentElement) {
      if (node.tagName === "DETAILS") { node.open = true; }
    }
  }
  function revealHash() {
    var id = decodeURIComponent(location.hash.slice(1));
    var target = id && doc.getElementById(id);
    if (target) { openAncestors(target); target.scrollIntoView(); }
  }
  window.addEventListener("hashchange", revealHash);
  if (location.hash) { revealHash(); }

  // Filtering of the findings.
  var query = doc.getElementById("f-q");
  var status = doc.getElementById("f-status");
  var severity = doc.getElementById("f-sev");
  var counter = doc.getElementById("f-count");
  var none = doc.getElementById("f-none");
  var rules = Array.prototype.slice.call(doc.querySelectorAll("details.rule"));
  var findings = Array.prototype.slice.call(doc.querySelectorAll("#findings li.finding"));
  // What a result is found by: its line, its rule, and data-search (resource and subject ARNs, the
  // account's name and id, the region, each evidence file#pointer), lower-cased once.
  var texts = findings.map(function (li) {
    var head = li.querySelector("summary") || li.querySelector(".line");
    return ((head ? head.textContent : "") + " " + li.getAttribute("data-rule") + " " +
            (li.getAttribute("data-search") || "")).toLowerCase();
  });
  // The open/closed state of every collapsible in the findings before a filter applied, restored
  // when the filter is cleared: clearing the search gives back the page as it was.
  var collapsibles = Array.prototype.slice.call(doc.querySelectorAll("#findings details"));
  var before = null;
  function applyFilter() {
    var q = query.value.trim().toLowerCase();
    var st = status.value, sv = severity.value;
    var active = q !== "" || st !== "" || sv !== "";
    if (active && before === null) { before = collapsibles.map(function (d) { return d.open; }); }
    var shown = 0;
    findings.forEach(function (li, i) {
      var ok = !active || ((!st || li.getAttribute("data-status") === st) &&
               (!sv || li.getAttribute("data-severity") === sv) &&
               (!q || texts[i].indexOf(q) !== -1));
      if (li.hidden === ok) { li.hidden = !ok; }
      if (ok) { shown += 1; }
    });
    rules.forEach(function (rule) {
      var visible = !active || rule.querySelector("li.finding:not([hidden])") !== null;
      rule.hidden = !visible;
      if (active && visible) {
        rule.open = true;
        var passes = rule.querySelector("details.passes");
        if (passes) { passes.open = passes.querySelector("li.finding:not([hidden])") !== null; }
      }
    });
    if (!active && before !== null) {
      collapsibles.forEach(function (d, i) { d.open = before[i]; });
      before = null;
    }
    counter.textContent = active ? shown + " of " + findings.length + " results" : findings.length + " results";
    none.hidden = !active || shown > 0;
  }
  if (query && status && severity) {
    query.addEventListener("input", applyFilter);
    status.addEventListener("change", applyFilter);
    severity.addEventListener("change", applyFilter);
    applyFilter();
  }
  function setAll(open) {
    rules.forEach(function (rule) { if (!rule.hidden) { rule.open = open; } });
  }
  var openBtn = doc.getElementById("f-open"), closeBtn = doc.getElementById("f-close");
  if (openBtn) { openBtn.addEventListener("click", function () { setAll(true); }); }
  if (closeBtn) { closeBtn.addEventListener("click", function () { setAll(false); }); }

  // The paths without enforced MFA, narrowed to one account or principal (the map's drill-down).
  var pathQuery = doc.getElementById("p-q");
  if (pathQuery) {
    var pathRows = Array.prototype.slice.call(doc.querySelectorAll("table.problems tbody tr"));
    var pathTexts = pathRows.map(function (tr) {
      return Array.prototype.map.call(tr.cells, function (td) {
        return td.textContent + " " + (td.getAttribute("title") || "");
      }).join(" ").toLowerCase();
    });
    var pathCount = doc.getElementById("p-count");
    pathQuery.addEventListener("input", function () {
      var q = pathQuery.value.trim().toLowerCase(), shown = 0;
      pathRows.forEach(function (tr, i) {
        var ok = !q || pathTexts[i].indexOf(q) !== -1;
        tr.hidden = !ok;
        if (ok) { shown += 1; }
      });
      pathCount.textContent = q ? shown + " of " + pathRows.length + " paths" : "";
    });
  }

  // Copy an AWS CLI command of a remediation: the clipboard when the browser allows it from a file,
  // else the command is selected for the reader to copy.
  Array.prototype.forEach.call(doc.querySelectorAll("button.copy"), function (button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-copy");
      var code = button.previousElementSibling;
      function select() {
        var range = doc.createRange();
        range.selectNodeContents(code);
        var selection = window.getSelection();
        selection.removeAllRanges();
        selection.addRange(range);
        button.textContent = "selected";
      }
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { button.textContent = "copied"; }, select);
      } else {
        select();
      }
    });
  });

  // Sortable tables: click a header; numbers sort numerically.
  Array.prototype.forEach.call(doc.querySelectorAll("table.sortable"), function (table) {
    var heads = table.querySelectorAll("thead th");
    Array.prototype.forEach.call(heads, function (th, col) {
      th.addEventListener("click", function () {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var numeric = th.hasAttribute("data-num");
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col] ? a.cells[col].textContent.trim() : "";
          var y = b.cells[col] ? b.cells[col].textContent.trim() : "";
          var c = numeric ? (parseFloat(x) || 0) - (parseFloat(y) || 0) : x.localeCompare(y, undefined, {numeric: true});
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      });
    });
  });

  // Print what an auditor files: every rule and account with a problem opened, every failure with
  // its evidence, every other problem (not evaluated, suppressed) on its line with its reason; a rule
  // or account that only passes prints its summary line (its counts); lists of passes are not
  // opened, nor the map's drill-down and the inventory's file lists.
  var reopened = [];
  function printsOpen(d) {
    if (d.hidden || d.closest("details.passes, details.reach, details.overflow, details.inv")) { return false; }
    if (d.matches("details.rule, details.acct")) {
      return !d.matches(".is-pass, .is-none, .is-suppressed") && !(d.matches("details.acct") && !d.matches(".is-fail, .is-error"));
    }
    var result = d.closest("li.finding");
    if (result) { return /^(fail|error)$/.test(result.getAttribute("data-status")); }
    return true;
  }
  window.addEventListener("beforeprint", function () {
    reopened = Array.prototype.filter.call(doc.querySelectorAll("details:not([open])"), printsOpen);
    reopened.forEach(function (d) { d.open = true; });
  });
  window.addEventListener("afterprint", function () {
    reopened.forEach(function (d) { d.open = false; });
    reopened = [];
  });
})();
