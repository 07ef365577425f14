/* The staff rich-text editor: Jodit (vendor/jodit/, MIT; pinned in
 * package.json) on every textarea[data-rich-text].
 *
 * Progressive enhancement: without JavaScript, or when Jodit did not load
 * (an old browser), the textarea stays a plain HTML textarea and the form
 * still saves. Nothing is loaded from anywhere else (no CDN, no uploader,
 * no file browser, no source-code editor or beautifier from cdnjs): the
 * site's Content-Security-Policy allows only 'self'.
 *
 * Pasting: HTML from Word, WPS or web pages is cleaned here without asking,
 * down to what the server's sanitiser keeps (gongkai/catalog/text.py, which
 * cleans it again and decides): paragraphs, headings, real lists (Word's
 * mso-list paragraphs become <ol>/<ul>), tables with colspan/rowspan,
 * bold/italic/underline, links. Jodit's own Word cleaner (cleanFromWord)
 * is only the fallback: it drops colspan/rowspan and flattens Word's lists.
 */
(function () {
  "use strict";

  if (typeof window.Jodit === "undefined" || typeof window.DOMParser === "undefined") {
    return; // the plain textarea stays
  }
  var Jodit = window.Jodit;

  // What the sanitiser keeps, and nothing else (no images, colours, fonts, files).
  var BUTTONS = ["paragraph", "|", "bold", "italic", "underline", "|", "ul", "ol", "|",
                 "table", "link", "|", "undo", "redo", "eraser", "|", "source"];

  // ------------------------------------------------------------ paste cleaning

  var KEEP = {
    p: 1, br: 1, strong: 1, em: 1, u: 1, s: 1, sub: 1, sup: 1,
    h2: 1, h3: 1, h4: 1, h5: 1, h6: 1, ul: 1, ol: 1, li: 1, blockquote: 1, pre: 1, code: 1, hr: 1,
    table: 1, thead: 1, tbody: 1, tfoot: 1, tr: 1, th: 1, td: 1, caption: 1, a: 1
  };
  var RENAME = { h1: "h2", b: "strong", i: "em", strike: "s" };
  var DROP = {
    script: 1, style: 1, head: 1, title: 1, meta: 1, link: 1, xml: 1, template: 1, noscript: 1,
    iframe: 1, object: 1, embed: 1, svg: 1, math: 1, img: 1, video: 1, audio: 1, form: 1,
    input: 1, button: 1, select: 1, textarea: 1
  };
  var BLOCK = /^(p|h[1-6]|ul|ol|li|table|blockquote|pre|div|hr|section|article)$/;
  var MSO_LIST = /mso-list:\s*l(\d+)\s+level(\d+)/i;
  var MSO_IGNORE = /mso-list:\s*ignore/i;
  var ORDERED = /^\s*(?:[(（]\s*[0-9０-９a-zA-Z一二三四五六七八九十百零〇]+\s*[)）]|[0-9０-９a-zA-Z一二三四五六七八九十百零〇ivxlcdmIVXLCDM]+\s*[.．、)）]|[\u2460-\u249b]|第[0-9一二三四五六七八九十百零〇]+[章节条款])/;
  var BLANK = /^[\s\u00a0\u3000]*$/;

  function tagOf(node) {
    return node.nodeType === 1 ? node.nodeName.toLowerCase() : "";
  }

  // Word's style attributes are parsed as data-mso-style: a style attribute parsed even in
  // DOMParser's inert document is checked against the page's CSP (a console error each).
  var STYLE = "data-mso-style";

  function listInfo(el) {
    var style = el.getAttribute && el.getAttribute(STYLE) || "";
    var m = MSO_LIST.exec(style);
    return m && !MSO_IGNORE.test(style) ? { id: m[1], level: parseInt(m[2], 10) } : null;
  }

  function listOwner(node) {
    for (var el = node.parentNode; el && el.nodeType === 1; el = el.parentNode) {
      if (listInfo(el)) { return el; }
    }
    return null;
  }

  // A list marker ("1.", "·", "（一）"): remembered on its paragraph, then removed;
  // on a numbered heading ("第一章") its text stays.
  function takeMarker(nodes, doc) {
    var text = nodes.map(function (n) { return n.textContent; }).join("").replace(/[\s\u00a0\u3000]+/g, " ").trim();
    var owner = listOwner(nodes[0]);
    if (owner && tagOf(owner) !== "p" && text) {
      nodes[0].parentNode.insertBefore(doc.createTextNode(text + " "), nodes[0]);
    } else if (owner && !owner.hasAttribute("data-marker")) {
      owner.setAttribute("data-marker", text);
    }
    nodes.forEach(function (n) { if (n.parentNode) { n.parentNode.removeChild(n); } });
  }

  function removeMarkers(body, doc) {
    // <!--[if !supportLists]-->…<!--[endif]--> and <![if !supportLists]>…<![endif]> (both comments here)
    var walker = doc.createTreeWalker(body, NodeFilter.SHOW_COMMENT);
    var starts = [];
    while (walker.nextNode()) {
      if (/^\[if !supportLists\]/i.test(walker.currentNode.data)) { starts.push(walker.currentNode); }
    }
    starts.forEach(function (start) {
      var nodes = [];
      for (var n = start.nextSibling; n && !(n.nodeType === 8 && /^\[endif\]/i.test(n.data)); n = n.nextSibling) {
        nodes.push(n);
      }
      if (nodes.length) { takeMarker(nodes, doc); }
    });
    Array.prototype.slice.call(body.querySelectorAll("[" + STYLE + "]")).forEach(function (el) {
      if (el.parentNode && MSO_IGNORE.test(el.getAttribute(STYLE))) { takeMarker([el], doc); }
    });
  }

  function nextElement(el) {
    for (var n = el.nextSibling; n; n = n.nextSibling) {
      if (n.nodeType === 1) { return n; }
      if (n.nodeType === 3 && !BLANK.test(n.data)) { return null; }
    }
    return null;
  }

  // Word/WPS lists are paragraphs styled mso-list:lN levelM: each run of one list becomes <ol>/<ul>.
  function buildLists(body, doc) {
    Array.prototype.slice.call(body.querySelectorAll("p")).forEach(function (first) {
      var info = listInfo(first);
      if (!first.parentNode || !info) { return; }
      var run = [first];
      var next;
      while ((next = nextElement(run[run.length - 1])) && tagOf(next) === "p" && listInfo(next) && listInfo(next).id === info.id) {
        run.push(next);
      }
      function newList(p) { return doc.createElement(ORDERED.test(p.getAttribute("data-marker") || "") ? "ol" : "ul"); }
      var top = newList(first);
      first.parentNode.insertBefore(top, first);
      var stack = [{ level: info.level, list: top }];
      run.forEach(function (p) {
        var level = listInfo(p).level;
        while (stack.length > 1 && level < stack[stack.length - 1].level) { stack.pop(); }
        var current = stack[stack.length - 1];
        if (level > current.level && current.list.lastElementChild) {
          var nested = newList(p);
          current.list.lastElementChild.appendChild(nested);
          stack.push({ level: level, list: nested });
        }
        var li = doc.createElement("li");
        while (p.firstChild) { li.appendChild(p.firstChild); }
        p.parentNode.removeChild(p);
        stack[stack.length - 1].list.appendChild(li);
      });
    });
  }

  function safeHref(href) {
    href = (href || "").trim();
    return /^(https?:|mailto:)/i.test(href) || (/^[^:]*$/.test(href) && href !== "") ? href : null;
  }

  // Copy only the kept tags and attributes; unwrap the rest (span, font, o:p, div …).
  function copyClean(from, to, doc) {
    Array.prototype.slice.call(from.childNodes).forEach(function (node) {
      if (node.nodeType === 3) {
        to.appendChild(doc.createTextNode(node.data));
        return;
      }
      if (node.nodeType !== 1) { return; } // comments, conditional comments
      var tag = tagOf(node);
      if (DROP[tag]) { return; }
      tag = RENAME[tag] || tag;
      if (tag === "div" && !Array.prototype.some.call(node.children, function (c) { return BLOCK.test(tagOf(c)); })
          && !/^(Word)?Section\d*$/.test(node.getAttribute("class") || "")) {
        tag = "p"; // a web page's <div>line</div> is a paragraph
      }
      if (!KEEP[tag]) {
        copyClean(node, to, doc);
        return;
      }
      var el = doc.createElement(tag);
      if (tag === "a" && safeHref(node.getAttribute("href"))) { el.setAttribute("href", safeHref(node.getAttribute("href"))); }
      if (tag === "td" || tag === "th") {
        ["colspan", "rowspan"].forEach(function (name) {
          var value = parseInt(node.getAttribute(name) || "1", 10);
          if (value > 1) { el.setAttribute(name, String(value)); }
        });
      }
      copyClean(node, el, doc);
      to.appendChild(el);
    });
  }

  function dropEmpty(root) {
    Array.prototype.slice.call(root.querySelectorAll("p, strong, em, u, s, sub, sup, a")).reverse().forEach(function (el) {
      if (el.querySelector("br, table") || !BLANK.test(el.textContent)) { return; }
      if (tagOf(el) === "p" || el.textContent === "") { el.parentNode.removeChild(el); }
    });
  }

  function cleanPastedHtml(html) {
    html = html.replace(/<style\b[\s\S]*?<\/style\s*>/gi, "")  // a <style> parsed there is checked too
      .replace(/(<[a-zA-Z][^<>]*?\s)style(\s*=)/g, "$1" + STYLE + "$2");
    var doc = new DOMParser().parseFromString(html, "text/html"); // inert: nothing runs or loads
    var body = doc.body;
    removeMarkers(body, doc);
    buildLists(body, doc);
    var out = doc.createElement("div");
    copyClean(body, out, doc);
    dropEmpty(out);
    return out.innerHTML.replace(/\n\s*/g, "\n").trim();
  }

  // ------------------------------------------------------------ the editor

  function labelFor(textarea) {
    return textarea.id ? document.querySelector('label[for="' + textarea.id + '"]') : null;
  }

  function enhance(textarea) {
    var editor = Jodit.make(textarea, {
      language: "zh_cn",
      toolbarAdaptive: false,
      toolbarSticky: false,
      buttons: BUTTONS,
      buttonsMD: BUTTONS,
      buttonsSM: BUTTONS,
      buttonsXS: BUTTONS,
      controls: {
        paragraph: {
          // Jodit.atom: this list replaces Jodit's own (with h1, blockquote, pre) instead of merging into it
          list: Jodit.atom({ p: "正文段落", h2: "二级标题", h3: "三级标题", h4: "四级标题" }),
          // Jodit's own template has style="margin:0;padding:0", which the CSP blocks (staff.css does it)
          childTemplate: function (editor, key, value) {
            return "<" + key + ' class="gk-format-option"><span>' + editor.i18n(value) + "</span></" + key + ">";
          }
        },
        ul: { list: null },
        ol: { list: null }
      },
      minHeight: 320,
      height: "auto",
      width: "auto",
      statusbar: false,
      showCharsCounter: false,
      showWordsCounter: false,
      showXPathInStatusbar: false,
      hidePoweredByJodit: true,
      showPlaceholder: false, // its span is made with style="display: none", which the CSP blocks
      // paste: cleaned without asking (see cleanPastedHtml; Jodit's cleaners are the fallback)
      askBeforePasteHTML: false,
      askBeforePasteFromWord: false,
      processPasteFromWord: true,
      defaultActionOnPaste: Jodit.constants.INSERT_CLEAR_HTML,
      defaultActionOnPasteFromWord: Jodit.constants.INSERT_AS_TEXT, // Jodit's "Clean" for Word
      nl2brInPlainText: true,
      // nothing from outside: the plain-textarea source view, no beautifier from cdnjs
      sourceEditor: "area",
      beautifyHTML: false,
      iframe: false,
      enableDragAndDropFileToEditor: false,
      uploader: { insertImageAsBase64URI: false },
      link: { noFollowCheckbox: false, openInNewTabCheckbox: false, processVideoLink: false, modeClassName: null },
      disablePlugins: [
        "about", "ai-assistant", "class-span", "color", "copyformat", "drag-and-drop", "drag-and-drop-element",
        "file", "font", "fullsize", "iframe", "image", "image-processor", "image-properties", "justify",
        "line-height", "media", "paste-storage", "powered-by-jodit", "preview", "print", "search",
        "speech-recognize", "spellcheck", "stat", "symbols", "video", "xpath"
      ]
    });

    editor.e.on("processHTML", function (event, html) {
      var clean;
      try {
        clean = cleanPastedHtml(html);
      } catch (error) {
        return undefined; // Jodit's own cleaner takes over
      }
      editor.e.stopPropagation("processHTML");
      editor.s.insertHTML(clean);
      editor.synchronizeValues();
      return true; // handled: no dialog, no second insertion
    }, { top: true });

    // The label names the editing area (the textarea is hidden now), and the help text describes it.
    var label = labelFor(textarea);
    var area = editor.editor;
    area.setAttribute("role", "textbox");
    area.setAttribute("aria-multiline", "true");
    if (label) {
      label.id = label.id || textarea.id + "_label";
      label.removeAttribute("for");
      label.addEventListener("click", function () { editor.s.focus(); });
      area.setAttribute("aria-labelledby", label.id);
    }
    var described = textarea.getAttribute("aria-describedby");
    if (described) { area.setAttribute("aria-describedby", described); }
    editor.container.classList.add("rich-text-editor");

    // What is saved is what is shown, even if the last keystroke has not been synchronised yet.
    if (textarea.form) {
      textarea.form.addEventListener("submit", function () { editor.synchronizeValues(); textarea.value = editor.value; });
    }
    return editor;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("textarea[data-rich-text]"), function (textarea) {
      try {
        enhance(textarea);
      } catch (error) {
        // the plain textarea stays usable
        if (window.console) { window.console.error("富文本编辑器未能加载：", error); }
      }
    });
  }

  window.gongkaiEditor = { cleanPastedHtml: cleanPastedHtml }; // for the browser test
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
