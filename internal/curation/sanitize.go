package curation

import (
	"sync"

	"github.com/microcosm-cc/bluemonday"
)

// descriptionPolicy is bluemonday's policy for user-generated content:
// formatting, lists, tables, links and images stay; scripts, event
// handlers, iframes, forms and style attributes go (the portal's CSP
// forbids inline styles anyway). Links get rel="nofollow noopener".
var descriptionPolicy = sync.OnceValue(func() *bluemonday.Policy {
	p := bluemonday.UGCPolicy()
	p.RequireNoFollowOnLinks(true)
	p.AddTargetBlankToFullyQualifiedLinks(true)
	p.RequireNoReferrerOnLinks(true)
	return p
})

// maxDescription bounds the shop HTML that is sanitised for display.
const maxDescription = 1 << 20

// SafeHTML returns a shop's description HTML fit to show on our pages.
// Never render shop HTML without it.
func SafeHTML(shopHTML string) string {
	if len(shopHTML) > maxDescription {
		shopHTML = shopHTML[:maxDescription]
	}
	return descriptionPolicy().Sanitize(shopHTML)
}
