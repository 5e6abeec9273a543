package portal

import "net/http"

// registerCatalogueRoutes registers the routes of this area (see routes.go).
func (s *Server) registerCatalogueRoutes(mux *http.ServeMux) {}
