// Package admin renders the admin pages: users, suppliers, the audit log
// and the mail outbox.
package admin

import "strconv"

func intStr(n int) string { return strconv.Itoa(n) }
