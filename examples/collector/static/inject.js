// What adware does to a page at run time: a script from a host the rules know (Superfish) and
// an inline style. Neither carries the page's nonce, so both are violations.
(() => {
  var adware = document.createElement('script');
  adware.src = 'https://www.superfish.com/ws/sf_main.js';
  document.head.appendChild(adware);
  var style = document.createElement('style');
  style.textContent = 'main { outline: 2px dashed orange; }';
  document.head.appendChild(style);
})();
