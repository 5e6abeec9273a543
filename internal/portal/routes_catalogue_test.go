package portal_test

// catalogueRouteMatrix is the route × role matrix of this area; TestRouteRoleMatrix merges it with the others.
var catalogueRouteMatrix = map[string]routeExpectation{}
