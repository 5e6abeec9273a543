package outbox

import "regexp"

// oneTimeLink matches the token of an invitation or reset link.
var oneTimeLink = regexp.MustCompile(`(/(?:uitnodiging|wachtwoord-herstellen)/)[A-Za-z0-9_-]+`)

// RedactLinks hides the tokens of one-time links in a mail's text. Once a
// mail is delivered, nobody but its recipient should be able to use them:
// not an admin reading the outbox, not someone with a database backup.
func RedactLinks(text string) string {
	return oneTimeLink.ReplaceAllString(text, "${1}[verborgen]")
}
