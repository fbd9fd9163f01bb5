/* The API docs page (/api/docs): Swagger UI from our static files, reading the schema of this site.
 * No inline script (the Content-Security-Policy allows none): the page hands over the schema's
 * address and the CSRF token in data- attributes. */
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root) { return; }
  if (!window.SwaggerUIBundle) {
    root.textContent = root.dataset.failed;
    return;
  }
  var csrf = root.dataset.csrfToken;
  window.SwaggerUIBundle({
    url: root.dataset.schemaUrl,
    domNode: root,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
    deepLinking: true,
    docExpansion: "none",  // tags folded: a reader opens the part of the API they need (160 operations)
    defaultModelsExpandDepth: 0,
    validatorUrl: null,  // the public validator is on the internet: never asked
    // "Try it out" from a signed-in browser: the session's writes need the CSRF token (reads do not).
    requestInterceptor: function (request) {
      var method = String(request.method || "GET").toUpperCase();
      if (csrf && ["GET", "HEAD", "OPTIONS"].indexOf(method) < 0) { request.headers["X-CSRFToken"] = csrf; }
      return request;
    },
    onFailure: function () { root.textContent = root.dataset.failed; },
  });
})();
