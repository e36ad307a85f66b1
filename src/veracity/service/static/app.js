// veracity web page: the only script (no dependencies). The page works without it; this adds one thing: select a
// passage of the article and ask which persuasion technique it uses, answered in place (aria-live) without a reload.
"use strict";
(function () {
  var article = document.getElementById("article");
  var form = document.getElementById("passage-form");
  if (!article || !form) { return; }
  var passage = document.getElementById("passage");
  var startField = document.getElementById("passage-start");
  var endField = document.getElementById("passage-end");
  var result = document.getElementById("passage-result");
  var button = document.getElementById("passage-button");
  var fullText = article.textContent;

  // Offsets in Python str indices (code points), as the report uses, not UTF-16 units.
  function codePoints(s) { return Array.from(s).length; }

  function selectionInArticle() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0 || sel.isCollapsed) { return null; }
    var range = sel.getRangeAt(0);
    if (!article.contains(range.startContainer) || !article.contains(range.endContainer)) { return null; }
    var before = document.createRange();
    before.setStart(article, 0);
    before.setEnd(range.startContainer, range.startOffset);
    var text = range.toString();
    if (!text.trim()) { return null; }
    var start = codePoints(before.toString());
    return { start: start, end: start + codePoints(text), text: text };
  }

  function takeSelection() {
    var picked = selectionInArticle();
    if (!picked) { return; }
    passage.value = picked.text;
    startField.value = String(picked.start);
    endField.value = String(picked.end);
  }
  article.addEventListener("mouseup", takeSelection);
  article.addEventListener("keyup", takeSelection);
  passage.addEventListener("input", function () { startField.value = ""; endField.value = ""; });

  function show(nodes) {
    result.textContent = "";
    nodes.forEach(function (n) { result.appendChild(n); });
  }
  function el(tag, text, cls) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = text; }
    if (cls) { node.className = cls; }
    return node;
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var body = new URLSearchParams();
    body.set("passage", passage.value);
    if (startField.value && endField.value) {
      body.set("context", fullText);
      body.set("start", startField.value);
      body.set("end", endField.value);
    }
    button.setAttribute("aria-busy", "true");
    button.disabled = true;
    show([el("p", "Asking…", "hint")]);
    fetch("/passage", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json" },
      body: body.toString()
    }).then(function (response) {
      return response.json().then(function (data) { return { ok: response.ok, data: data }; });
    }).then(function (answer) {
      if (!answer.ok) {
        var err = answer.data && answer.data.error ? answer.data.error : { type: "Error", message: "request failed" };
        show([el("p", err.type + ": " + err.message, "error")]);
        return;
      }
      var labels = answer.data.labels || [];
      if (labels.length === 0) {
        show([el("p", "No persuasion technique recognised in this passage.", "hint")]);
        return;
      }
      var list = el("ul");
      labels.forEach(function (item) {
        var li = el("li");
        li.appendChild(el("strong", item.label));
        if (typeof item.score === "number") { li.appendChild(document.createTextNode(" (" + item.score.toFixed(2) + ")")); }
        if (item.definition) { li.appendChild(document.createTextNode(": " + item.definition)); }
        list.appendChild(li);
      });
      show([el("p", "“" + answer.data.passage + "”", "hint"), list]);
    }).catch(function () {
      show([el("p", "The server could not be reached; try again.", "error")]);
    }).finally(function () {
      button.removeAttribute("aria-busy");
      button.disabled = false;
    });
  });
})();
