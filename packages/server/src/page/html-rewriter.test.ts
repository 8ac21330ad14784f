import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { rewriteHtml, rewriteHtmlStream, type RewriteSpec } from './html-rewriter.js';

const spec: RewriteSpec = { nonce: 'N+/=', scriptNonce: true, styleNonce: true, inject: '<script id="sdk"></script>' };

describe('rewriteHtml', () => {
  it('adds nonces to script, style and stylesheet links lacking one', async () => {
    const out = await rewriteHtml(
      `<!doctype html><html><head><script src="/a.js"></script><style>p{}</style><link rel="stylesheet" href="/s.css"><link rel="icon" href="/f.ico"></head>` +
        `<body><script nonce="own">1</script><SCRIPT>2</SCRIPT><link rel="modulepreload" href="/m.js"></body></html>`,
      { ...spec, inject: undefined },
    );
    expect(out).toBe(
      `<!doctype html><html><head><script src="/a.js" nonce="N+/="></script><style nonce="N+/=">p{}</style><link rel="stylesheet" href="/s.css" nonce="N+/="><link rel="icon" href="/f.ico"></head>` +
        `<body><script nonce="own">1</script><script nonce="N+/=">2</SCRIPT><link rel="modulepreload" href="/m.js" nonce="N+/="></body></html>`,
    );
  });

  it('leaves text that only looks like tags alone', async () => {
    const html = `<head></head><body><!-- <script>x</script> --><textarea><script>y</script></textarea><script>var s = "<style>";</script></body>`;
    const out = await rewriteHtml(html, { ...spec, inject: undefined });
    expect(out).toBe(
      `<head></head><body><!-- <script>x</script> --><textarea><script>y</script></textarea><script nonce="N+/=">var s = "<style>";</script></body>`,
    );
  });

  it('injects right after <head>, else before <body>, else before </body>', async () => {
    expect(await rewriteHtml('<html><head><title>t</title></head><body></body></html>', spec)).toBe(
      '<html><head><script id="sdk"></script><title>t</title></head><body></body></html>',
    );
    expect(await rewriteHtml('<title>t</title><body><p>x</p></body>', spec)).toBe(
      '<title>t</title><script id="sdk"></script><body><p>x</p></body>',
    );
    expect(await rewriteHtml('<p>x</p></body>', spec)).toBe('<p>x</p><script id="sdk"></script></body>');
    expect(await rewriteHtml('<p>fragment</p>', spec)).toBe('<p>fragment</p>');
  });

  it('honours the switches', async () => {
    const out = await rewriteHtml('<script></script><style></style>', { nonce: 'N', scriptNonce: false, styleNonce: true });
    expect(out).toBe('<script></script><style nonce="N"></style>');
  });
});

describe('rewriteHtml on a page with nothing to change', () => {
  it('returns the page as it got it', async () => {
    const html = `<!doctype html><p>${'text <b>bold</b> '.repeat(1000)}<script nonce="n">1</script>`;
    expect(await rewriteHtml(html, { ...spec, inject: undefined })).toBe(html);
  });
});

describe('rewriteHtmlStream', () => {
  it('ends the output with the error of the source', async () => {
    const source = new Readable({ read() {} });
    const out = rewriteHtmlStream(source, spec);
    source.push('<head><script>');
    source.destroy(new Error('upstream failed'));
    await expect(
      (async () => {
        for await (const _ of out);
      })(),
    ).rejects.toThrow('upstream failed');
  });

  it('rewrites across chunk boundaries, multi-byte characters included', async () => {
    const html = '<html><head></head><body><p>é — ünïcødé</p><script>1</script></body></html>';
    const bytes = Buffer.from(html);
    const chunks = Array.from({ length: bytes.length }, (_, i) => bytes.subarray(i, i + 1));
    let out = '';
    for await (const chunk of rewriteHtmlStream(Readable.from(chunks), spec)) out += chunk;
    expect(out).toBe('<html><head><script id="sdk"></script></head><body><p>é — ünïcødé</p><script nonce="N+/=">1</script></body></html>');
  });
});

describe('latin1 documents (windows-1252 and ISO-8859-1 bodies)', () => {
  const latin1: RewriteSpec = {
    nonce: 'N',
    scriptNonce: true,
    styleNonce: true,
    encoding: 'latin1',
    inject: '<script data-strings="{&quot;label&quot;:&quot;Pr\u00fcfung \u2713 \u{1F512}&quot;}"></script>',
  };
  // Every byte from 0x80 to 0xFF in the text, an attribute with references to characters beyond
  // U+00FF on a tag that gets the nonce, and a NUL in an attribute name of that tag.
  const high = Buffer.from(Array.from({ length: 128 }, (_, i) => 0x80 + i));
  const page = Buffer.concat([
    Buffer.from('<html><head><title>t</title></head><body><p>', 'latin1'),
    high,
    Buffer.from('</p><script title="&euro; &#x1F512; caf\xe9" a\0b="1">x()</script></body></html>', 'latin1'),
  ]);

  it('writes every byte of the page back as it was, and what it adds as references', async () => {
    const chunks = Array.from({ length: Math.ceil(page.length / 7) }, (_, i) => page.subarray(i * 7, i * 7 + 7));
    const out: Buffer[] = [];
    for await (const chunk of rewriteHtmlStream(Readable.from(chunks), latin1)) out.push(chunk as Buffer);
    const bytes = Buffer.concat(out);
    expect(bytes.includes(high)).toBe(true);
    const text = bytes.toString('latin1');
    expect(text).toContain('<script data-strings="{&quot;label&quot;:&quot;Pr\xfcfung &#x2713; &#x1f512;&quot;}"></script><title>');
    expect(text).toContain('<script title="&#x20ac; &#x1f512; caf\xe9" a\0b="1" nonce="N">x()</script>');
    expect(bytes.equals(Buffer.from(rewriteHtml(page.toString('latin1'), latin1), 'latin1'))).toBe(true);
  });
});
