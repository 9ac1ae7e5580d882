// Development only: served by `make serve` (rebalance/serve.py), which adds this script to each
// page it serves. Production pages never carry it. It listens to the server's build events and
// reloads the page when it changed, or goes to the page's new address when a save moved it
// (a draft published, a new Slug).
(() => {
  const me = document.currentScript;
  let version = Number(me.dataset.version);
  const server = me.dataset.server;
  const events = new EventSource("/__rebalance__/events");
  // Connected: from now on this page hears of every build (the tests wait for this mark).
  events.onopen = () => { document.documentElement.dataset.rebalanceLive = "open"; };
  events.onmessage = (event) => {
    const state = JSON.parse(event.data);
    if (state.server === server && state.version === version) return;
    const here = location.pathname;
    const moved = (state.moved || {})[here];
    if (moved) {
      location.replace(moved + location.hash);
    } else if (state.server === server && state.version === version + 1
               && (state.unchanged || []).includes(here)) {
      version = state.version; // the full build wrote this page as its preview showed it
    } else {
      location.reload();
    }
  };
})();
