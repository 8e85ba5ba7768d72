// Starts Swagger UI on /docs from the app's own OpenAPI document (a file, not an inline
// script, so the content security policy can forbid inline scripts).
window.addEventListener("DOMContentLoaded", () => {
  window.ui = window.SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    deepLinking: true,
    presets: [window.SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
