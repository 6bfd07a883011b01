/*
 * A small Markdown renderer for model answers that builds DOM nodes only (createElement and
 * textContent): no HTML from the model ever reaches the page, whatever the answer says. No build
 * step, no dependencies.
 *
 * The subset: paragraphs (blank-line separated; single line breaks kept), headings (# to ###),
 * fenced code blocks (``` with an optional language, shown as its class), bullet lists (- or *),
 * numbered lists (1.), block quotes (>), and inline **bold**, *italic* or _italic_, `code` and
 * [links](https://…) — http, https and mailto only, opened with rel="noopener noreferrer".
 * Anything else is shown as the text it is. An unclosed fence (an answer still streaming) is a code
 * block up to the end.
 *
 * RunnelMarkdown.render(text) returns a DocumentFragment.
 */
(function () {
  'use strict';

  var SAFE_LINK = /^(https?:\/\/|mailto:)/i;

  function element(tag, className) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  /** Appends the inline content of `text` to `parent`. */
  function inline(parent, text) {
    var i = 0;
    var plain = '';
    function flush() {
      if (plain) parent.appendChild(document.createTextNode(plain));
      plain = '';
    }
    while (i < text.length) {
      var rest = text.slice(i);
      var m;
      if ((m = /^`([^`]+)`/.exec(rest))) {
        flush();
        var code = element('code');
        code.textContent = m[1];
        parent.appendChild(code);
      } else if ((m = /^\*\*(?=\S)([\s\S]*?\S)\*\*/.exec(rest))) {
        flush();
        var strong = element('strong');
        inline(strong, m[1]);
        parent.appendChild(strong);
      } else if ((m = /^([*_])(?=\S)([\s\S]*?\S)\1(?![*_\w])/.exec(rest)) && !/\w$/.test(plain)) {
        flush();
        var em = element('em');
        inline(em, m[2]);
        parent.appendChild(em);
      } else if ((m = /^\[([^\]]+)\]\(([^)\s]+)\)/.exec(rest)) && SAFE_LINK.test(m[2])) {
        flush();
        var a = element('a');
        a.href = m[2];
        a.rel = 'noopener noreferrer';
        a.target = '_blank';
        inline(a, m[1]);
        parent.appendChild(a);
      } else {
        plain += text[i];
        i++;
        continue;
      }
      i += m[0].length;
    }
    flush();
  }

  /** Appends lines as one paragraph, keeping single line breaks. */
  function paragraph(parent, lines) {
    var p = element('p');
    lines.forEach(function (line, n) {
      if (n > 0) p.appendChild(element('br'));
      inline(p, line);
    });
    parent.appendChild(p);
  }

  function render(text) {
    var root = document.createDocumentFragment();
    var lines = String(text).replace(/\r\n?/g, '\n').split('\n');
    var para = [];
    var list = null;
    var quote = null;
    function endPara() {
      if (para.length) paragraph(quote || root, para);
      para = [];
    }
    function endBlocks() {
      endPara();
      list = null;
      quote = null;
    }
    for (var i = 0; i < lines.length; i++) {
      var line = lines[i];
      var m;
      if ((m = /^\s*```\s*([\w+-]*)\s*$/.exec(line))) {
        endBlocks();
        var pre = element('pre', 'md-code');
        var code = element('code', m[1] ? 'language-' + m[1] : '');
        var body = [];
        for (i++; i < lines.length && !/^\s*```\s*$/.test(lines[i]); i++) body.push(lines[i]);
        code.textContent = body.join('\n');
        pre.appendChild(code);
        root.appendChild(pre);
      } else if ((m = /^(#{1,3})\s+(.*)$/.exec(line))) {
        endBlocks();
        var h = element('h' + (m[1].length + 2), 'md-heading');
        inline(h, m[2]);
        root.appendChild(h);
      } else if ((m = /^\s*([-*]|\d{1,3}[.)])\s+(.*)$/.exec(line))) {
        endPara();
        var ordered = /\d/.test(m[1]);
        if (!list || list.ordered !== ordered) {
          list = { ordered: ordered, node: element(ordered ? 'ol' : 'ul') };
          (quote || root).appendChild(list.node);
        }
        var li = element('li');
        inline(li, m[2]);
        list.node.appendChild(li);
      } else if ((m = /^\s*>\s?(.*)$/.exec(line))) {
        if (!quote) {
          endBlocks();
          quote = element('blockquote');
          root.appendChild(quote);
        }
        if (m[1].trim()) para.push(m[1]);
        else endPara();
      } else if (!line.trim()) {
        endBlocks();
      } else {
        if (list) list = null;
        if (quote) endBlocks();
        para.push(line);
      }
    }
    endPara();
    return root;
  }

  window.RunnelMarkdown = { render: render };
})();
