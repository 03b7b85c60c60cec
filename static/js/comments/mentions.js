// @mention completion in comment boxes: typing "@" and the start of a name lists the organization's
// members (from the text area's data-mentions-url); a click, Enter or Tab puts "@username " in the text.
// Listeners sit on the document, so comment forms that htmx swaps in work too. Also lets htmx show a
// refused comment form (400) with its errors in place, on pages without the site-wide htmx setting.
(function () {
  "use strict";
  if (window.rumboMentions) { return; }
  window.rumboMentions = true;

  var MENTION_BEFORE_CARET = /(^|[^\w@.+-])@([\w.@+-]{0,50})$/;
  var list = null;
  var state = { area: null, start: 0, items: [], active: 0, request: 0 };

  function close() {
    if (list) { list.remove(); }
    list = null;
    state.items = [];
    if (state.area) { state.area.removeAttribute("aria-activedescendant"); }
  }

  function choose(index) {
    var item = state.items[index];
    var area = state.area;
    if (!item || !area) { return; }
    var caret = area.selectionStart;
    var before = area.value.slice(0, state.start);
    var after = area.value.slice(caret);
    var inserted = "@" + item.username + " ";
    area.value = before + inserted + after;
    var position = before.length + inserted.length;
    area.setSelectionRange(position, position);
    close();
    area.focus();
  }

  function highlight(index) {
    if (!list) { return; }
    state.active = index;
    Array.prototype.forEach.call(list.children, function (option, i) {
      var on = i === index;
      option.setAttribute("aria-selected", on ? "true" : "false");
      option.style.background = on ? "var(--pico-primary-background, #1095c1)" : "";
      option.style.color = on ? "var(--pico-primary-inverse, #fff)" : "";
      if (on) { state.area.setAttribute("aria-activedescendant", option.id); }
    });
  }

  function show(area, items) {
    close();
    if (!items.length) { return; }
    state.items = items;
    list = document.createElement("ul");
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Members");
    list.className = "mention-suggestions";
    list.style.cssText = "position:absolute;z-index:20;list-style:none;margin:0;padding:0;" +
      "background:var(--pico-card-background-color,#fff);border:1px solid var(--pico-muted-border-color,#ccc);" +
      "border-radius:.25rem;box-shadow:0 2px 8px rgba(0,0,0,.15);min-width:14rem;max-width:24rem;";
    items.forEach(function (item, i) {
      var option = document.createElement("li");
      option.id = "mention-option-" + i;
      option.setAttribute("role", "option");
      option.dataset.username = item.username;
      option.style.cssText = "padding:.3rem .6rem;cursor:pointer;list-style:none;margin:0;";
      var name = document.createElement("strong");
      name.textContent = item.name;
      var username = document.createElement("small");
      username.textContent = " @" + item.username;
      option.appendChild(name);
      option.appendChild(username);
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        choose(i);
      });
      list.appendChild(option);
    });
    var host = area.closest(".mention-host") || area.parentNode;
    host.style.position = "relative";
    list.style.left = "0";
    list.style.top = (area.offsetTop + area.offsetHeight) + "px";
    host.appendChild(list);
    area.setAttribute("aria-controls", "mention-suggestions");
    list.id = "mention-suggestions";
    highlight(0);
  }

  function lookup(area) {
    var caret = area.selectionStart;
    var match = MENTION_BEFORE_CARET.exec(area.value.slice(0, caret));
    if (!match) { close(); return; }
    state.area = area;
    state.start = caret - match[2].length - 1;
    var request = ++state.request;
    var url = area.dataset.mentionsUrl + "?q=" + encodeURIComponent(match[2]);
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : { results: [] }; })
      .then(function (data) {
        if (request === state.request && document.activeElement === area) { show(area, data.results || []); }
      })
      .catch(close);
  }

  document.addEventListener("input", function (event) {
    var area = event.target;
    if (area.matches && area.matches("textarea[data-mentions-url]")) { lookup(area); }
  });

  document.addEventListener("keydown", function (event) {
    if (!list || event.target !== state.area) { return; }
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((state.active + step + state.items.length) % state.items.length);
    } else if (event.key === "Enter" || event.key === "Tab") {
      event.preventDefault();
      choose(state.active);
    } else if (event.key === "Escape") {
      close();
    }
  });

  document.addEventListener("focusout", function (event) {
    if (event.target === state.area) { window.setTimeout(close, 150); }
  });

  // A refused comment form comes back as a 400 with its errors: show it in place.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (event.detail.xhr.status === 400 && target && target.id === "comments-thread") {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });
})();
