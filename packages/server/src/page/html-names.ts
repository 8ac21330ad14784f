// Element names and attribute-name adjustments the HTML rewriter needs (html-rewriter.ts).

/** What the rewriter may have to do about an element name (bit flags). */
export const F_SCRIPT = 1;
export const F_STYLE = 2;
export const F_LINK = 4;
export const F_HTML = 8;
export const F_HEAD = 16;
export const F_BODY = 32;
export const F_SVG = 64;
export const F_MATH = 128;
/** Its content is raw text: style, xmp, iframe, noembed, noframes, noscript (scripting on, as parse5). */
export const F_RAWTEXT = 256;
/** Its content is RCDATA: textarea, title. */
export const F_RCDATA = 512;
export const F_PLAINTEXT = 1024;
/** A start tag that ends foreign (SVG, MathML) content. */
export const F_EXIT = 2048;
/** `font`, which ends foreign content when it has a color, face or size attribute. */
export const F_FONT = 4096;
/** An SVG HTML integration point: foreignObject, desc, title. */
export const F_SVG_IP = 8192;
/** A MathML text integration point: mi, mo, mn, ms, mtext. */
export const F_MATH_TIP = 16384;
/** `annotation-xml`, an HTML integration point with encoding="text/html" or "application/xhtml+xml". */
export const F_ANNOTATION = 32768;
/** Tags whose attributes the rewriter reads. */
export const F_READS_ATTRS = F_SCRIPT | F_STYLE | F_LINK | F_HTML | F_FONT | F_ANNOTATION;

const EXITS = [
  'b',
  'big',
  'blockquote',
  'body',
  'br',
  'center',
  'code',
  'dd',
  'div',
  'dl',
  'dt',
  'em',
  'embed',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'head',
  'hr',
  'i',
  'img',
  'li',
  'listing',
  'menu',
  'meta',
  'nobr',
  'ol',
  'p',
  'pre',
  'ruby',
  's',
  'small',
  'span',
  'strong',
  'strike',
  'sub',
  'sup',
  'table',
  'tt',
  'u',
  'ul',
  'var',
];

/** Lower-case element name to its flags; names absent here need nothing. */
export const NAME_FLAGS = new Map<string, number>();
const add = (names: string[], flag: number) => {
  for (const name of names) NAME_FLAGS.set(name, (NAME_FLAGS.get(name) ?? 0) | flag);
};
add(['script'], F_SCRIPT);
add(['style'], F_STYLE | F_RAWTEXT);
add(['link'], F_LINK);
add(['html'], F_HTML);
add(['head'], F_HEAD);
add(['body'], F_BODY);
add(['svg'], F_SVG);
add(['math'], F_MATH);
add(['xmp', 'iframe', 'noembed', 'noframes', 'noscript'], F_RAWTEXT);
add(['textarea', 'title'], F_RCDATA);
add(['plaintext'], F_PLAINTEXT);
add(EXITS, F_EXIT);
add(['font'], F_FONT);
add(['foreignobject', 'desc', 'title'], F_SVG_IP);
add(['mi', 'mo', 'mn', 'ms', 'mtext'], F_MATH_TIP);
add(['annotation-xml'], F_ANNOTATION);

/**
 * Per first character (ASCII, lower-cased), a bit per name length (3..9) that a name matters in HTML
 * content: lets the scanner skip div, a, span, p... without cutting the name out of the input.
 */
export const HTML_PREFILTER = new Uint16Array(128);
for (const [name, flags] of NAME_FLAGS) {
  if (flags & (F_SCRIPT | F_STYLE | F_LINK | F_HTML | F_HEAD | F_BODY | F_SVG | F_MATH | F_RAWTEXT | F_RCDATA | F_PLAINTEXT)) {
    HTML_PREFILTER[name.charCodeAt(0)]! |= 1 << name.length;
  }
}
/** The same for end tags in foreign content, which also leave it at `</p>` and `</br>`. */
export const FOREIGN_END_PREFILTER = HTML_PREFILTER.slice();
FOREIGN_END_PREFILTER[0x70]! |= 1 << 1;
FOREIGN_END_PREFILTER[0x62]! |= 1 << 2;

/** The HTML standard's "adjust SVG attributes" table: lower-case name to the name as SVG spells it. */
export const SVG_ATTRIBUTE_NAMES = new Map(
  [
    'attributeName',
    'attributeType',
    'baseFrequency',
    'baseProfile',
    'calcMode',
    'clipPathUnits',
    'diffuseConstant',
    'edgeMode',
    'filterUnits',
    'glyphRef',
    'gradientTransform',
    'gradientUnits',
    'kernelMatrix',
    'kernelUnitLength',
    'keyPoints',
    'keySplines',
    'keyTimes',
    'lengthAdjust',
    'limitingConeAngle',
    'markerHeight',
    'markerUnits',
    'markerWidth',
    'maskContentUnits',
    'maskUnits',
    'numOctaves',
    'pathLength',
    'patternContentUnits',
    'patternTransform',
    'patternUnits',
    'pointsAtX',
    'pointsAtY',
    'pointsAtZ',
    'preserveAlpha',
    'preserveAspectRatio',
    'primitiveUnits',
    'refX',
    'refY',
    'repeatCount',
    'repeatDur',
    'requiredExtensions',
    'requiredFeatures',
    'specularConstant',
    'specularExponent',
    'spreadMethod',
    'startOffset',
    'stdDeviation',
    'stitchTiles',
    'surfaceScale',
    'systemLanguage',
    'tableValues',
    'targetX',
    'targetY',
    'textLength',
    'viewBox',
    'viewTarget',
    'xChannelSelector',
    'yChannelSelector',
    'zoomAndPan',
  ].map((name) => [name.toLowerCase(), name]),
);
