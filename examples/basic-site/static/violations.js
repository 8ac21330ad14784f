// What an injecting extension or adware does to a page, at run time. Each line is one
// violation of the default policy; none of them carries the page's nonce.
(function () {
  // 1. An inline script without nonce (script-src-elem, blocked-uri "inline").
  var inline = document.createElement('script');
  inline.textContent = 'window.__injected = true;';
  document.head.appendChild(inline);

  // 2. A script from a disallowed origin (script-src-elem, blocked-uri the URL).
  var remote = document.createElement('script');
  remote.src = 'https://ads.injector.invalid/inject.js';
  document.head.appendChild(remote);

  // 3. An inline style element (style-src-elem).
  var style = document.createElement('style');
  style.textContent = 'body { outline: 2px solid orange; }';
  document.head.appendChild(style);

  // 4. eval (script-src, blocked-uri "eval").
  try {
    eval('1 + 1');
  } catch (e) {
    // Enforcing mode throws an EvalError.
  }
})();
