package portal

import "net/http"

// registerCurationRoutes registers the routes of this area (see routes.go).
func (s *Server) registerCurationRoutes(mux *http.ServeMux) {}
