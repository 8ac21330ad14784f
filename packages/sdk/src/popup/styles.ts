/**
 * The popup's CSS, adopted by its shadow root: nothing leaks into the page and the page's CSS
 * cannot reach inside. Light and dark, and no motion for those who ask for none. Kept compact:
 * it ships in every page's SDK.
 */
export const POPUP_CSS = `
.box{box-sizing:border-box;max-width:min(22rem,calc(100vw - 2rem));padding:.75rem .9rem;border-radius:.6rem;font:14px/1.45 system-ui,sans-serif;color:#1d2330;background:#fff;border:1px solid #d5dae3;box-shadow:0 6px 24px #0003;display:flex;gap:.6rem;align-items:flex-start;transition:opacity .6s}
.fading{opacity:0}
.dot{flex:none;width:.7rem;height:.7rem;margin-top:.3rem;border-radius:50%;background:#8a93a3}
.observing .dot{animation:p 1.2s infinite}
.clean .dot{background:#1a7f37}
.problems .dot{background:#c62828}
.body{flex:1;min-width:0}
p{margin:0;font-weight:600}
ul{margin:.35rem 0 .5rem;padding-left:1.1rem}
li{overflow-wrap:break-word}
a{color:#1f5fbf;font-weight:600}
button{flex:none;font:inherit;font-size:1.1rem;width:1.75rem;height:1.75rem;margin:-.25rem -.35rem 0 0;border:0;border-radius:.3rem;background:none;color:inherit;cursor:pointer}
button:hover{background:#8882}
:focus-visible{outline:2px solid;outline-offset:2px}
@keyframes p{50%{opacity:.35}}
@media (prefers-color-scheme:dark){.box{color:#e6e9ef;background:#1d2128;border-color:#394150}a{color:#8fb8ff}.problems .dot{background:#ff6b6b}.clean .dot{background:#5fcf80}}
@media (prefers-reduced-motion:reduce){.box{transition:none}.dot{animation:none!important}}
`;
