// Start Swagger UI on the API's schema. A file, not an inline script: the CSP allows
// scripts from this site only.
window.addEventListener("DOMContentLoaded", function () {
  var root = document.getElementById("swagger");
  if (!root || !window.SwaggerUIBundle) return;
  window.SwaggerUIBundle({
    url: root.dataset.schema,
    domNode: root,
    deepLinking: true,
    // The token goes in the Authorize dialog; it is kept in this tab only.
    persistAuthorization: false,
    tryItOutEnabled: false,
  });
});
