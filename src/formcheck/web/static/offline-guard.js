// Loaded before anything else on the live page: the page talks to this server only. MediaPipe's
// tasks-vision posts usage statistics to a Google endpoint once a minute; this refuses that (and any
// other cross-origin fetch) inside the page, so no request leaves for the network. The CSP blocks them
// too; refusing here first keeps the console clean and the library from retrying.
(() => {
  const refused = [];
  const fetchHere = window.fetch.bind(window);
  window.formcheckRefused = refused;
  window.fetch = (input, init) => {
    const url = new URL(input instanceof Request ? input.url : String(input), location.href);
    if (url.origin !== location.origin) {
      refused.push(url.origin);
      return Promise.reject(new TypeError(`formcheck works offline: refused a request to ${url.origin}`));
    }
    return fetchHere(input, init);
  };
})();
