// Swagger UI from the gateway itself: no CDN, and no call to the public validator.
window.ui = SwaggerUIBundle({ url: "/openapi.json", dom_id: "#swagger-ui", validatorUrl: null, deepLinking: true });
