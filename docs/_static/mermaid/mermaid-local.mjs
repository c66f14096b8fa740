// sphinxcontrib-mermaid imports Mermaid as an ES module (`import mermaid from ...`).
// Mermaid 11's ES build is dozens of chunk files; its single-file build (mermaid.min.js,
// 11.12.1 from the npm package, MIT licence in LICENSE beside it) is a classic script that
// sets globalThis.mermaid. This module loads that script from beside itself, so only the
// pages with a diagram fetch it, and nothing is fetched from outside the built site.
await new Promise((resolve, reject) => {
  const script = document.createElement("script");
  script.src = new URL("./mermaid.min.js", import.meta.url).href;
  script.onload = resolve;
  script.onerror = () => reject(new Error("could not load " + script.src));
  document.head.appendChild(script);
});
export default globalThis.mermaid;
