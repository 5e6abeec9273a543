package portal_test

// webhookRouteMatrix is the route × role matrix of this area; TestRouteRoleMatrix merges it with the others.
var webhookRouteMatrix = map[string]routeExpectation{}
