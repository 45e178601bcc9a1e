// Framescope dashboard: one article with its evidence sentences highlighted (text nodes only, never HTML).
"use strict";

(function () {
  function element(tag, attributes, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attributes || {})) node.setAttribute(name, value);
    for (const child of children) node.append(child);
    return node;
  }

  // Text with the evidence spans wrapped in <mark>. The server's offsets count code points (Python
  // str indices), JavaScript strings count UTF-16 units: slicing goes through Array.from, so an emoji
  // or another astral character before a sentence does not shift its highlight.
  function highlighted(text, spans) {
    const node = document.createDocumentFragment();
    const chars = Array.from(text);
    const piece = (start, end) => chars.slice(start, end).join("");
    let at = 0;
    const ordered = [...spans].sort((a, b) => a.start - b.start);
    for (const span of ordered) {
      if (span.start < at || span.end > chars.length || span.end <= span.start) continue; // overlap or stale
      node.append(piece(at, span.start));
      node.append(element("mark", { title: `evidence, score ${Number(span.score).toFixed(2)}` }, piece(span.start, span.end)));
      at = span.end;
    }
    node.append(piece(at, chars.length));
    return node;
  }

  function articleCard(article) {
    const titleSpans = article.evidence.filter((e) => e.field === "title");
    const textSpans = article.evidence.filter((e) => e.field !== "title");
    const heading = element("h3", {});
    const safeUrl = /^https?:\/\//i.test(article.url || "") ? article.url : null;
    const titleNode = highlighted(article.title || "(no title)", titleSpans);
    heading.append(safeUrl ? element("a", { href: safeUrl, rel: "noopener noreferrer", target: "_blank" }, titleNode) : titleNode);
    const meta = [
      article.outlet_name || article.outlet,
      article.published_at ? article.published_at.slice(0, 10) : "undated",
      article.event,
      article.dominant_frame ? `dominant frame: ${article.dominant_frame}` : null,
      article.stance && article.stance.label ? `stance: ${article.stance.label}` : null,
      `${article.evidence.length} evidence sentence${article.evidence.length === 1 ? "" : "s"}`,
    ].filter(Boolean);
    return element(
      "article",
      { class: "evidence-article", "data-article-id": String(article.id) },
      heading,
      element("p", { class: "meta" }, meta.join(" · ")),
      element("p", { class: "text" }, highlighted(article.text, textSpans)),
    );
  }

  window.framescopeEvidence = { articleCard, highlighted };
})();
