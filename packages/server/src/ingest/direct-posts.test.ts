import Router from '@koa/router';
import type { Context, Next } from 'koa';
import { beforeEach, describe, expect, it } from 'vitest';
import { DirectPosts } from './direct-posts.js';

describe('DirectPosts', () => {
  let router: Router;
  let posts: DirectPosts;
  let answered: string[];
  const boundary = async (ctx: Context, next: Next) => {
    ctx.set('X-Boundary', 'yes');
    await next();
  };
  const request = (method: string, path: string) => {
    const headers: Record<string, string> = {};
    return {
      method,
      path,
      params: undefined as unknown,
      set: (name: string, value: string) => (headers[name] = value),
      headers,
    } as unknown as Context & { headers: Record<string, string> };
  };

  beforeEach(() => {
    router = new Router({ prefix: '/csp' });
    posts = new DirectPosts(router, '/csp', boundary);
    answered = [];
    posts.post('/report/:token', async (ctx) => void answered.push(`report ${ctx.params.token}`));
    posts.post('/report', async (ctx) => void answered.push(`plain ${JSON.stringify(ctx.params)}`));
    posts.post('/events/:token', async (ctx) => void answered.push(`events ${ctx.params.token}`));
  });

  it('answers its POSTs through the boundary, with the token as a parameter', async () => {
    const ctx = request('POST', '/csp/report/abc.def');
    await posts.dispatch(ctx);
    await posts.dispatch(request('POST', '/csp/events/xyz'));
    await posts.dispatch(request('POST', '/csp/report'));
    expect(answered).toEqual(['report abc.def', 'events xyz', 'plain {}']);
    expect(ctx.headers).toEqual({ 'X-Boundary': 'yes' });
  });

  it('matches as the router does: any case, a trailing slash, the token percent-decoded', async () => {
    await posts.dispatch(request('POST', '/csp/Report/a%2Eb/'));
    await posts.dispatch(request('POST', '/csp/report/'));
    await posts.dispatch(request('POST', '/csp/report/bad%E0%A4%A'));
    expect(answered).toEqual(['report a.b', 'plain {}', 'report bad%E0%A4%A']);
    for (const path of ['/csp/Report/a%2Eb/', '/csp/report/']) expect(router.match(path, 'POST').route).toBe(true);
  });

  it('leaves everything else to the router, which knows its paths too (for 405 and Allow)', () => {
    for (const [method, path] of [
      ['GET', '/csp/report/abc'],
      ['OPTIONS', '/csp/events/abc'],
      ['POST', '/csp/report/a/b'],
      ['POST', '/csp/events'],
      ['POST', '/csp/verdict/abc'],
      ['POST', '/csp'],
    ]) {
      expect(posts.dispatch(request(method!, path!)), `${method} ${path}`).toBeNull();
    }
    expect(answered).toEqual([]);
    expect(router.match('/csp/report/abc', 'GET').path.map((layer) => layer.methods)).toContainEqual(expect.arrayContaining(['POST']));
  });

  it('takes only the path shapes it can match', () => {
    expect(() => posts.post('/report/:token/:other', async () => undefined)).toThrow(/\/name or \/name\/:token/);
    expect(() => posts.post('/admin/api/:id', async () => undefined)).toThrow(/\/name or \/name\/:token/);
  });
});
