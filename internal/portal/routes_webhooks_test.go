package portal_test

import "net/url"

// webhookRouteMatrix is the route × role matrix of this area; TestRouteRoleMatrix merges it with the others.
// Shops call the webhook endpoint without a session: every caller gets the
// same answer, here 404 for a connection that does not exist. Signatures,
// pings, duplicates and forgeries are tested in internal/syncer against a
// real connection.
var webhookRouteMatrix = map[string]routeExpectation{
	"POST /webhooks/{connection}": publicRoute(okStatus(404),
		postReq("/webhooks/999999999", url.Values{"webhook_id": {"1"}})),
}
