// What an injecting extension or adware does to a page, at run time. Each line is one
// violation of the default policy; none of them carries the page's nonce.
(() => {
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

  // 4. The beacon an ad-injecting extension sends home (img-src). Its shape is one a shipped rule
  // knows (the Monetizus framework's), so the popup names it: "Ad-injecting extension". The host is
  // under .invalid, which never resolves: nothing leaves the machine.
  new Image().src = 'https://metrics.adware.invalid/metric/?mid=&wid=51067&sid=&tid=3490&rid=LOADED';

  // 5. eval (script-src, blocked-uri "eval").
  try {
    eval('1 + 1');
  } catch (_e) {
    // Enforcing mode throws an EvalError.
  }
})();
