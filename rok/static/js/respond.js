/* rOK answering: save every tap in the background and move between cards without
 * reloading. Without this script the cards are plain forms that work the same.
 * The server's answer is the truth: an answer counts as saved only when the server
 * acknowledged it; until then it waits in localStorage and is retried. */
(function () {
  "use strict";

  var QUEUE_KEY = "rok-respond-queue";
  var MAX_DELAY = 30000;
  var retryDelay = 1000;
  var retryTimer = null;
  var flushing = null;
  var acknowledged = {};  // statement id -> body the server confirmed

  function card() { return document.querySelector("form.answer-card"); }

  function statusEl() { return document.querySelector(".save-status"); }

  function say(kind, text) {
    var el = statusEl();
    if (!el) { return; }
    el.classList.toggle("is-error", kind === "failed" || kind === "retry");
    el.classList.toggle("is-saved", kind === "saved");
    el.textContent = text || el.getAttribute("data-" + kind) || "";
  }

  function loadQueue() {
    try { return JSON.parse(window.localStorage.getItem(QUEUE_KEY)) || []; }
    catch (e) { return []; }
  }

  function storeQueue(queue) {
    try {
      if (queue.length) { window.localStorage.setItem(QUEUE_KEY, JSON.stringify(queue)); }
      else { window.localStorage.removeItem(QUEUE_KEY); }
    } catch (e) { /* private mode: the in-memory copy still retries */ }
  }

  var memoryQueue = loadQueue();

  function enqueue(entry) {
    memoryQueue = memoryQueue.filter(function (item) {
      return !(item.url === entry.url && item.body.statement === entry.body.statement);
    });
    memoryQueue.push(entry);
    storeQueue(memoryQueue);
  }

  function dequeue(entry) {
    memoryQueue = memoryQueue.filter(function (item) { return item !== entry; });
    storeQueue(memoryQueue);
  }

  function pendingFor(statement) {
    return memoryQueue.some(function (item) { return item.body.statement === statement; });
  }

  function stateOf(form) {
    var agreement = form.querySelector("input[name=agreement]:checked");
    var action = form.querySelector("input[name=action]:checked");
    return {
      statement: Number(form.getAttribute("data-statement")),
      agreement: agreement ? agreement.value : null,
      action: action ? action.value : null
    };
  }

  function same(a, b) { return JSON.stringify(a) === JSON.stringify(b); }

  function currentCsrf(fallback) {
    // The page's token wins: a queued entry may outlive the session it came from.
    var field = document.querySelector("input[name=csrf_token]");
    return field ? field.value : fallback;
  }

  function send(entry) {
    return window.fetch(entry.url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "Accept": "application/json",
        "X-CSRFToken": currentCsrf(entry.csrf)
      },
      body: JSON.stringify(entry.body)
    }).then(function (response) {
      if (response.ok) { return { ok: true }; }
      if (response.status === 429 || response.status >= 500) {
        throw new Error("retry");  // busy or down: try again later
      }
      return response.json().catch(function () { return {}; }).then(function (data) {
        return { ok: false, error: data.error };
      });
    });
  }

  function scheduleRetry() {
    if (retryTimer) { return; }
    retryTimer = window.setTimeout(function () {
      retryTimer = null;
      flush();
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, MAX_DELAY);
  }

  /* Send queued answers one by one; resolves when the queue is empty or the
   * connection failed (then a retry is scheduled). */
  function flush() {
    if (flushing) { return flushing; }
    flushing = (function next() {
      var entry = memoryQueue[0];
      if (!entry) { return Promise.resolve(true); }
      return send(entry).then(function (result) {
        dequeue(entry);
        if (result.ok) {
          acknowledged[entry.body.statement] = entry.body;
          retryDelay = 1000;
          if (!memoryQueue.length) { say("saved"); }
        } else {
          say("failed", result.error);
        }
        return next();
      }, function () {
        say("retry");
        scheduleRetry();
        return false;
      });
    })().then(function (done) {
      flushing = null;
      return done;
    });
    return flushing;
  }

  function remember(form) {
    var state = stateOf(form);
    if (state.agreement !== null || state.action !== null) {
      acknowledged[state.statement] = state;
    }
  }

  function saveCard(form) {
    var state = stateOf(form);
    if (state.agreement === null && state.action === null) { return flush(); }
    if (!pendingFor(state.statement) && same(acknowledged[state.statement], state)) {
      return flush();
    }
    var csrf = form.querySelector("input[name=csrf_token]");
    enqueue({ url: form.getAttribute("data-save-url"), csrf: csrf ? csrf.value : "",
              body: state });
    say("saving");
    return flush();
  }

  function focusHeading(main) {
    var heading = main.querySelector("h1");
    if (heading) {
      heading.setAttribute("tabindex", "-1");
      heading.focus({ preventScroll: true });
    }
    window.scrollTo(0, 0);
  }

  /* Load the next page's <main> and swap it in; a full navigation if that fails
   * in an unexpected way. */
  function go(url) {
    return window.fetch(url, { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("text/html") === -1) { throw new Error("not html"); }
        return response.text().then(function (html) {
          var doc = new window.DOMParser().parseFromString(html, "text/html");
          var incoming = doc.querySelector("main");
          var main = document.querySelector("main");
          if (!incoming || !main) { throw new Error("no main"); }
          main.innerHTML = incoming.innerHTML;
          document.title = doc.title;
          window.history.pushState({ rok: true }, "", response.url || url);
          var form = card();
          if (form) { remember(form); }
          focusHeading(main);
        });
      }, function () {
        say("retry");
        return Promise.reject(new Error("offline"));
      });
  }

  document.addEventListener("change", function (event) {
    var form = event.target.form;
    if (form && form.classList.contains("answer-card") && event.target.type === "radio") {
      saveCard(form);
    }
  });

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form.classList || !form.classList.contains("answer-card")) { return; }
    event.preventDefault();
    var submitter = event.submitter;
    var back = submitter && submitter.value === "back";
    var target = form.getAttribute(back ? "data-previous" : "data-next");
    if (!target) { return; }
    var buttons = form.querySelectorAll("button");
    Array.prototype.forEach.call(buttons, function (b) { b.disabled = true; });
    saveCard(form).then(function () {
      if (pendingFor(stateOf(form).statement)) { throw new Error("unsaved"); }
      return go(target);
    }).catch(function () {
      Array.prototype.forEach.call(buttons, function (b) { b.disabled = false; });
    });
  });

  window.addEventListener("popstate", function () { window.location.reload(); });
  window.addEventListener("online", function () { retryDelay = 1000; flush(); });

  var first = card();
  if (first) { remember(first); }
  if (memoryQueue.length) { flush(); }
}());
