package portal

import "net/http"

// registerWebhookRoutes registers the routes of this area (see routes.go).
func (s *Server) registerWebhookRoutes(mux *http.ServeMux) {}
