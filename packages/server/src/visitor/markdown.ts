import MarkdownIt from 'markdown-it';

/**
 * Markdown of rule descriptions and the privacy text, rendered safe: raw HTML is escaped (not
 * passed through), links are limited to http(s) and mailto, and open with no referrer or opener.
 * Rules may come from a remote rules file: their text is treated as untrusted.
 */
const markdown = new MarkdownIt({ html: false, linkify: false, typographer: false });

const SAFE_LINK = /^(https?:|mailto:)/i;
markdown.validateLink = (url) => SAFE_LINK.test(url.trim());

const renderLinkOpen = markdown.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
markdown.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx]!.attrSet('rel', 'noopener noreferrer nofollow');
  return renderLinkOpen(tokens, idx, options, env, self);
};

// Images would load from anywhere the text names: shown as their alt text instead.
markdown.renderer.rules.image = (tokens, idx) => markdown.utils.escapeHtml(tokens[idx]!.content);

/** Sanitized HTML of a markdown text. */
export function renderMarkdown(text: string): string {
  return markdown.render(text);
}
