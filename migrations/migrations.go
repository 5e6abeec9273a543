// Package migrations holds the numbered SQL migrations (goose format). The
// same files are sqlc's schema, so the code generator and the database never
// disagree about a table.
package migrations

import "embed"

// FS holds every migration file.
//
//go:embed *.sql
var FS embed.FS
