// The search page's script (theme/templates/search.html), loaded on that page only: results
// from the site's Pagefind index (built with the site by plugins/search_index) as the reader
// types. Everything comes from this site. Without JavaScript the form opens the archives.

const form = document.querySelector(".search-form");
const input = form.querySelector("input[name=q]");
const status = document.getElementById("search-status");
const list = document.getElementById("search-results");
const SHOWN = 10; // results listed; the status line says how many were found in all

let pagefind = null; // the Pagefind module, loaded at the first focus or search
let latest = 0; // the newest search: an older one finishing late is not shown

function load() {
  pagefind ??= import(form.dataset.index).then(async (module) => {
    await module.options({ excerptLength: 24 });
    await module.init();
    // A large site's index comes in parts (plugins/search_index): parts.json, beside
    // pagefind.js, names the others, which are searched together with this one.
    const bundle = new URL(form.dataset.index, location.href);
    const parts = await fetch(new URL("parts.json", bundle)).then((r) => r.json());
    for (const name of parts) await module.mergeIndex(new URL(`../${name}/`, bundle).href);
    return module;
  });
  return pagefind;
}

function say(text, linkText = "") {
  status.replaceChildren(text);
  if (linkText) {
    const link = document.createElement("a");
    link.href = form.getAttribute("action");
    link.textContent = linkText;
    status.append(" ", link, ".");
  }
}

// Pagefind's excerpt is the article's text, escaped, with <mark> around the words found. It is
// rebuilt from text and <mark> alone all the same, so nothing in it can ever become other markup
// (exported for tests/test_search.py).
export function excerpt(html) {
  const p = document.createElement("p");
  p.className = "search-result-excerpt";
  for (const node of new DOMParser().parseFromString(html, "text/html").body.childNodes) {
    if (node.nodeName === "MARK") {
      const mark = document.createElement("mark");
      mark.textContent = node.textContent;
      p.append(mark);
    } else {
      p.append(node.textContent);
    }
  }
  return p;
}

function item(result) {
  const li = document.createElement("li");
  li.className = "search-result";
  const heading = document.createElement("h2");
  heading.className = "search-result-title";
  const link = document.createElement("a");
  link.href = result.url;
  link.textContent = result.meta.title || result.url;
  heading.append(link);
  li.append(heading, excerpt(result.excerpt));
  return li;
}

// The address keeps the words, so Back from an article returns to the same results. (Set once
// a search is done, not at each key: Chromium asks for the page's icon again at each change.)
function remember(term) {
  const search = term ? `?q=${encodeURIComponent(term)}` : "";
  if (location.search !== search) history.replaceState(null, "", location.pathname + search);
}

function show(results, total, term) {
  remember(term);
  list.replaceChildren(...results.map(item));
  list.hidden = results.length === 0;
  if (total === 0) {
    say(`No article found for “${term}”. Try another word, or`, "see all articles");
  } else if (total > results.length) {
    say(`${total} articles found for “${term}”: the ${results.length} that match best.`);
  } else {
    say(`${total} article${total === 1 ? "" : "s"} found for “${term}”.`);
  }
}

async function search(text) {
  const ticket = ++latest;
  const term = text.trim();
  if (!term) {
    remember("");
    list.replaceChildren();
    list.hidden = true;
    status.replaceChildren();
    return;
  }
  const slow = setTimeout(() => ticket === latest && say("Searching…"), 500);
  try {
    const module = await load();
    const found = await module.debouncedSearch(term, {}, 250);
    if (found === null || ticket !== latest) return; // a newer search has started
    const results = await Promise.all(found.results.slice(0, SHOWN).map((r) => r.data()));
    if (ticket === latest) show(results, found.results.length, term);
  } catch (error) {
    pagefind = null; // try loading again at the next search
    if (ticket === latest) say("Search is not available just now.", "See all articles");
    console.warn("Search failed:", error);
  } finally {
    clearTimeout(slow);
  }
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  search(input.value);
});
input.addEventListener("input", () => search(input.value));
input.addEventListener("focus", () => load().catch(() => {}), { once: true });

const asked = new URLSearchParams(location.search).get("q");
if (asked) {
  input.value = asked;
  search(asked);
}
