package portal_test

// connectionRouteMatrix is the route × role matrix of this area; TestRouteRoleMatrix merges it with the others.
var connectionRouteMatrix = map[string]routeExpectation{}
