package portal

import "net/http"

// registerConnectionRoutes registers the routes of this area (see routes.go).
func (s *Server) registerConnectionRoutes(mux *http.ServeMux) {}
