// Starts Swagger UI on /docs: an external file, so the page's Content-Security-Policy can
// forbid inline scripts. The document comes from this server; nothing from another host
// (no validator badge: validatorUrl is null).
window.addEventListener("load", function () {
  var root = document.body.getAttribute("data-openapi") || "/openapi.json";
  window.ui = SwaggerUIBundle({
    url: root,
    dom_id: "#swagger-ui",
    deepLinking: false, // its links sit inside the operation buttons (nested controls)
    validatorUrl: null,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
