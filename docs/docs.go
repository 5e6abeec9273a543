// Package docs holds documentation kept in the repository that the portal
// shows to its users, embedded in the binary: the integration guide for
// suppliers (integration-guide.md, Dutch Markdown).
package docs

import "embed"

// FS holds every Markdown file of this folder.
//
//go:embed *.md
var FS embed.FS

// IntegrationGuide is the file name of the suppliers' integration guide in FS.
const IntegrationGuide = "integration-guide.md"
